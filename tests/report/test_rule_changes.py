"""Each sync records its rule files' hash; the report marks the days they changed on every chart over time."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from sandbox.timeline import progress_to
from tests.conftest import RULES, Workspace


def sync(ws: Workspace, day: str) -> None:
    progress_to(ws.sandbox, date.fromisoformat(day))
    result = ws.cli("sync", "--today", day, "--allow-mass-change")
    assert result.exit_code == 0, result.output


def test_a_rule_change_is_marked_on_every_time_chart(ws: Workspace, tmp_path: Path) -> None:
    rules = tmp_path / "onboarding.yaml"
    text = RULES.read_text(encoding="utf-8")
    rules.write_text(text, encoding="utf-8")
    config = ws.config.read_text(encoding="utf-8")
    assert f"files: [{RULES}]" in config
    ws.config.write_text(config.replace(f"files: [{RULES}]", f"files: [{rules}]"), encoding="utf-8")
    sync(ws, "2026-06-01")
    sync(ws, "2026-07-06")
    rules.write_text("# a comment is no rule change\n" + text, encoding="utf-8")
    sync(ws, "2026-08-10")
    rules.write_text(text.replace('when: "days_since_last_login >= 14"', 'when: "days_since_last_login >= 10"'),
                     encoding="utf-8")
    sync(ws, "2026-09-14")
    sync(ws, "2026-10-19")
    runs = ws.store_rows("SELECT rules_day, rules_hash FROM runs WHERE command = 'sync' ORDER BY id")
    assert [d for d, _ in runs] == ["2026-06-01", "2026-07-06", "2026-08-10", "2026-09-14", "2026-10-19"]
    assert len({h for _, h in runs[:3]}) == 1 and runs[3][1] != runs[2][1] and runs[4][1] == runs[3][1]

    rep = json.loads(ws.cli("report", "--format", "json").stdout)
    assert rep["rule_changes"] == ["2026-09-14"]
    assert "rule files changed on 2026-09-14" in ws.cli("report").stdout
    assert "rule_change,all,2026-09-14,changed,1" in ws.cli("report", "--format", "csv").stdout
    before = json.loads(ws.cli("report", "--format", "json", "--to", "2026-08-31").stdout)
    assert before["rule_changes"] == []

    out = tmp_path / "report.html"
    assert ws.cli("report", "--format", "html", "--out", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    charts = dict(re.findall(r'<div class="chart" data-chart="([a-z-]+)">(.*?)</script>\s*</div>', page, re.S))
    for name in ("status", "bands", "tiers", "alerts"):
        assert "rules changed 2026-09-14" in charts[name], name  # the line, named, and its label
        assert json.dumps("ルール変更 09-14")[1:-1] in charts[name], name  # (Plotly's JSON escapes it)
    for name in ("completion", "due", "funnel"):
        assert "rules changed" not in charts.get(name, ""), name  # not a chart over time
    assert "rule files changed on 2026-09-14" in page
