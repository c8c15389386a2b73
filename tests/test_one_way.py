"""One way to do each risky thing (issue 25): every file csops writes goes through base.files, every CSV for a
spreadsheet through base.csvfile. Read from the source, so a new ``write_text`` elsewhere fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Every top-level package of csops but base/ (where the one writer lives) and the sandbox (an API emulator for
#: tests, which serves the Bulk API's CSV and writes no file).
PACKAGES = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name not in
                  ("base", "sandbox", "tests"))

WRITES = {"write_text", "write_bytes", "os.replace", "shutil.copy", "shutil.copy2", "shutil.copyfile",
          "tempfile.mkstemp", "tempfile.NamedTemporaryFile", "os.fdopen"}
CSV = {"csv.writer", "csv.DictWriter"}
#: (file, call) → why it is not a file or a spreadsheet's CSV.
ALLOWED = {
    ("connectors/salesforce.py", "csv.DictWriter"): "the Bulk API 2.0 ingest body: each cell is the value to store",
}


def calls(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        short = name.rsplit(".", 1)[-1]
        if name in WRITES | CSV or short in ("write_text", "write_bytes"):
            found.append((node.lineno, name if name in WRITES | CSV else short))
        elif name == "os.open":
            if "O_CREAT" in ast.unparse(node.args[1]):  # os.open(os.devnull, os.O_WRONLY) creates nothing
                found.append((node.lineno, "os.open(O_CREAT)"))
        elif short == "open":
            mode = next((ast.literal_eval(a) for a in node.args[1:2] if isinstance(a, ast.Constant)), None)
            mode = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "mode"), mode)
            if isinstance(mode, str) and set(mode) & set("wax+"):
                found.append((node.lineno, f"open({mode!r})"))
    return found


def test_files_and_spreadsheet_csv_are_written_one_way() -> None:
    assert {"connectors", "csops", "kb", "report", "store", "sync"} <= set(PACKAGES)
    offenders = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            offenders += [f"{rel}:{line}: {what}" for line, what in calls(path) if (rel, what) not in ALLOWED]
    assert offenders == []


def test_the_check_sees_each_kind(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('import csv, os\nopen("x", "w")\nPath("x").write_text("")\nos.replace("a", "b")\n'
                      'csv.writer(f)\nos.open("x", os.O_WRONLY | os.O_CREAT)\nopen("x")\np.open(mode="a")\n'
                      'os.open(os.devnull, os.O_WRONLY)\n', encoding="utf-8")
    assert [what for _, what in sorted(calls(sample))] == ["open('w')", "write_text", "os.replace", "csv.writer",
                                                            "os.open(O_CREAT)", "open('a')"]
