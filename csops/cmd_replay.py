"""``csops rules replay``: a proposed rule file over the stored history, beside the current rules."""

from __future__ import annotations

import json
import textwrap
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from base.processes import usable_cpus
from base.terminal import table
from csops.shell import App, emit_json, emit_text, pass_app
from notify.config import load
from report.render import backtest_cells, backtest_text, pct
from report.replay import METRICS, SHARD_MIN, replay


def as_html(result: dict[str, Any]) -> str:
    """Plotly is imported for the HTML output only (as in cmd_report)."""
    from report.replay_html import as_html

    return as_html(result)


@click.command("replay")
@click.option("--rules", "proposed", required=True, multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="The proposed rule file(s), in place of rules.files.")
@click.option("--from", "from_", metavar="DATE", type=click.DateTime(["%Y-%m-%d"]),
              help="First day to replay (default: the first day of the stored fact history).")
@click.option("--to", metavar="DATE", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day to replay (default: the newest day of the stored fact history).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (fits a pull-request comment).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (html needs it).")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes the accounts are shared among (default: one per CPU this process may use; "
                   f"one for fewer than {2 * SHARD_MIN} accounts). The answer is the same for any N.")
@pass_app
def replay_command(app: App, proposed: tuple[str, ...], from_: datetime | None, to: datetime | None, fmt: str,
                   as_json: bool, out: Path | None, jobs: int | None) -> None:
    """Re-evaluate the stored history day by day with a proposed rule file, beside the current rules.

    \b
    Per week: status and band changes, alerts raised, and the Slack messages
    and Tasks the notify routes would have produced under each, and the
    difference; then the health score's backtest under each. Reads the store
    only: no API call, nothing written (but --out). Accounts are replayed
    each on its own, so they are shared among --jobs worker processes, each
    reading its own accounts; if one fails, the replay stops with its error
    and shows nothing.

    \b
    Examples:
      csops rules replay --rules rules/onboarding.new.yaml --from 2026-06-01
      csops rules replay --rules rules/onboarding.new.yaml --rules rules/notify.yaml --format html --out replay.html
    """
    fmt = "json" if as_json else fmt
    if fmt == "html" and out is None:
        raise click.BadParameter("an HTML replay goes to a file: add --out replay.html", param_hint="--out")
    current = app.load_rules()
    new = load(Path(p) for p in proposed)
    if not new[1].enabled:  # a proposed rule file without a notify section: the current routes for both
        new = (new[0], current[1])
    first, last = app.store.fact_history_span()
    if first is None or last is None:
        raise click.UsageError("no fact history yet: each csops sync keeps the facts it evaluated; run one first")
    start = from_.date() if from_ else date.fromisoformat(first)
    end = to.date() if to else date.fromisoformat(last)
    if start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="--from")
    result = replay(app.store, current, new, start, end, app.config.report.churned_fact,
                    jobs=jobs or usable_cpus())
    if out is None and fmt == "json":
        emit_json(result)
        return
    text = {"json": lambda r: json.dumps(r, ensure_ascii=False, indent=2) + "\n", "html": as_html,
            "table": lambda r: "\n".join(replay_lines(r)) + "\n"}[fmt](result)
    emit_text(text, out, "replay", f"{result['accounts']:,} accounts, {start} – {end}")


def replay_lines(result: dict[str, Any]) -> list[str]:
    out = [f"replay {result['from']} – {result['to']}: {result['accounts']:,} accounts; "
           f"current {', '.join(result['rules']['current'])} vs proposed {', '.join(result['rules']['proposed'])}",
           ""]
    rows: list[list[str]] = [["week", "status", "band", "alerts", "Slack", "Tasks", "Tasks",
                              "alerts by id (proposed − current)"],
                             ["", "changes", "changes", "raised", "messages", "created", "completed", ""]]
    for w in result["weeks"]:
        cur, new, diff = w["current"], w["proposed"], w["difference"]
        rows.append([w["week"], *(f"{cur[m]} → {new[m]}" if diff[m] else str(cur[m]) for m in METRICS),
                     ", ".join(f"{k} {v:+d}" for k, v in diff["alerts"].items())])
    out.append(table(rows, right=range(1, len(METRICS) + 1)))
    for name, channels in result["channels"].items():
        out.append(f"notify channels ({name}): " + (", ".join(f"{c} ({t})" for c, t in channels.items())
                                                    or "none (no notify section): no message, no Task"))
    for name, backlog in result["backlog"].items():
        out.append(f"already raised on the first day ({name}): "
                   + (", ".join(f"{k} {v}" for k, v in backlog.items()) or "none"))
    out += backtest_lines(result["backtest"])
    out += ["", f"{result['weeks_changed']} of {len(result['weeks'])} weeks differ" if result["weeks_changed"]
            else "no difference: the proposed rules do what the current ones do over this history"]
    return out


def backtest_lines(both: dict[str, dict[str, Any]]) -> list[str]:
    """The health score's backtest under each rule set, side by side: per band, then per component level."""
    cur, new = both["current"], both["proposed"]
    out = ["", "Health score backtest (current | proposed)"]
    out += textwrap.wrap(backtest_text(cur), 118, subsequent_indent="  ")
    if not cur["days"]:
        return out
    out.append(f"base rate: current {pct(cur['base_rate'])}, proposed {pct(new['base_rate'])}")
    for key, head in (("bands", ["band"]), ("components", ["component", "level"])):
        rows = {_key(r): r for r in cur[key]}
        proposed = {_key(r): r for r in new[key]}
        table_rows = [[*k, *_figures(rows.get(k)), *_figures(proposed.get(k))]
                      for k in list(rows) + [k for k in proposed if k not in rows]]
        names = {_key(r): r.get("name") for r in cur[key] + new[key]}
        table_rows = [[names.get(tuple(r[:len(head)])) or r[0], *r[1:]] for r in table_rows]
        out += ["", table([[*head, "n", "share", "lift", "n", "share", "lift"], *table_rows],
                          right=range(len(head), len(head) + 6))]
    return out


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["band"],) if "band" in row else (row["component"], row["level"])


def _figures(row: dict[str, Any] | None) -> list[str]:
    if row is None:
        return ["0", "–", "–"]
    n, _, _, share, lift = backtest_cells(row)
    return [f"{n:,}", share, lift]
