"""The health score's backtest through ``csops report``, over a history real syncs wrote, against a second
computation written here from the issue's words: "for each band (and each component), the share of accounts in it
on day T that churned (or went 解約見込) within the next 90 days, with the lift over the base rate and the n"."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import Workspace
from tests.report.helpers import grow_history


def naive_backtest(rows: list[tuple[Any, ...]], first: date, end: date) -> dict[str, Any]:
    """Day by day, account by account, straight from the account_history rows: no shared code with report/."""
    by_account: dict[str, list[tuple[date, str, str, Any, str]]] = defaultdict(list)
    for account_id, day, status, band, components, gone in rows:
        by_account[account_id].append((date.fromisoformat(day), status, band, components, gone))
    days = []
    t = first
    while (t + timedelta(days=90)) <= end:
        days.append(t)
        t += timedelta(days=7)
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0])  # key → [n, events]
    accounts: dict[Any, set[str]] = defaultdict(set)
    for account_id, points in by_account.items():
        for t in days:
            on_t = [p for p in points if p[0] <= t]
            if not on_t:
                continue
            _, status, band, components, gone = on_t[-1]
            if gone is not None or status == "churn_risk":
                continue  # gone, or already 解約見込: cannot go there within the next 90 days
            event = any(t < p[0] <= t + timedelta(days=90) and (p[1] == "churn_risk" or p[4] == "churned")
                        for p in points)
            keys = ["all", ("band", band or "(none)")]
            for cid, score in json.loads(components or "{}").items():
                lv = "(missing)" if score is None else "low" if score < 1 / 3 else "mid" if score < 2 / 3 else "high"
                keys.append(("component", cid, lv))
            for key in keys:
                counts[key][0] += 1
                counts[key][1] += event
                accounts[key].add(account_id)
    n_all, e_all = counts["all"]
    base = e_all / n_all
    return {key: {"n": n, "events": e, "accounts": len(accounts[key]), "share": round(e / n, 4),
                  "lift": round((e / n) / base, 2) if base else None} for key, (n, e) in counts.items()}


@pytest.fixture
def history(ws: Workspace) -> Workspace:
    grow_history(ws)  # monthly syncs 2026-06-01 … 2026-11-23: accounts progress, some fall behind
    return ws


def test_the_report_backtest_matches_a_naive_computation(history: Workspace) -> None:
    rep = json.loads(history.cli("report", "--format", "json").stdout)
    bt = rep["backtest"]
    rows = history.store_rows("SELECT account_id, day, status, health_band, components, gone FROM account_history "
                              "ORDER BY account_id, day")
    first = max(date.fromisoformat(rep["period"]["from"]), min(date.fromisoformat(r[1]) for r in rows))
    want = naive_backtest(rows, first, date.fromisoformat(rep["period"]["to"]))
    assert bt["horizon_days"] == 90 and bt["first"] == first.isoformat()
    assert (bt["observations"], bt["events"], bt["accounts"]) == (want["all"]["n"], want["all"]["events"],
                                                                  want["all"]["accounts"])
    assert bt["base_rate"] == round(want["all"]["events"] / want["all"]["n"], 4)
    got_bands = {("band", b["band"]): {k: b[k] for k in ("n", "events", "accounts", "share", "lift")}
                 for b in bt["bands"]}
    assert got_bands == {k: v for k, v in want.items() if k[0] == "band"}
    got_parts = {("component", c["component"], c["level"]): {k: c[k] for k in ("n", "events", "accounts", "share",
                                                                               "lift")} for c in bt["components"]}
    assert got_parts == {k: v for k, v in want.items() if k[0] == "component"}
    # not vacuous: some accounts went 解約見込 after a day T, in more than one band, and every component is there
    assert bt["events"] > 0 and len([b for b in bt["bands"] if b["n"]]) >= 2
    assert {c["component"] for c in bt["components"]} == {"end_users", "admins", "support"}
    assert [b["band"] for b in bt["bands"]] == sorted((b["band"] for b in bt["bands"]),
                                                      key=["red", "yellow", "green", "(none)"].index)


def test_the_backtest_in_table_csv_and_html(history: Workspace, tmp_path: Any) -> None:
    rep = json.loads(history.cli("report", "--format", "json").stdout)
    red = next(b for b in rep["backtest"]["bands"] if b["band"] == "red")
    table = history.cli("report").stdout
    assert "Health score backtest" in table and f"base rate {100 * rep['backtest']['base_rate']:.1f}%" in table
    csv = history.cli("report", "--format", "csv").stdout
    assert f"backtest_band,all,red,n,{red['n']}" in csv
    assert "backtest_component,all,end_users/low,n," in csv
    out = tmp_path / "r.html"
    assert history.cli("report", "--format", "html", "--out", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert 'class="backtest"' in page and "エンドユーザー利用" in page


def test_a_history_shorter_than_the_horizon_has_no_backtest_and_says_so(ws: Workspace) -> None:
    grow_history(ws, ("2026-10-05", "2026-11-23"))
    rep = json.loads(ws.cli("report", "--format", "json").stdout)
    assert rep["backtest"]["days"] == [] and rep["backtest"]["bands"] == []
    assert "no backtest yet: it needs a day followed by 90 days of history" in ws.cli("report").stdout
