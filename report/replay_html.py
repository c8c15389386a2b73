"""``csops rules replay --format html``: the replay as one offline file, like the report (Plotly embedded once)."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from report.html import _layout, backtest_html, label, page
from report.replay import METRICS

#: What each weekly figure is called on the page (Japanese / English, as the report's headings).
NAMES = {"status_changes": "ステータス変化 / status changes", "band_changes": "ヘルス帯変化 / band changes",
         "alerts_raised": "新規アラート / alerts raised", "slack_messages": "Slack メッセージ / Slack messages",
         "tasks_created": "作成される ToDo / Tasks created", "tasks_completed": "完了される ToDo / Tasks completed"}

_CSS = """td:first-child, th:first-child { text-align: left; } tr.differs td { background: #fff4d6; }
p.no-data { color: #555; font-size: .85rem; }
"""

_BODY = """<h2>週ごとの比較（現行 → 提案） / per week, current → proposed</h2>
<div class="scroll">{weeks}</div>
{charts}
<h2>ヘルススコアの検証：現行ルール / health score backtest, current rules</h2>
{backtest_current}
<h2>ヘルススコアの検証：提案ルール / health score backtest, proposed rules</h2>
{backtest_proposed}
"""


def _weeks_table(result: dict[str, Any]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ("week", *(NAMES[m] for m in METRICS),
                                                           "alerts by id (proposed − current)"))
    rows = []
    for w in result["weeks"]:
        cur, new, diff = w["current"], w["proposed"], w["difference"]
        cells = [w["week"], *(f"{cur[m]} → {new[m]}" if diff[m] else str(cur[m]) for m in METRICS),
                 ", ".join(f"{k} {v:+d}" for k, v in diff["alerts"].items())]
        differs = any(diff[m] for m in METRICS) or diff["alerts"]
        rows.append(f'<tr{" class=differs" if differs else ""}>'
                    + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _chart(result: dict[str, Any], metric: str) -> str:
    weeks = [w["week"] for w in result["weeks"]]
    fig = go.Figure()
    for side, dash in (("current", "solid"), ("proposed", "dash")):
        fig.add_trace(go.Scatter(x=weeks, y=[w[side][metric] for w in result["weeks"]], name=label(side),
                                 mode="lines+markers", line={"dash": dash}))
    _layout(fig, NAMES[metric].split(" / ")[0], xaxis_type="category")
    name = metric.replace("_", "-")
    return (f"<h2>{html.escape(NAMES[metric])}</h2>" + f'<div class="chart" data-chart="{name}">'
            + fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
                          config={"responsive": True, "displaylogo": False}) + "</div>")


def as_html(result: dict[str, Any]) -> str:
    """The weeks as a table (the weeks that differ marked), a chart per figure, and each rule set's backtest."""
    rules = result["rules"]
    note = (f"{result['accounts']:,} accounts, {result['from']} – {result['to']}; current "
            f"{', '.join(rules['current'])} vs proposed {', '.join(rules['proposed'])}; "
            + (f"{result['weeks_changed']} of {len(result['weeks'])} weeks differ" if result["weeks_changed"]
               else "no difference: the proposed rules do what the current ones do over this history")
            + ". Nothing was written and no API was called.")
    title = f"csops rules replay {result['from']} – {result['to']}"
    return page(title, html.escape(note), _CSS, _BODY.format(
                       weeks=_weeks_table(result),
                       charts="\n".join(_chart(result, m) for m in ("alerts_raised", "slack_messages",
                                                                    "tasks_created")),
                       backtest_current=backtest_html(result["backtest"]["current"]),
                       backtest_proposed=backtest_html(result["backtest"]["proposed"])))
