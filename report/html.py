"""The report as one self-contained HTML file with charts (Plotly; its JavaScript embedded once, no CDN).

Plotly was chosen because it is maintained (releases every few months), ships
plotly.js inside the Python wheel so the file works offline, draws SVG that
uses the browser's fonts (Japanese labels render with any CJK system font),
and resizes its charts to the window (the 390 px phone width included).

The page embeds plotly.js's cartesian bundle (``report/vendor``: the bar, box and scatter traces the charts use,
1.5 MB) rather than the wheel's full bundle (4.8 MB, every trace type); it is the same plotly.js version as the
wheel's, which a test holds when plotly is upgraded.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from base.terminal import width
from report.model import MIN_N
from report.render import (
    ACTION_COLUMNS,
    BACKTEST_BANDS,
    BACKTEST_PARTS,
    action_cells,
    backlog_text,
    backtest_cells,
    backtest_text,
    not_applicable_text,
    pct,
    rule_change_text,
    short_history_text,
)

FONT = "'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', Meiryo, 'Noto Sans JP', sans-serif"
STATUS_ORDER = ("not_started", "on_track", "stalled", "churn_risk", "completed", "no_phases")
ChartFn = Callable[[dict[str, Any]], go.Figure]


COLOURS = {"on_track": "#2ca02c", "stalled": "#ff7f0e", "churn_risk": "#d62728", "completed": "#1f77b4",
           "not_started": "#9e9e9e", "no_phases": "#d0d0d0", "green": "#2ca02c", "yellow": "#e6b800",
           "red": "#d62728", "(none)": "#d0d0d0"}


def label(text: Any) -> str:
    """A name from the data (a segment, a status label, an alert title) as Plotly text shows it, literally.

    Plotly reads ``<a href>``, ``<span style>``, ``<b>``, ``<br>``… in trace names, axis ticks, annotations and
    hover labels as markup (plotly.js svg_text_utils: the text is split on tags, then entities are decoded), so
    a segment named ``<a href="https://attacker.example">`` would become a link in the report. Escaped, ``<``
    and ``&`` are decoded back to themselves and shown. Every string from the data goes through this; csops' own
    markup (``<br>`` and ``<extra>`` in the hover templates) does not.
    """
    return html.escape(str(text), quote=False)


def legend(text: Any, columns: int = 26) -> str:
    """A name for a legend entry or a category: :func:`label`'s literal text, broken into lines of at most
    ``columns`` terminal columns (a Japanese alert title is one long word a phone's legend cannot fit)."""
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for c in str(text):
        w = width(c)
        if used + w > columns and line:
            lines.append("".join(line))
            line, used = [], 0
        line.append(c)
        used += w
    lines.append("".join(line))
    return "<br>".join(label(part) for part in lines)


def _layout(fig: go.Figure, ytitle: str, **kw: Any) -> go.Figure:
    """Titles live in the page's headings (they wrap on a phone); the y axis says what is counted, in Japanese."""
    fig.update_layout(template="plotly_white", font={"family": FONT, "size": 13}, yaxis_title=ytitle,
                      height=380, margin={"l": 56, "r": 16, "t": 16, "b": 40},
                      legend={"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
                      autosize=True, **kw)
    return fig




def _rate_chart(rep: dict[str, Any], rows_key: str, month_key: str, hover: str) -> go.Figure:
    """Rates per segment and month, each bar with its n (hatched under MIN_N); the targets are dashed lines named in
    the legend, so their labels never overlap one another or a bar."""
    fig = go.Figure()
    rows_all = rep["completion"][rows_key]
    months = sorted({c[month_key] for c in rows_all})
    for seg in sorted({c["segment"] for c in rows_all}):
        rows = [c for c in rows_all if c["segment"] == seg]
        decided = [c["rate_n"] for c in rows]
        fig.add_bar(name=legend(seg), x=[c[month_key] for c in rows], y=[c["rate"] for c in rows],
                    text=[f"{pct(c['rate'])}<br>n={n}" for c, n in zip(rows, decided, strict=True)],
                    textposition="inside", insidetextanchor="end", textangle=0,
                    marker_pattern_shape=["/" if n < MIN_N else "" for n in decided],
                    customdata=[[c["in_window"], n] for c, n in zip(rows, decided, strict=True)],
                    hovertemplate="%{x}: %{y:.1%} (n=%{customdata[1]}; " + hover + ": %{customdata[0]})<extra>" +
                                  label(seg) + "</extra>")
    for product, rate in rep["completion"]["targets"].items():
        if months:
            fig.add_scatter(name=f"目標 {label(product)} {pct(rate)}", x=months, y=[rate] * len(months),
                            mode="lines", line={"dash": "dash", "width": 1.5}, hoverinfo="skip")
    return _layout(fig, "完了率", yaxis_tickformat=".0%", yaxis_range=[0, 1.05], barmode="group",
                   xaxis_type="category", xaxis_categoryorder="category ascending",
                   uniformtext={"minsize": 10, "mode": "hide"})


def completion_chart(rep: dict[str, Any]) -> go.Figure:
    return _rate_chart(rep, "cohorts", "cohort", "in window")


def due_chart(rep: dict[str, Any]) -> go.Figure:
    return _rate_chart(rep, "due", "due_month", "deadline on the last day, in window")


def time_to_complete_chart(rep: dict[str, Any]) -> go.Figure:
    fig = go.Figure()
    for t in rep["time_to_complete"]:
        fig.add_box(y=t["days"], name=legend(f"{t['segment']} {t['cohort']}"), boxpoints=False)
    return _layout(fig, "日数", showlegend=False)


def funnel_chart(rep: dict[str, Any]) -> go.Figure:
    lab = rep["labels"]["status"]
    fig = go.Figure()
    stages = ["received", "stalled", "churn_risk", "recovered", "churned", "still_open"]
    names = ["契約 / received", label(lab.get("stalled", "stalled")), label(lab.get("churn_risk", "churn_risk")),
             "回復 / recovered", "解約 / churned", "未解決 / open"]
    for f in rep["funnel"]:  # a funnel drawn as bars: the page's plotly.js bundle has no funnel trace
        values = [f[s] for s in stages]
        fig.add_bar(name=legend(f["segment"]), y=names, x=values, orientation="h", text=values,
                    textposition="auto")
    return _layout(fig, "", yaxis={"autorange": "reversed"})


def _stacked(rows: list[dict[str, Any]], order: list[str], labels: dict[str, str],
             colours: dict[str, str] | None = None) -> go.Figure:
    fig = go.Figure()
    keys = [k for k in order if any(k in r for r in rows)]
    keys += sorted({k for r in rows for k in r if k != "week" and k not in keys})
    for k in keys:
        fig.add_bar(name=legend(labels.get(k, k)), x=[r["week"] for r in rows], y=[r.get(k, 0) for r in rows],
                    marker_color=(colours or {}).get(k, COLOURS.get(k)))
    return _layout(fig, "アカウント数", barmode="stack")


def status_chart(rep: dict[str, Any]) -> go.Figure:
    return _stacked(rep["status_weekly"], list(STATUS_ORDER), rep["labels"]["status"])


#: Band colours from the worst band to the best, spread over as many bands as the rule file has.
BAND_SCALE = ("#d62728", "#ff7f0e", "#e6b800", "#bcbd22", "#2ca02c")


def band_colours(best_first: list[str]) -> dict[str, str]:
    """The rule file's bands (best first, as it orders them by min) coloured red for the worst to green for the
    best, whatever they are called (良好/注意/危険 as well as green/yellow/red)."""
    worst_first = list(reversed(best_first))
    if len(worst_first) < 2:
        return dict.fromkeys(worst_first, BAND_SCALE[-1])
    top = len(BAND_SCALE) - 1
    return {b: BAND_SCALE[round(i * top / (len(worst_first) - 1))] for i, b in enumerate(worst_first)}


def band_chart(rep: dict[str, Any]) -> go.Figure:
    """Bands stacked worst at the bottom, named, ordered and (where it sets them) coloured as the rule file has
    them."""
    bands = rep["labels"].get("bands") or ["green", "yellow", "red"]
    colours = {**band_colours(bands), **rep["labels"].get("band_colours", {})}
    return _stacked(rep["band_weekly"], list(reversed(bands)), {"(none)": "スコアなし"}, colours)


def tier_chart(rep: dict[str, Any]) -> go.Figure:
    fig = go.Figure()
    for tier in sorted({t["tier"] for t in rep["tier_trend"]}):
        rows = [t for t in rep["tier_trend"] if t["tier"] == tier]
        fig.add_scatter(name=legend(tier), x=[r["week"] for r in rows], y=[r["mean_score"] for r in rows], mode="lines")
    return _layout(fig, "平均スコア")


def alerts_chart(rep: dict[str, Any]) -> go.Figure:
    titles = {t["alert"]: t["title"] for t in rep["alerts"]["time_to_resolve"]}
    fig = go.Figure()
    for alert in sorted({w["alert"] for w in rep["alerts"]["weekly"]}):
        rows = [w for w in rep["alerts"]["weekly"] if w["alert"] == alert]
        fig.add_bar(name=legend(titles.get(alert, alert)), x=[r["week"] for r in rows], y=[r["raised"] for r in rows])
    return _layout(fig, "件数", barmode="stack")


def nps_chart(rep: dict[str, Any]) -> go.Figure:
    fig = go.Figure()
    for seg in sorted({n["segment"] for n in rep["nps"]}):
        rows = [n for n in rep["nps"] if n["segment"] == seg]
        fig.add_scatter(name=legend(seg), x=[r["month"] for r in rows], y=[r["nps"] for r in rows],
                        mode="lines+markers",
                        customdata=[[r["promoters"], r["passives"], r["detractors"], r["n"]] for r in rows],
                        hovertemplate="NPS %{y:+.2f}<br>推奨者 %{customdata[0]}% / 中立者 %{customdata[1]}% / "
                                      "批判者 %{customdata[2]}% (n=%{customdata[3]})")
    return _layout(fig, "NPS", yaxis_range=[-100, 100], xaxis_type="category", xaxis_categoryorder="category ascending")


#: The charts over time: each marks the days the rule files changed.
TIME_CHARTS = ("status", "bands", "tiers", "alerts", "nps")
RULE_CHANGE = "ルール変更 / rules changed"


def mark_rule_changes(fig: go.Figure, days: list[str], monthly: bool = False) -> None:
    """A dotted line on each day a sync first ran with changed rule files (on its month for a monthly chart),
    named at the top of the plot (under the legend)."""
    for day in days:
        x = day[:7] if monthly else day
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line={"dash": "dot", "color": "#555"},
                      name=f"rules changed {day}")
        fig.add_annotation(x=x, y=1, yref="paper", yanchor="top", xanchor="left", showarrow=False, font={"size": 10},
                           bgcolor="rgba(255,255,255,0.8)",
                           text=f"{RULE_CHANGE.split(' / ')[0]} {day[5:]}", hovertext=f"rules changed {day}")


def _has(*keys: str) -> Callable[[dict[str, Any]], bool]:
    """Whether the report has rows under this path (``"completion", "cohorts"``)."""
    def check(rep: dict[str, Any]) -> bool:
        value: Any = rep
        for k in keys:
            value = value[k]
        return bool(value)
    return check


ChartSpec = tuple[str, str, ChartFn, Callable[[dict[str, Any]], bool], str]

#: (name, heading, chart, has data, what to say when it has none: what feeds the panel)
CHARTS: list[ChartSpec] = [
    ("completion", "期間内オンボ完了率（開始月コホート、点線は目標） / completion within target", completion_chart,
     _has("completion", "cohorts"),
     "データなし: 期間内に開始したオンボーディングがありません（開始日は onboarding.start の事実から、状態は "
     "csops sync の履歴から） / no data: no onboarding started in the period"),
    ("due", "期限月別の期限内完了率（期限が期間内のアカウント） / completed by the deadline, by due month", due_chart,
     _has("completion", "due"),
     "データなし: 期限が期間内のオンボーディングがありません / no data: no deadline in the period"),
    ("time-to-complete", "完了までの日数 / days to complete", time_to_complete_chart, _has("time_to_complete"),
     "データなし: 期間内に完了日のわかる完了がありません（履歴が短いときは completed_on の事実を設定） / no data: "
     "no completion with a known date yet"),
    ("funnel", "ファネル / funnel", funnel_chart, _has("funnel"),
     "データなし: 期間内に開始したオンボーディングがありません / no data: no onboarding started in the period"),
    ("status", "ステータス別アカウント数（各週末） / status per week", status_chart, _has("status_weekly"),
     "データなし: csops sync の履歴がまだありません / no data: run csops sync"),
    ("bands", "ヘルス帯の推移 / health bands per week", band_chart, _has("band_weekly"),
     "データなし: csops sync の履歴がまだありません / no data: run csops sync"),
    ("tiers", "ティア別ヘルススコア平均 / mean health score per tier", tier_chart, _has("tier_trend"),
     "データなし: ヘルススコアかティア（ルールファイルの health: と tiers:）がまだありません / no data: no health "
     "score or tier in the history"),
    ("alerts", "週ごとの新規アラート / alerts raised per week", alerts_chart, _has("alerts", "weekly"),
     "データなし: 期間内に上がったアラートはありません（ルールファイルの alerts:） / no data: no alert raised in the "
     "period"),
    ("nps", "NPS（推奨者% − 批判者%） / NPS per month", nps_chart, _has("nps"),
     "データなし: NPS の回答がまだありません — csops nps import FILE.csv または csops nps pull で取り込みます / "
     "no data yet: import answers with csops nps import or csops nps pull"),
]

#: What every csops HTML page shares (the report, the replay): one offline file with Plotly inlined, no chart toolbar
#: over the plots on a phone or on paper, tables that scroll sideways rather than overflow.
_HEAD = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: {font}; margin: 0 auto; padding: 12px; max-width: 1200px; color: #222; }}
h1 {{ font-size: 1.3rem; }} h2 {{ font-size: 1rem; margin: 16px 0 0; }}
.chart {{ width: 100%; min-height: 380px; margin: 8px 0 24px; overflow: hidden; }}
table {{ border-collapse: collapse; font-size: .85rem; }} td, th {{ padding: 2px 8px; text-align: right; }}
.scroll {{ overflow-x: auto; max-width: 100%; }} p.note {{ color: #555; font-size: .85rem; }}
@media (max-width: 700px) {{
  .modebar-container {{ display: none !important; }}
  body {{ padding: 8px; }} table {{ font-size: .8rem; }}
}}
@media print {{
  .modebar-container {{ display: none !important; }}
  body {{ max-width: none; }} .chart, table, h2 {{ break-inside: avoid; }}
  .scroll {{ overflow: visible; }}
}}
{css}</style>
<script>{plotly}</script>
</head><body>
<h1>{title}</h1>
<p class="note">{note}</p>
"""


#: plotly.js with the trace types the charts use (npm plotly.js-cartesian-dist-min, MIT: vendor/plotly.js-LICENSE).
PLOTLY_BUNDLE = Path(__file__).parent / "vendor" / "plotly-cartesian.min.js"
#: The trace types the bundle holds (its README); a chart may use only these.
BUNDLE_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
                           "image", "pie", "scatter", "scatterternary", "violin"})


@cache
def plotly_js() -> str:
    return PLOTLY_BUNDLE.read_text(encoding="utf-8")


def page(title: str, note_html: str, css: str, body: str) -> str:
    """A whole page: the shared head with ``css`` added, the title, the note (HTML, escaped by the caller), ``body``."""
    return (_HEAD.format(title=html.escape(title), font=FONT, plotly=plotly_js(), note=note_html, css=css)
            + body + "</body></html>\n")


_CSS = """.chart.empty { min-height: 0; }
p.no-data { color: #555; background: #f4f4f4; padding: 12px; margin: 8px 0 24px; }
table.actions td, table.actions th { text-align: left; white-space: nowrap; border-bottom: 1px solid #eee; }
table.actions td:nth-child(n+7):nth-child(-n+10) { text-align: right; }
table.actions th { cursor: pointer; user-select: none; }
table.actions tr.churn_risk td:first-child { color: #d62728; font-weight: bold; }
table.actions tr.stalled td:first-child { color: #c05a00; }
"""

_BODY = """<h2>対応リスト（解約見込・オンボ滞留・フェーズ期限超過） / action list</h2>
{actions}
{charts}
<h2>ヘルススコアの検証（90日以内の解約見込・解約） / health score backtest</h2>
{backtest}
<h2>NPS（調査ごと・期間全体） / NPS per survey and over the period</h2>
<div class="scroll">{nps}</div>
<h2>期間中にヘルススコアが最も下がったアカウント</h2>
<div class="scroll">{falls}</div>
<script>{sort_js}</script>
"""

#: Click a column's heading to sort the action list by it (the number columns by the number their text shows,
#: "–" lowest; text by Japanese collation). The numbers are read from the cells' text, not kept beside it: a list
#: of 10,000 accounts carries no copy of them.
SORT_JS = """
const NUMERIC = [NUMERIC];
document.querySelectorAll('table.actions th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const down = th.dataset.dir !== 'desc';
  th.dataset.dir = down ? 'desc' : 'asc';
  const key = tr => {
    const text = tr.cells[col].textContent;
    if (!NUMERIC.includes(col)) return text;
    return text === '–' ? -1e9 : Number(text.replace(/[,+≥]/g, ''));
  };
  const rows = [...body.rows].sort((a, b) => {
    const x = key(a), y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'ja');
    return down ? -c : c;
  });
  rows.forEach(r => body.appendChild(r));
}));
"""

NUMERIC = (6, 7, 8, 9)  # overdue, in status, health, 30d change: sorted by number, aligned right
SORT_JS = SORT_JS.replace("[NUMERIC]", str(list(NUMERIC)))


def _actions_table(rep: dict[str, Any]) -> str:
    """The action list, sortable by any column; the account's name links to Salesforce when a URL is set."""
    actions = rep["action_list"]["accounts"]
    if not actions:
        return '<p class="no-data">対応が必要なアカウントはありません / no account is 滞留, 解約見込 or overdue</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ACTION_COLUMNS)
    rows = []
    for a in actions:
        tds = []
        for i, cell in enumerate(action_cells(a)):
            text = html.escape("–" if cell is None else f"{cell:,}" if isinstance(cell, int | float) else str(cell))
            if i == 2 and a["url"]:
                text = f'<a href="{html.escape(a["url"], quote=True)}">{text}</a>'
            tds.append(f"<td>{text}</td>")
        rows.append(f'<tr class="{html.escape(a["status"])}">{"".join(tds)}</tr>')
    return (f'<p class="note">{len(actions):,} accounts as of {html.escape(rep["action_list"]["as_of"] or "")}; '
            f'click a heading to sort</p><div class="scroll"><table class="actions"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def backtest_html(bt: dict[str, Any]) -> str:
    """The backtest's bands, then its components' levels, each row with its n (share and lift "–" below MIN_N)."""
    note = f'<p class="note">{html.escape(backtest_text(bt))}</p>'
    if not bt["days"]:
        return note.replace('class="note"', 'class="no-data"')

    def rows(head: tuple[str, ...], values: list[list[Any]]) -> str:
        cells = ["".join(f"<td>{html.escape('–' if v is None else f'{v:,}' if isinstance(v, int) else str(v))}</td>"
                         for v in row) for row in values]
        return (f'<table class="backtest"><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr>'
                + "".join(f"<tr>{c}</tr>" for c in cells) + "</table>")

    return (note + '<div class="scroll">' + rows(BACKTEST_BANDS, [[b["band"], *backtest_cells(b)] for b in bt["bands"]])
            + rows(BACKTEST_PARTS, [[c["name"], c["level"], *backtest_cells(c)] for c in bt["components"]]) + "</div>")


def _falls_table(rep: dict[str, Any]) -> str:
    if not rep["score_falls"]:
        return ('<p class="no-data">データなし: 期間中にヘルススコアが下がったアカウントはありません'
                '（スコアはルールファイルの health: から） / no data: no health score fell in the period</p>')
    rows = "".join(f"<tr><td>{html.escape(f['account_id'])}</td><td>{html.escape(f['name'] or '')}</td>"
                   f"<td>{f['from']}</td><td>{f['to']}</td><td>{f['change']}</td></tr>" for f in rep["score_falls"])
    return f"<table><tr><th>account</th><th>name</th><th>from</th><th>to</th><th>change</th></tr>{rows}</table>"


def _nps_table(rep: dict[str, Any]) -> str:
    """The period's NPS per segment, then each survey's (its answers in the period)."""
    if not rep["nps_period"] and not rep["nps_surveys"]:
        return ('<p class="no-data">データなし: NPS の回答がまだありません — csops nps import FILE.csv または '
                'csops nps pull で取り込みます / no data yet: csops nps import or csops nps pull</p>')

    def cells(values: list[Any]) -> str:
        return "".join(f"<td>{html.escape('–' if v is None else str(v))}</td>" for v in values)

    shares = ("n", "nps", "promoters", "passives", "detractors")
    rows = [cells([n["segment"], "期間全体 / whole period", f"{n['from']} – {n['to']}", *(n[k] for k in shares), None])
            for n in rep["nps_period"]]
    rows += [cells([n["segment"], n["survey"], f"{n['first']} – {n['last']}", *(n[k] for k in shares),
                    n["outside_period"]]) for n in rep["nps_surveys"]]
    head = "".join(f"<th>{h}</th>" for h in ("segment", "survey", "answered", "n", "NPS", "推奨者 %", "中立者 %",
                                             "批判者 %", "outside the period"))
    return f"<table><tr>{head}</tr>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def as_html(rep: dict[str, Any]) -> str:
    parts = []
    for name, heading, make, has_data, empty in CHARTS:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if not has_data(rep):
            parts.append(f'<div class="chart empty" data-chart="{name}"><p class="no-data">{html.escape(empty)}</p>'
                         "</div>")
            continue
        if name == "alerts" and (backlog := backlog_text(rep)):
            parts.append(f'<p class="note">{html.escape(backlog)}</p>')
        fig = make(rep)
        if name in TIME_CHARTS:
            mark_rule_changes(fig, rep["rule_changes"], monthly=name == "nps")
        parts.append(f'<div class="chart" data-chart="{name}">' + fig.to_html(
            full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
            config={"responsive": True, "displaylogo": False}) + "</div>")
    src = rep["completion"]["date_sources"]
    note = (f"{rep['accounts']:,} accounts{' by ' + html.escape(rep['by']) if rep['by'] else ''}; completion dates: "
            f"{src['history']} from history, {src['fact']} from the completed_on fact, {src['unknown']} unknown."
            + (f" {html.escape(text)}." if (text := not_applicable_text(rep["completion"])) else "")
            + (f" <strong>{html.escape(short)}.</strong>" if (short := short_history_text(rep["completion"])) else "")
            + (f" {html.escape(changed)} (dotted lines on the charts)." if (changed := rule_change_text(rep)) else ""))
    title = f"csops レポート {rep['period']['from']} – {rep['period']['to']}"
    return page(title, note, _CSS, _BODY.format(
        actions=_actions_table(rep), charts="\n".join(parts), nps=_nps_table(rep), falls=_falls_table(rep),
        backtest=backtest_html(rep["backtest"]), sort_js=SORT_JS))
