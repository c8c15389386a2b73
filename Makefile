# Both targets work on a fresh machine that has only Python: they create .venv
# when it is missing and install what they need (re-installing only when
# pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo install test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Tests get the sql extra (SQLAlchemy, DuckDB: the SQL fact sources' tests) and the ja extra too (fugashi + unidic-lite: two wheels, about 50 MB to download), so the morphology rules'
# tests run in CI rather than being skipped.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,ja,sql]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/csops demo

# csops and kb on your PATH: links in BINDIR to this folder's .venv (keep the folder; `git pull` updates them).
# A file there that is not a link is left alone. Says how to add BINDIR to PATH when it is not on it.
BINDIR ?= $(HOME)/.local/bin
install: $(VENV)/.installed
	@mkdir -p "$(BINDIR)"
	@for c in csops kb; do \
	  if [ -e "$(BINDIR)/$$c" ] && [ ! -L "$(BINDIR)/$$c" ]; then \
	    echo "$(BINDIR)/$$c exists and is not a link: not replacing it (move it away, or make install BINDIR=DIR)" >&2; \
	    exit 1; \
	  fi; \
	  ln -sfn "$(CURDIR)/$(BIN)/$$c" "$(BINDIR)/$$c"; \
	done
	@echo "csops and kb are in $(BINDIR) (they run from $(CURDIR)/$(VENV): keep this folder)"
	@case ":$$PATH:" in \
	  *":$(BINDIR):"*) echo "Next:  csops init myteam    # README: Starting your own project";; \
	  *) echo "$(BINDIR) is not on your PATH yet. Add it, then open a new terminal:"; \
	     echo "  echo 'export PATH=\"$(BINDIR):\$$PATH\"' >> ~/.$$(basename "$${SHELL:-bash}")rc"; \
	     echo "Next:  csops init myteam    # README: Starting your own project";; \
	esac

# Four pytest workers even on two cores: most of a test's wall time is spent waiting on a sandbox, a csops
# subprocess or PostgreSQL (the serial suite used 3 min of CPU in 7 min). Every test has its own port, folder and
# database, so workers share nothing.
# PYTHONDONTWRITEBYTECODE is dropped for the tests: with it set (some containers and CI images set it), no
# compiled module is ever kept, so every csops process a test starts compiled csops again (0.2 s each) and every
# worker rewrote the asserts of every test module (about 5 s each).
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 4 --dist worksteal

bench: $(VENV)/.installed
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/sync.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
