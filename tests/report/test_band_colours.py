"""A band's colour in the report from the rule file (``colour: "#rrggbb"``), checked by csops rules check."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import RULES, Workspace


def with_bands(tmp_path: Path, green: str, red: str) -> Path:
    text = RULES.read_text(encoding="utf-8")
    assert "- {name: green, min: 140}" in text and "- {name: red, min: 0}" in text
    path = tmp_path / "onboarding.yaml"
    path.write_text(text.replace("- {name: green, min: 140}", f"- {{name: green, min: 140, colour: {green}}}")
                    .replace("- {name: red, min: 0}", f"- {{name: red, min: 0, colour: {red}}}"), encoding="utf-8")
    return path


def test_the_band_chart_takes_the_rule_files_colours(ws: Workspace, tmp_path: Path) -> None:
    rules = with_bands(tmp_path, '"#00AA55"', '"#880000"')
    config = ws.config.read_text(encoding="utf-8")
    ws.config.write_text(config.replace(f"files: [{RULES}]", f"files: [{rules}]"), encoding="utf-8")
    assert ws.cli("sync", "--today", "2026-11-23").exit_code == 0
    out = tmp_path / "r.html"
    assert ws.cli("report", "--format", "html", "--out", str(out)).exit_code == 0
    chart = re.search(r'data-chart="bands">(.*?)</script>', out.read_text(encoding="utf-8"), re.S)
    assert chart is not None
    traces = json.loads(re.search(r"Plotly\.newPlot\(\s*\"chart-bands\",\s*(\[.*?\]),\s*\{", chart.group(1),
                                  re.S).group(1))  # type: ignore[union-attr]
    colours = {t["name"]: t["marker"]["color"] for t in traces}
    assert colours["green"] == "#00AA55" and colours["red"] == "#880000"
    assert colours["yellow"] == "#e6b800"  # no colour set: the default scale's
    rep = json.loads(ws.cli("report", "--format", "json").stdout)
    assert rep["labels"]["band_colours"] == {"green": "#00AA55", "red": "#880000"}


def test_a_colour_that_is_no_colour_is_refused_at_its_line(ws: Workspace, tmp_path: Path) -> None:
    rules = with_bands(tmp_path, "green", '"#880000"')
    result = ws.cli("rules", "check", str(rules))
    assert result.exit_code == 78
    line = next(i for i, t in enumerate(rules.read_text(encoding="utf-8").splitlines(), 1) if "colour: green" in t)
    assert f"{rules.name}:{line}" in result.output and "'green' is not a colour" in result.output
