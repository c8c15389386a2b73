"""``csops rules replay --format html``: the replay as one offline file, like the report (Plotly embedded once)."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from report.html import FONT, _layout, backtest_html, label
from report.replay import METRICS

#: What each weekly figure is called on the page (Japanese / English, as the report's headings).
NAMES = {"status_changes": "ステータス変化 / status changes", "band_changes": "ヘルス帯変化 / band changes",
         "alerts_raised": "新規アラート / alerts raised", "slack_messages": "Slack メッセージ / Slack messages",
         "tasks_created": "作成される ToDo / Tasks created", "tasks_completed": "完了される ToDo / Tasks completed"}

PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: {font}; margin: 0 auto; padding: 12px; max-width: 1200px; color: #222; }}
h1 {{ font-size: 1.3rem; }} h2 {{ font-size: 1rem; margin: 16px 0 0; }}
.chart {{ width: 100%; min-height: 380px; margin: 8px 0 24px; overflow: hidden; }}
table {{ border-collapse: collapse; font-size: .85rem; }} td, th {{ padding: 2px 8px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }} tr.differs td {{ background: #fff4d6; }}
.scroll {{ overflow-x: auto; max-width: 100%; }} p.note, p.no-data {{ color: #555; font-size: .85rem; }}
@media (max-width: 700px) {{ .modebar-container {{ display: none !important; }} body {{ padding: 8px; }} }}
@media print {{ .modebar-container {{ display: none !important; }} .scroll {{ overflow: visible; }} }}
</style>
<script>{plotly}</script>
</head><body>
<h1>{title}</h1>
<p class="note">{note}</p>
<h2>週ごとの比較（現行 → 提案） / per week, current → proposed</h2>
<div class="scroll">{weeks}</div>
{charts}
<h2>ヘルススコアの検証：現行ルール / health score backtest, current rules</h2>
{backtest_current}
<h2>ヘルススコアの検証：提案ルール / health score backtest, proposed rules</h2>
{backtest_proposed}
</body></html>
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
    return PAGE.format(title=html.escape(title), font=FONT, plotly=get_plotlyjs(), note=html.escape(note),
                       weeks=_weeks_table(result),
                       charts="\n".join(_chart(result, m) for m in ("alerts_raised", "slack_messages",
                                                                    "tasks_created")),
                       backtest_current=backtest_html(result["backtest"]["current"]),
                       backtest_proposed=backtest_html(result["backtest"]["proposed"]))
