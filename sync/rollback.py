"""``csops sync --rollback RUN``: put back the values a run replaced, where Salesforce still holds what it wrote.

Read from the write log: each field the run wrote (ok, or unconfirmed when it was stopped before Salesforce
answered) with the value it replaced. Salesforce is asked what it holds now, field by field:

- the value the run wrote: put the old one back (the same diff, writer and mass-change guard as a sync);
- the old value already: nothing to do (a rerun after a rollback that was stopped finishes the rest, and writes
  nothing twice);
- anything else: a person or a later run changed it since; a conflict, listed and left alone.

The rollback is a run of its own, logged like a sync, so it can be rolled back in turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from base.errors import InputError
from connectors.salesforce import RecordFailure, SalesforceClient
from rules.ruleset import RuleSet
from store import Store
from store.writelog import OK, SENT, WriteEntry
from sync.guard import MassChangeHeld, MassChangeSummary, check_mass_change
from sync.run import record_end
from sync.writeback import diff, same
from sync.writelog import LogCost, entry, logged_update


@dataclass
class Conflict:
    """A field the rolled-back run wrote that holds something else now: left alone."""

    account_id: str
    field: str
    wrote: Any  # what the run wrote
    now: Any  # what Salesforce holds now (None too when the account is gone)
    before: Any  # what the rollback would have put back
    gone: bool = False  # the account was deleted since

    def text(self) -> str:
        if self.gone:
            return f"{self.account_id} {self.field}: the account is deleted"
        return f"{self.account_id} {self.field}: run wrote {_show(self.wrote)}, Salesforce holds {_show(self.now)}"


@dataclass
class Restore:
    account_id: str
    name: str | None
    fields: dict[str, tuple[Any, Any]]  # field: (now, put back)
    record_id: str | None = None  # another record than the account (a Task)


@dataclass
class RollbackReport:
    of_run: int
    run_id: int | None = None
    dry_run: bool = False
    restores: list[Restore] = field(default_factory=list)
    already_back: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    tasks: list[Restore] = field(default_factory=list)  # Tasks the run created (closed) or changed (put back)
    written: int = 0
    failures: list[RecordFailure] = field(default_factory=list)
    write_api_calls: int = 0
    mass_change: MassChangeSummary | None = None
    write_log: LogCost = field(default_factory=LogCost)
    duration_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {"rollback_of": self.of_run, "run_id": self.run_id, "dry_run": self.dry_run,
                "accounts": len(self.restores), "fields": sum(len(r.fields) for r in self.restores),
                "tasks": len(self.tasks),
                "already_back": self.already_back, "conflicts": [c.__dict__ for c in self.conflicts],
                "written": self.written, "failed": len(self.failures), "api_calls": self.write_api_calls,
                "duration_s": round(self.duration_s, 2)}

    def details(self) -> dict[str, Any]:
        out = self.summary()
        out["conflicts"] = out["conflicts"][:500]
        out["failures"] = [{"account_id": f.id, "status_code": f.status_code, "message": f.message,
                            "fields": f.fields} for f in self.failures]
        out["write_log"] = self.write_log.summary()
        if self.mass_change is not None:
            out["mass_change"] = self.mass_change.text()
        return out


def _show(value: Any) -> str:
    return "(empty)" if value in (None, "") else str(value)


@dataclass
class RollbackJob:
    store: Store
    salesforce: SalesforceClient
    rules: RuleSet
    max_status_change_pct: float = 20.0
    max_no_phases_pct: float = 10.0
    allow_mass_change: bool = False
    #: The Status a Task a run created is closed with, from its write log row (the shell reads the channel's
    #: done_status from the row's reason); Completed when not given.
    closed_status: Callable[[WriteEntry], str] | None = None

    def run(self, of_run: int, dry_run: bool = False) -> RollbackReport:
        started = time.monotonic()
        report = RollbackReport(of_run, dry_run=dry_run)
        written = self._written_by(of_run)
        if not dry_run:
            report.run_id = self.store.start_run(f"sync --rollback {of_run}")
        ended: BaseException | None = None
        try:
            self._run(report, written)
            return report
        except BaseException as exc:
            ended = exc
            raise
        finally:
            report.duration_s = time.monotonic() - started
            if report.run_id is not None:
                record_end(self.store, report.run_id, report.details(), bool(report.failures), ended)

    def _written_by(self, of_run: int) -> list[WriteEntry]:
        """The run's account field writes that may have reached Salesforce, the last per field."""
        found = self.store.find_run(of_run)
        if found is None:
            raise InputError(f"--rollback {of_run}: no such run (see `csops status --runs 50`)")
        last: dict[tuple[str, str], WriteEntry] = {}
        for e in self.store.run_writes(of_run):
            if e.sobject in ("Account", "Task") and e.result in (OK, SENT):
                last[(e.record_id, e.field)] = e
        if not last:
            raise InputError(f"--rollback {of_run}: run {of_run} ({found.command}, {found.status}) wrote no field "
                             "that reached Salesforce; nothing to put back (csops log --run "
                             f"{of_run})")
        return list(last.values())

    def _run(self, report: RollbackReport, written: list[WriteEntry]) -> None:
        fields = [e for e in written if e.sobject == "Account"]
        tasks = [e for e in written if e.sobject == "Task"]
        current = self.salesforce.current_values({e.record_id for e in fields}, {e.field for e in fields})
        wanted = self._plan(report, fields, current)
        task_wanted = self._plan_tasks(report, tasks)
        report.mass_change = self._guard(report, current)
        if report.dry_run:
            return
        if report.mass_change is not None and not self.allow_mass_change:
            raise MassChangeHeld(report.mass_change.text())
        assert report.run_id is not None
        run_id = report.run_id
        result = logged_update(self.store, self.salesforce, [
            entry(run_id, r.account_id, f, now, back, f"rollback of run {report.of_run}")
            for r in report.restores for f, (now, back) in r.fields.items()], cost=report.write_log)
        report.written = len(result.written)
        report.failures.extend(result.failed)
        report.write_api_calls = result.api_calls
        with self.store.transaction():  # the store's copy in step with what Salesforce now holds
            self.store.merge_account_fields({i: wanted[i] for i in result.written})
        if task_wanted:
            done = logged_update(self.store, self.salesforce, [
                entry(run_id, r.account_id, "Status", now, back, f"rollback of run {report.of_run}",
                      sobject="Task", record_id=r.record_id) for r in report.tasks
                for now, back in [r.fields["Status"]]], sobject="Task", cost=report.write_log)
            report.failures.extend(done.failed)
            report.write_api_calls += done.api_calls

    def _plan_tasks(self, report: RollbackReport, tasks: list[WriteEntry]) -> dict[str, Any]:
        """Tasks the run created are closed with their channel's closed status where they are still as created;
        a Task's Status the run changed is put back as for a field. ``{Task Id: Status}``."""
        if not tasks:
            return {}
        current = self.salesforce.current_values({e.record_id for e in tasks}, {"Status"}, sobject="Task")
        wanted: dict[str, Any] = {}
        for e in tasks:
            back = e.old
            if e.old is None:  # created by the run: closed, not deleted
                back = self.closed_status(e) if self.closed_status else "Completed"
            now = current.get(e.record_id)
            if now is None:
                report.conflicts.append(Conflict(e.account_id, f"Task {e.record_id}", e.new, None, back, gone=True))
            elif same(now.get("Status"), back):
                report.already_back += 1
            elif same(now.get("Status"), e.new):
                wanted[e.record_id] = back
                report.tasks.append(Restore(e.account_id, None, {"Status": (now.get("Status"), back)}, e.record_id))
            else:
                report.conflicts.append(Conflict(e.account_id, f"Task {e.record_id}", e.new, now.get("Status"),
                                                 back))
        return wanted

    def _plan(self, report: RollbackReport, written: list[WriteEntry], current: dict[str, dict[str, Any]]
              ) -> dict[str, dict[str, Any]]:
        """Sort each field into put back, already back or conflict; ``{account: {field: old value}}``."""
        wanted: dict[str, dict[str, Any]] = {}
        for e in written:
            now = current.get(e.record_id)
            if now is None:
                report.conflicts.append(Conflict(e.record_id, e.field, e.new, None, e.old, gone=True))
            elif same(now.get(e.field), e.old):
                report.already_back += 1
            elif same(now.get(e.field), e.new):
                wanted.setdefault(e.record_id, {})[e.field] = e.old
            else:
                report.conflicts.append(Conflict(e.record_id, e.field, e.new, now.get(e.field), e.old))
        names = self.store.account_fields(wanted)
        for account_id, values in wanted.items():
            changed = diff(current[account_id], values)
            report.restores.append(Restore(account_id, names.get(account_id, {}).get("Name"),
                                           {f: (current[account_id].get(f), v) for f, v in changed.items()}))
        return wanted

    def _guard(self, report: RollbackReport, current: dict[str, dict[str, Any]]) -> MassChangeSummary | None:
        """The sync's guard, on the status fields the rollback would change (writeback of status or status_label)
        over every live account."""
        status_fields = [f for f, source in self.rules.writeback.items() if source in ("status", "status_label")]
        previous = dict.fromkeys(self.store.live_account_ids(), "")
        after = dict(previous)
        for r in report.restores:
            moved = [f for f in status_fields if f in r.fields]
            if moved:
                previous[r.account_id] = "; ".join(_show(current[r.account_id].get(f)) for f in moved)
                after[r.account_id] = "; ".join(_show(r.fields[f][1]) for f in moved)
        return check_mass_change(previous, after, [(r.account_id, r.name, r.fields) for r in report.restores],
                                 self.max_status_change_pct, self.max_no_phases_pct)
