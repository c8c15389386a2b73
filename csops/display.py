"""How values look on the terminal: empty values, numbers, dates, delivery lines (tables: base.terminal.table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from base.terminal import printable

if TYPE_CHECKING:
    from notify.deliver import DeliveryReport
    from notify.enqueue import Planned


def show(value: Any) -> str:
    """A field value in a plan or a writeback list (``(empty)`` for null; 80.0 as 80)."""
    if value is None:
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def print_delivery(report: DeliveryReport) -> None:
    """One line per channel that had something to deliver; notes (fallback owners) and failures below it."""
    for c in report.channels:
        state = f"held ({c.held})" if c.held else f"{c.figures()}{c.delivered} delivered"
        click.echo(f"notify:     {c.channel} ({c.type}): {state}, {c.pending} pending")
        for note in c.notes:
            click.echo(f"  note: {printable(note)}")
        if c.error:
            click.echo(f"  failed: {c.channel}: {printable(c.error)}", err=True)


def print_planned(planned: Sequence[Planned]) -> None:
    """What a sync would send (dry run): per channel, each alert that would be notified."""
    by_channel: dict[str, list[str]] = {}
    for row in planned:
        name = f" ({printable(str(row.payload['account']), one_line=True)})" if row.payload.get("account") else ""
        by_channel.setdefault(row.channel, []).append(f"{row.kind} {row.alert_id}: {row.account_id}{name}")
    for channel, lines in by_channel.items():
        click.echo(f"notify:     would send to {channel}: {len(lines)}")
        for line in lines[:50]:
            click.echo(f"  {line}")
        if len(lines) > 50:
            click.echo(f"  …and {len(lines) - 50} more")


def plural(n: int, noun: str) -> str:
    """``1 account``, ``2 accounts``, ``1,347 field values`` (never "1 warnings")."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def number(value: float | int) -> str:
    """A number as a person writes it: 300, 3,600,000, 0.37, 12.5."""
    if isinstance(value, bool):
        return str(value).lower()
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def local_time(value: str | None, tz: dt.tzinfo) -> str:
    """An ISO timestamp (``…Z`` or with an offset) as ``YYYY-MM-DD HH:MM`` in the team's time zone."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def fact_value(value: Any, kind: str, tz: dt.tzinfo) -> str:
    """A fact's value for a person: dates without a time, datetimes in the team's zone, plain numbers."""
    if value is None:
        return "null"
    if kind in ("date", "datetime") and isinstance(value, str | dt.datetime):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(tz)
        return moment.strftime("%Y-%m-%d") if kind == "date" else moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)


def status_label(status: str, labels: dict[str, str]) -> str:
    """The team's word for a status (the rule file's ``status_labels``), else the status id."""
    return labels.get(status, status)
