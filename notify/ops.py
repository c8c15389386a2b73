"""Messages about csops itself: a sync that failed, was held by the mass-change guard, had too many records
rejected, or has not succeeded for ``stale_after`` hours, and its recovery.

One message per change of state, not one per run: three failing runs post one ``failed``, the next good one
posts ``recovered``. The state last announced is the outbox's newest ``run`` row, so it survives between
processes and a cron that no longer starts is still noticed by ``csops notify --check-stale`` (or any
``csops notify``) from another cron line. Delivered through the outbox like account alerts, to the channels
the rule files' ``run:`` routes name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from notify.config import NotifySpec
from notify.outbox import RUN

OK, FAILED, HELD, PARTIAL, STALE, RECOVERED = "ok", "failed", "held", "partial", "stale", "recovered"


class RunRecord(Protocol):
    """What a run's row says (store.runs.RunRow)."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def exit_code(self) -> int | None: ...
    @property
    def report(self) -> dict[str, Any]: ...


class OpsStore(Protocol):
    def last_run_notice(self) -> str | None: ...
    def sync_marks(self) -> tuple[str | None, str | None]: ...
    def enqueue_notifications(self, rows: Any, run_id: int | None) -> int: ...


@dataclass
class Message:
    state: str
    title: str
    lines: list[str]


def run_state(run: RunRecord, warn_rejected_pct: float) -> str:
    """A finished sync's state: held (exit 4), failed (any exit but 0 and 3), partial (more than
    ``warn_rejected_pct`` of the changed records rejected), else ok."""
    code = run.exit_code
    if code == 4:
        return HELD
    if code not in (0, 3):
        return FAILED
    writeback = run.report.get("writeback", {})
    changed, failed = int(writeback.get("changed") or 0), int(writeback.get("failed") or 0)
    if failed and 100.0 * failed / max(changed, 1) > warn_rejected_pct:
        return PARTIAL
    return OK


def hours_since_success(store: OpsStore, now: datetime) -> tuple[float, str] | None:
    """Hours since the last successful sync finished (or, if none ever did, since the first sync started), and
    that time; None before any sync."""
    last, first = store.sync_marks()
    mark = last or first
    if mark is None:
        return None
    when = datetime.fromisoformat(mark.replace("Z", "+00:00"))
    return (now - when).total_seconds() / 3600, mark


def after_sync(store: OpsStore, spec: NotifySpec, run: RunRecord, now: datetime | None = None) -> str | None:
    """Queue the message a finished sync calls for, if its state differs from the last one announced; the state
    queued (or None)."""
    state = run_state(run, spec.warn_rejected_pct)
    message = None
    if state != OK:
        message = _stale(store, spec, now or datetime.now(UTC))
    return _announce(store, spec, message or _message(state, run, spec), run.id)


def check_stale(store: OpsStore, spec: NotifySpec, now: datetime | None = None) -> str | None:
    """Queue ``stale`` when no sync succeeded for ``stale_after`` hours and it was not announced yet."""
    message = _stale(store, spec, now or datetime.now(UTC))
    return None if message is None else _announce(store, spec, message, None)


def _stale(store: OpsStore, spec: NotifySpec, now: datetime) -> Message | None:
    since = hours_since_success(store, now)
    if since is None or since[0] <= spec.stale_after:
        return None
    hours, mark = since
    return Message(STALE, f"csops: no successful sync for {int(hours)} hours", [
        f"The last successful sync finished at {mark} (UTC); notify.stale_after is {spec.stale_after:g} hours.",
        "Is cron still starting it? Look at `csops status` and the cron log, then run `csops sync`."])


def _message(state: str, run: RunRecord, spec: NotifySpec) -> Message:
    report = run.report
    if state == FAILED:
        return Message(FAILED, f"csops sync failed: run {run.id} exited {run.exit_code} ({run.status})", [
            str(report.get("error") or "no error recorded"),
            "Next: `csops status` for the run, `csops doctor` for the connections."])
    if state == HELD:
        return Message(HELD, f"csops sync held by the mass-change guard: run {run.id} wrote nothing", [
            *str(report.get("mass_change") or "").splitlines()[:30],
            "If the change is intended: `csops sync --allow-mass-change`."])
    if state == PARTIAL:
        wb = report.get("writeback", {})
        first = report.get("failures", [])[:5]
        return Message(PARTIAL, f"csops sync: {wb.get('failed', 0)} of {wb.get('changed', 0)} changed records "
                                f"rejected (run {run.id})", [
            f"More than notify.warn_rejected_pct ({spec.warn_rejected_pct:g}%).",
            *(f"{f.get('account_id')}: {f.get('status_code')}: {f.get('message')}" for f in first),
            "`csops status` lists them; the next run retries them."])
    return Message(RECOVERED, f"csops sync ok again (run {run.id})", [])


def _announce(store: OpsStore, spec: NotifySpec, message: Message, run_id: int | None) -> str | None:
    last = store.last_run_notice() or RECOVERED
    if message.state == RECOVERED:
        if last == RECOVERED:
            return None
        channels = spec.run_channels(last)  # where the trouble was announced
        message.lines = [f"It was {last} since the last message about it."]
    elif message.state == last:
        return None
    else:
        channels = spec.run_channels(message.state)
    if not channels:
        return None
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {"title": message.title, "lines": message.lines, "run": run_id}
    store.enqueue_notifications([(c.name, RUN, "", message.state, now, payload) for c in channels], run_id)
    return message.state
