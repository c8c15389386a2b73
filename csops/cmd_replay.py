"""``csops rules replay``: a proposed rule file over the stored history, beside the current rules."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from base.terminal import table
from csops.shell import App, emit_json, pass_app
from report.replay import replay
from rules.ruleset import load_rules


@click.command("replay")
@click.option("--rules", "proposed", required=True, multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="The proposed rule file(s), in place of rules.files.")
@click.option("--from", "from_", metavar="DATE", type=click.DateTime(["%Y-%m-%d"]),
              help="First day to replay (default: the first day of the stored fact history).")
@click.option("--to", metavar="DATE", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day to replay (default: the newest day of the stored fact history).")
@click.option("--json", "as_json", is_flag=True, help="Print the weeks as JSON (fits a pull-request comment).")
@pass_app
def replay_command(app: App, proposed: tuple[str, ...], from_: datetime | None, to: datetime | None,
                   as_json: bool) -> None:
    """Re-evaluate the stored history day by day with a proposed rule file, beside the current rules.

    \b
    Per week: status and band changes and alerts raised under each, and the
    difference. Reads the store only: no API call, nothing written.

    \b
    Example:
      csops rules replay --rules rules/onboarding.new.yaml --from 2026-06-01
    """
    current, _ = app.load_rules()
    new = load_rules([Path(p) for p in proposed])
    first, last = app.store.fact_history_span()
    if first is None or last is None:
        raise click.UsageError("no fact history yet: each csops sync keeps the facts it evaluated; run one first")
    start = from_.date() if from_ else date.fromisoformat(first)
    end = to.date() if to else date.fromisoformat(last)
    if start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="--from")
    result = replay(app.store, current, new, start, end)
    if as_json:
        emit_json(result)
        return
    click.echo("\n".join(replay_lines(result)))


def replay_lines(result: dict[str, Any]) -> list[str]:
    out = [f"replay {result['from']} – {result['to']}: {result['accounts']:,} accounts; "
           f"current {', '.join(result['rules']['current'])} vs proposed {', '.join(result['rules']['proposed'])}",
           ""]
    rows: list[list[str]] = [["week", "status changes", "band changes", "alerts raised", "alerts by id (proposed − "
                                                                                          "current)"]]
    for w in result["weeks"]:
        cur, new, diff = w["current"], w["proposed"], w["difference"]
        rows.append([w["week"], *(f"{cur[m]} → {new[m]}" if diff[m] else str(cur[m])
                                  for m in ("status_changes", "band_changes", "alerts_raised")),
                     ", ".join(f"{k} {v:+d}" for k, v in diff["alerts"].items())])
    out.append(table(rows, right=(1, 2, 3)))
    for name, backlog in result["backlog"].items():
        out.append(f"already raised on the first day ({name}): "
                   + (", ".join(f"{k} {v}" for k, v in backlog.items()) or "none"))
    out += ["", f"{result['weeks_changed']} of {len(result['weeks'])} weeks differ" if result["weeks_changed"]
            else "no difference: the proposed rules do what the current ones do over this history"]
    return out
