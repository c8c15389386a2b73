# Both targets work on a fresh machine that has only Python: they create .venv
# when it is missing and install what they need (re-installing only when
# pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Tests get the ja extra too (fugashi + unidic-lite: two wheels, about 50 MB to download), so the morphology rules'
# tests run in CI rather than being skipped.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,ja]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/csops demo

# Four pytest workers even on two cores: most of a test's wall time is spent waiting on a sandbox, a csops
# subprocess or PostgreSQL (the serial suite used 3 min of CPU in 7 min). Every test has its own port, folder and
# database, so workers share nothing.
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 4

bench: $(VENV)/.installed
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/sync.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
