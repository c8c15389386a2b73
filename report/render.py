"""The report as a terminal table, CSV (one value per row) or JSON."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from base import terminal
from base.csvfile import SpreadsheetWriter
from report.model import MIN_N

KEYS = ("cohort", "due_month", "phase", "week", "month", "survey", "alert", "tier")


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] | None = None) -> list[str]:
    """Numbers right-aligned under their headers, the first column (segment names: remote data) left
    (``right``: the columns to right-align, when not every one after the first)."""
    return terminal.table([list(headers), *([_cell(v) for v in row] for row in rows)],
                          right=range(1, len(headers)) if right is None else right).split("\n")


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def as_table(rep: dict[str, Any]) -> str:
    labels = rep["labels"]["status"]
    lab = lambda s: labels.get(s, s)  # noqa: E731
    comp = rep["completion"]
    targets = comp["targets"]
    out = [f"csops report {rep['period']['from']} – {rep['period']['to']}"
           f"{'  by ' + rep['by'] if rep['by'] else ''}  ({rep['accounts']:,} accounts)", "",
           *_actions(rep), *rule_change_lines(rep), "",
           "Onboarding completed within the target days, by start-month cohort"]
    out += table(["segment", "cohort", "received", "within", "failed", "in window", "rate", "target"],
                 [(c["segment"], c["cohort"], c["received"], c["within"], c["failed"], c["in_window"],
                   pct(c["rate"]), pct(targets.get(c["segment"])) if c["segment"] in targets else "")
                  for c in comp["cohorts"]])
    out += _not_applicable(comp)
    out += ["", "Onboarding due in the period: completed by the deadline, by the month the deadline falls in"]
    out += table(["segment", "due month", "due", "on time", "failed", "churned", "in window", "rate", "target"],
                 [(c["segment"], c["due_month"], c["due"], c["on_time"], c["failed"], c["churned"], c["in_window"],
                   pct(c["rate"]), pct(targets.get(c["segment"])) if c["segment"] in targets else "")
                  for c in comp["due"]])
    src = comp["date_sources"]
    out += [f"completion dates: {src['history']} from history, {src['fact']} from the completed_on fact, "
            f"{src['unknown']} unknown (not counted)"]
    out += textwrap.wrap(f"note: {text}", 118, subsequent_indent="  ") if (text := short_history_text(comp)) else []
    out += ["", "Days to complete"]
    out += table(["segment", "cohort", "n", "median", "p75", "p90"],
                 [(t["segment"], t["cohort"], t["n"], t["median"], t["p75"], t["p90"])
                  for t in rep["time_to_complete"]])
    out += ["", "Days in each phase"]
    out += table(["segment", "phase", "n", "median", "p75", "p90"],
                 [(t["segment"], t["phase_name"], t["n"], t["median"], t["p75"], t["p90"])
                  for t in rep["time_in_phase"]])
    out += ["", f"Funnel (recovered = back to {lab('on_track')} or {lab('completed')}; "
                f"recovery within {rep['recovery_days']} days)"]
    out += table(["segment", "received", lab("stalled"), lab("churn_risk"), "recovered", "churned", "open",
                  f"{lab('stalled')}→", f"{lab('churn_risk')}→"],
                 [(f["segment"], f["received"], f["stalled"], f["churn_risk"], f["recovered"], f["churned"],
                   f["still_open"], pct(f["stalled_recovery_rate"]), pct(f["churn_risk_recovery_rate"]))
                  for f in rep["funnel"]])
    out += _health(rep) + _backtest(rep["backtest"]) + _alerts(rep) + _nps(rep)
    return "\n".join(out) + "\n"


ACTION_COLUMNS = ("status", "account", "name", "owner", "product", "phase", "overdue", "in status", "health",
                  "30d change", "open alerts")
#: The terminal's columns (fit 120): the name stands for the account (its Id when it has none), alerts counted.
TERMINAL_ACTIONS = ("status", "account", "owner", "product", "phase", "overdue", "in status", "health", "30d",
                    "alerts")


def action_cells(a: dict[str, Any]) -> list[Any]:
    """One action-list row as the HTML shows it (ACTION_COLUMNS); days in status marked ≥ when the account was in
    it on history's first day."""
    in_status = a["days_in_status"]
    change = a["health_change_30d"]
    return [a["status_label"], a["account_id"], a["name"] or "", a["owner"] or "", a["product"] or "",
            a["phase"] or "", a["days_overdue"],
            None if in_status is None else f"{'≥' if a['days_in_status_at_least'] else ''}{in_status:,}",
            a["health_score"], None if change is None else f"{change:+.1f}", ", ".join(a["open_alerts"])]


def _actions(rep: dict[str, Any]) -> list[str]:
    actions = rep["action_list"]
    if not actions["accounts"]:
        return ["Action list: no account is 滞留, 解約見込 or overdue in a phase"]
    out = [f"Action list as of {actions['as_of']}: {len(actions['accounts']):,} accounts "
           "(解約見込, 滞留 or overdue in a phase; worst first)"]
    rows = []
    for a in actions["accounts"]:
        cells = action_cells(a)
        rows.append([cells[0], terminal.clip(a["name"] or a["account_id"], 24), terminal.clip(cells[3], 14),
                     terminal.clip(cells[4], 12), terminal.clip(cells[5], 16), *cells[6:10], len(a["open_alerts"])])
    return out + table(TERMINAL_ACTIONS, rows, right=(5, 6, 7, 8, 9))


def rule_change_text(rep: dict[str, Any]) -> str:
    """The days in the period a sync first ran with changed rule files (empty when none)."""
    days = rep.get("rule_changes") or []
    return f"rule files changed on {', '.join(days)}: figures before and after are not alike" if days else ""


def rule_change_lines(rep: dict[str, Any]) -> list[str]:
    return ["", text] if (text := rule_change_text(rep)) else []


def _nps_figures(n: dict[str, Any]) -> list[Any]:
    """Answers, NPS with its sign and the three shares, to two decimals as the README's example gives them."""
    return [n["n"], *("–" if n[k] is None else f"{n[k]:+.2f}" if k == "nps" else f"{n[k]:.2f}"
                      for k in ("nps", "promoters", "passives", "detractors"))]


def _nps(rep: dict[str, Any]) -> list[str]:
    shares = ["answers", "NPS", "9–10 %", "7–8 %", "0–6 %"]  # promoters, passives, detractors
    out = ["", "NPS = % promoters (9–10) − % detractors (0–6), in the period"]
    out += table(["segment", *shares], [(n["segment"], *_nps_figures(n)) for n in rep["nps_period"]])
    out += ["", "NPS per survey (its answers in the period; outside: answers the period leaves out)"]
    out += table(["segment", "survey", "first", "last", *shares, "outside"],
                 [(n["segment"], n["survey"], n["first"], n["last"], *_nps_figures(n), n["outside_period"])
                  for n in rep["nps_surveys"]])
    out += ["", "NPS per month"]
    out += table(["segment", "month", *shares], [(n["segment"], n["month"], *_nps_figures(n)) for n in rep["nps"]])
    return out


def short_history_text(comp: dict[str, Any]) -> str:
    """The first-run warning: completion dates come only from a history shorter than the target days."""
    short = comp.get("short_history")
    if not short:
        return ""
    return (f"history starts {short['history_from']}, {short['history_days']} days before the period's end: shorter "
            f"than the {short['target_days']} target days, so accounts that completed before it have no completion "
            f"date ({short['dates_unknown']} left out of the rate) and the rate reads low. Map the completed_on fact "
            "(onboarding.completed_on: a date fact such as the go-live date) in the rule file to date them")


def not_applicable_text(comp: dict[str, Any]) -> str:
    """対象外: onboardings whose product has no phases, left out of every rate (empty when there are none)."""
    rows = comp["not_applicable"]
    if not rows:
        return ""
    listed = ", ".join(f"{r['segment']} {r['accounts']:,}" for r in rows)
    return f"not counted (product without phases, 対象外): {listed}"


def _not_applicable(comp: dict[str, Any]) -> list[str]:
    text = not_applicable_text(comp)
    return [text] if text else []


def _health(rep: dict[str, Any]) -> list[str]:
    out = ["", "Health bands at the end of the period"]
    last = rep["band_weekly"][-1] if rep["band_weekly"] else {}
    out += table(["band", "accounts"], [(k, v) for k, v in last.items() if k != "week"])
    out += ["", "Health score fell most"]
    out += table(["account", "name", "from", "to", "change"],
                 [(f["account_id"], f["name"] or "", f["from"], f["to"], f["change"]) for f in rep["score_falls"]])
    return out


BACKTEST_BANDS = ("band", "n", "accounts", "events", "share", "lift")
BACKTEST_PARTS = ("component", "level", "n", "accounts", "events", "share", "lift")


def backtest_text(bt: dict[str, Any]) -> str:
    """What the backtest counts, over which days (or why it has none: too short a history)."""
    h = bt["horizon_days"]
    if not bt["days"]:
        return (f"no backtest yet: it needs a day followed by {h} days of history inside the period; make the period "
                f"longer (--from) or let the history grow")
    return (f"of the accounts in a band (or a component's level) on a day, the share that went 解約見込 or churned "
            f"within the next {h} days, and its lift over the base rate; days {bt['first']} – {bt['last']} every 7 "
            f"days ({len(bt['days'])}), {bt['observations']:,} observations of {bt['accounts']:,} accounts (not "
            f"already 解約見込), {bt['events']:,} events, base rate {pct(bt['base_rate'])}; "
            f"share and lift – below n = {MIN_N}")


def backtest_cells(row: dict[str, Any]) -> list[Any]:
    """n, accounts, events, share and lift of one row, share and lift "–" below MIN_N."""
    few = row["n"] < MIN_N
    return [row["n"], row["accounts"], row["events"], "–" if few else pct(row["share"]),
            "–" if few or row["lift"] is None else f"{row['lift']:.2f}×"]


def _backtest(bt: dict[str, Any]) -> list[str]:
    out = ["", "Health score backtest"]
    out += textwrap.wrap(backtest_text(bt), 118, subsequent_indent="  ")
    if not bt["days"]:
        return out
    out += table(BACKTEST_BANDS, [(b["band"], *backtest_cells(b)) for b in bt["bands"]])
    out.append("")
    out += table(BACKTEST_PARTS, [(c["name"], c["level"], *backtest_cells(c)) for c in bt["components"]],
                 right=range(2, len(BACKTEST_PARTS)))
    return out


def _alerts(rep: dict[str, Any]) -> list[str]:
    raised: dict[str, int] = {}
    for w in rep["alerts"]["weekly"]:
        raised[w["alert"]] = raised.get(w["alert"], 0) + w["raised"]
    out = ["", "Alerts in the period"]
    out += table(["alert", "raised", "resolved", "median days"],
                 [(t["title"], raised.get(t["alert"], 0), t["resolved"], t["median_days"])
                  for t in rep["alerts"]["time_to_resolve"]])
    out += [text] if (text := backlog_text(rep)) else []
    return out


def backlog_text(rep: dict[str, Any]) -> str:
    """The alerts already raised on the first sync: the backlog, not that week's alerts (empty when none)."""
    backlog = rep["alerts"]["backlog"]
    if not backlog["total"]:
        return ""
    return (f"already raised on the first sync ({backlog['day']}): {backlog['total']:,} alerts, counted apart "
            "(the backlog, not that week's alerts)")


def as_json(rep: dict[str, Any]) -> str:
    return json.dumps(rep, ensure_ascii=False, indent=2) + "\n"


def _backtest_csv(w: SpreadsheetWriter, bt: dict[str, Any]) -> None:
    """backtest_band rows keyed by band, backtest_component rows by component/level."""
    keyed = [("backtest_band", b["band"], b) for b in bt["bands"]]
    keyed += [("backtest_component", f"{c['component']}/{c['level']}", c) for c in bt["components"]]
    for section, key, row in keyed:
        for metric in ("n", "accounts", "events", "share", "lift"):
            if row[metric] is not None:
                w.writerow([section, "all", key, metric, row[metric]])


SECTIONS = ("time_to_complete", "time_in_phase", "funnel", "status_weekly", "band_weekly", "tier_trend",
            "score_falls", "nps", "nps_surveys", "nps_period")


def as_csv(rep: dict[str, Any]) -> str:
    """section, segment, key, metric, value: one number per row, for a spreadsheet's pivot table."""
    buf = io.StringIO()
    w = SpreadsheetWriter(buf)
    w.writerow(["section", "segment", "key", "metric", "value"])
    sections: list[tuple[str, list[dict[str, Any]]]] = [("completion", rep["completion"]["cohorts"]),
                                                         ("completion_due", rep["completion"]["due"]),
                                                         ("not_applicable", rep["completion"]["not_applicable"])]
    sections += [(s, rep[s]) for s in SECTIONS]
    sections += [("alerts_weekly", rep["alerts"]["weekly"]), ("alerts_resolve", rep["alerts"]["time_to_resolve"])]
    for a in rep["action_list"]["accounts"]:  # the key names the account, its owner, product, phase and status
        key = "/".join(str(a[k] or "") for k in ("account_id", "name", "owner", "product", "phase", "status_label"))
        for metric in ("days_overdue", "days_in_status", "health_score", "health_change_30d"):
            if a[metric] is not None:
                w.writerow(["action_list", a["segment"], key, metric, a[metric]])
        w.writerow(["action_list", a["segment"], key, "open_alerts", len(a["open_alerts"])])
    _backtest_csv(w, rep["backtest"])
    for day in rep["rule_changes"]:
        w.writerow(["rule_change", "all", day, "changed", 1])
    for name, rows in sections:
        for row in rows:
            seg = row.get("segment", row.get("account_id", ""))
            key = "/".join(str(row[k]) for k in KEYS if k in row)
            for metric, value in row.items():
                if metric in ("segment", *KEYS) or isinstance(value, list | str) or value is None:
                    continue
                w.writerow([name, seg, key, metric, value])
    return buf.getvalue()
