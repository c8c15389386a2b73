"""``kb check``'s findings as people read them and as CI tools consume them.

    text        grouped by file, coloured on a terminal, each fixable finding marked, "N fixable with --fix"
    line        path:line:col level rule message, one a line (grep, editors' error matchers)
    json        a list of findings (with ``doc`` and, when fixable, ``fix``)
    github      workflow commands: GitHub shows 10 errors, 10 warnings and 10 notices per step (warned past it)
    rdjsonl     reviewdog's Diagnostic, one JSON a line (``-f=rdjsonl``; suggestions for fixable findings)
    rdjson      reviewdog's DiagnosticResult
    sarif       SARIF 2.1.0 (GitHub code scanning and other SARIF viewers)
    checkstyle  checkstyle XML (reviewdog ``-f=checkstyle``, Jenkins, many CI tools)
    junit       JUnit XML (a test suite per article, a failing test case per finding)

Columns: kb counts characters; reviewdog counts UTF-8 bytes (its Position), so rdjson converts; SARIF says
``columnKind: unicodeCodePoints``.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kb.articles import Edit, Finding
from kb.model import KbSpec

FORMATS = ("text", "line", "json", "github", "rdjsonl", "rdjson", "sarif", "checkstyle", "junit")
GITHUB_CAP = 10  # annotations of each kind (error, warning, notice) GitHub shows per step; 50 per job
TOOL = "kb check"


@dataclass
class Report:
    """What a format needs: the findings, the articles checked (their paths) and kb.yaml."""

    spec: KbSpec
    findings: list[Finding]
    checked: list[str]  # the checked articles' paths, as findings name them
    color: bool = False
    version: str = ""
    notes: list[str] = field(default_factory=list)  # for stderr (github's cap)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def line_text(self, path: str, line: int) -> str:
        """A line of a finding's file, as it is on disk (for columns in other units)."""
        if path not in self._lines:
            try:
                self._lines[path] = (self.spec.root.parent / path).read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self._lines[path] = []
        lines = self._lines[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def byte_col(self, path: str, line: int, col: int) -> int:
        """The 1-based UTF-8 byte column of a 1-based character column."""
        return len(self.line_text(path, line)[:col - 1].encode("utf-8")) + 1

    @property
    def fixable(self) -> int:
        return sum(1 for f in self.findings if f.fix is not None)


def render(fmt: str, report: Report) -> str:
    """The findings in ``fmt`` (one of :data:`FORMATS`), ending with a newline unless empty."""
    out = _RENDERERS[fmt](report)
    return out if not out or out.endswith("\n") else out + "\n"


# -- for people ------------------------------------------------------------------------------------------------

_LEVEL_STYLE = {"error": ("red", True), "warning": ("yellow", False), "suggestion": ("cyan", False),
                "info": ("bright_black", False)}


def _style(report: Report, text: str, fg: str | None = None, bold: bool = False, dim: bool = False) -> str:
    if not report.color:
        return text
    import click

    return click.style(text, fg=fg, bold=bold, dim=dim)


def _text(report: Report) -> str:
    out: list[str] = []
    for path, group in _by_file(report.findings):
        out.append(_style(report, path, bold=True))
        width = max(len(f"{f.line}:{f.col}") for f in group)
        for f in group:
            fg, bold = _LEVEL_STYLE.get(f.level, (None, False))
            mark = _style(report, " [*]", fg="green") if f.fix else ""
            out.append(f"  {f'{f.line}:{f.col}':<{width}}  {_style(report, f'{f.level:<10}', fg, bold)}  "
                       f"{f.message}  {_style(report, f.rule, dim=True)}{mark}")
        out.append("")
    if report.fixable:
        out.append(_style(report, f"[*] {report.fixable} fixable with --fix", fg="green"))
    return "\n".join(out)


def _by_file(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.path, []).append(f)
    return list(groups.items())


def _line(report: Report) -> str:
    return "\n".join(f.text() for f in report.findings)


def _json(report: Report) -> str:
    from kb.ruledocs import anchor

    def one(f: Finding) -> dict[str, Any]:
        d = {**f.as_dict(), "doc": anchor(report.spec, f.rule)}
        if f.fix is not None:
            d["fix"] = {"line": f.fix.line, "col": f.fix.col, "end_col": f.fix.end, "text": f.fix.text}
        return d

    return json.dumps([one(f) for f in report.findings], ensure_ascii=False, indent=2)


# -- GitHub workflow commands ------------------------------------------------------------------------------------

def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(report: Report) -> str:
    counts = {"error": 0, "warning": 0, "notice": 0}
    out = []
    for f in report.findings:
        kind = {"error": "error", "warning": "warning"}.get(f.level, "notice")
        counts[kind] += 1
        out.append(f"::{kind} file={_gh_property(f.path)},line={f.line},col={f.col},title={_gh_property(f.rule)}"
                   f"::{_gh_data(f.message)}")
    dropped = {k: n - GITHUB_CAP for k, n in counts.items() if n > GITHUB_CAP}
    if dropped:
        lost = ", ".join(f"{n} {k}s" for k, n in dropped.items())
        report.notes.append(
            f"warning: GitHub shows {GITHUB_CAP} error, {GITHUB_CAP} warning and {GITHUB_CAP} notice annotations per "
            f"step (50 per job): {lost} of these {len(report.findings)} will not appear on the pull request. Every "
            "finding is in the log; for all of them on the pull request use --format rdjsonl with reviewdog, or "
            "kb check --changed (README: kb check in pull requests)")
    return "\n".join(out)


# -- reviewdog (rdjson, rdjsonl) ---------------------------------------------------------------------------------

_RD_SEVERITY = {"error": "ERROR", "warning": "WARNING"}


def _rd_position(report: Report, path: str, line: int, col: int) -> dict[str, int]:
    return {"line": line, "column": report.byte_col(path, line, col)}


def _rd_diagnostic(report: Report, f: Finding) -> dict[str, Any]:
    from kb.ruledocs import anchor

    d: dict[str, Any] = {
        "message": f.message,
        "location": {"path": f.path, "range": {"start": _rd_position(report, f.path, f.line, f.col)}},
        "severity": _RD_SEVERITY.get(f.level, "INFO"),
        "source": {"name": TOOL},
        "code": {"value": f.rule},
    }
    doc = anchor(report.spec, f.rule)
    if doc and "://" in doc:
        d["code"]["url"] = doc
    if f.fix is not None:
        d["suggestions"] = [{"range": _rd_range(report, f.path, f.fix), "text": f.fix.text}]
    return d


def _rd_range(report: Report, path: str, edit: Edit) -> dict[str, Any]:
    return {"start": _rd_position(report, path, edit.line, edit.col),
            "end": _rd_position(report, path, edit.line, edit.end)}


def _rdjsonl(report: Report) -> str:
    return "\n".join(json.dumps(_rd_diagnostic(report, f), ensure_ascii=False) for f in report.findings)


def _rdjson(report: Report) -> str:
    return json.dumps({"source": {"name": TOOL}, "diagnostics": [_rd_diagnostic(report, f) for f in report.findings]},
                      ensure_ascii=False, indent=2)


# -- SARIF 2.1.0 -----------------------------------------------------------------------------------------------------

_SARIF_LEVEL = {"error": "error", "warning": "warning"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    return quote(path.replace(os.sep, "/"))


def _sarif_rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    from kb.ruledocs import describe

    ids = sorted({f.rule for f in report.findings})
    rules = []
    for rid in ids:
        level = next(f.level for f in report.findings if f.rule == rid)
        rules.append({"id": rid, "shortDescription": {"text": describe(report.spec, rid)},
                      "defaultConfiguration": {"level": _SARIF_LEVEL.get(level, "note")}})
    return rules, {rid: i for i, rid in enumerate(ids)}


def _sarif_region(line: int, col: int, end: int | None = None) -> dict[str, int]:
    region = {"startLine": line, "startColumn": col}
    if end is not None:
        region["endColumn"] = end
    return region


def _sarif_result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    location = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.path), "uriBaseId": "SRCROOT"},
                                     "region": _sarif_region(f.line, f.col)}}
    result: dict[str, Any] = {"ruleId": f.rule, "ruleIndex": index[f.rule], "level": _SARIF_LEVEL.get(f.level, "note"),
                              "message": {"text": f.message}, "locations": [location]}
    if f.level in ("suggestion", "info"):
        result["properties"] = {"kb-level": f.level}
    if f.fix is not None:
        result["fixes"] = [{"description": {"text": f"'{f.fix.text}'"}, "artifactChanges": [{
            "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "SRCROOT"},
            "replacements": [{"deletedRegion": _sarif_region(f.fix.line, f.fix.col, f.fix.end),
                              "insertedContent": {"text": f.fix.text}}]}]}]
    return result


def _sarif(report: Report) -> str:
    rules, index = _sarif_rules(report)
    root = Path(os.path.abspath(report.spec.root.parent)).as_uri() + "/"
    run = {"tool": {"driver": {"name": TOOL, "version": report.version or "0", "rules": rules}},
           "originalUriBaseIds": {"SRCROOT": {"uri": root}},
           "columnKind": "unicodeCodePoints",
           "results": [_sarif_result(f, index) for f in report.findings]}
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2)


# -- XML: checkstyle, JUnit ----------------------------------------------------------------------------------------

_CHECKSTYLE_SEVERITY = {"error": "error", "warning": "warning"}


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _checkstyle(report: Report) -> str:
    root = ET.Element("checkstyle", version="4.3")
    for path, group in _by_file(report.findings):
        file = ET.SubElement(root, "file", name=path)
        for f in group:
            ET.SubElement(file, "error", line=str(f.line), column=str(f.col),
                          severity=_CHECKSTYLE_SEVERITY.get(f.level, "info"), message=f.message,
                          source=f"kb.{f.rule}")
    return _xml(root)


def _junit(report: Report) -> str:
    by_file = dict(_by_file(report.findings))
    paths = list(dict.fromkeys([*report.checked, *by_file]))
    root = ET.Element("testsuites", name=TOOL, tests=str(sum(max(1, len(by_file.get(p, []))) for p in paths)),
                      failures=str(len(report.findings)))
    for path in paths:
        group = by_file.get(path, [])
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(group))), failures=str(len(group)),
                              errors="0", skipped="0")
        if not group:
            ET.SubElement(suite, "testcase", name=TOOL, classname=path, file=path)
        for f in group:
            case = ET.SubElement(suite, "testcase", name=f"{f.rule} {f.line}:{f.col}", classname=path, file=path,
                                 line=str(f.line))
            failure = ET.SubElement(case, "failure", message=f.message, type=f.level)
            failure.text = f.text()
    return _xml(root)


_RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": _text, "line": _line, "json": _json, "github": _github, "rdjsonl": _rdjsonl, "rdjson": _rdjson,
    "sarif": _sarif, "checkstyle": _checkstyle, "junit": _junit,
}
