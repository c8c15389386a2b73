"""The sync: pull, evaluate every account, write back only what changed, record the run.

Safe to kill at any point: pulls store each page with its cursor; writes are
derived from a diff against the values Salesforce holds now, so a rerun after a
crash writes only what is still missing and never writes a value twice.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from base.errors import InputError, outcome
from base.exits import EXIT_INTERRUPTED, EXIT_SOFTWARE, EXIT_TERMINATED
from base.redact import redact
from connectors.salesforce import RecordFailure, SalesforceClient
from connectors.zendesk import ZendeskClient
from notify.config import NotifySpec
from notify.deliver import DeliveryReport
from notify.enqueue import Planned, enqueue, plan
from rules.engine import Engine, Evaluation, FactValueError
from rules.ruleset import RuleSet
from store import Store, StoreError
from store.alerts import AlertKey
from store.owners import owner_id
from sync.conform import plan_values
from sync.facts import account_facts, past_points, ticket_aggregates
from sync.fields import calculated_fields, canonical_names, canonical_rules
from sync.guard import MassChangeHeld, MassChangeSummary, StatusTally
from sync.planned import InOrder, PlannedChange, PlannedWrites, Spilled
from sync.pull import (
    Progress,
    SalesforcePullResult,
    ZendeskPullResult,
    pull_salesforce,
    pull_zendesk,
    refresh_formula_fields,
)
from sync.record import AlertChanges, Brief, Recorder, preview_alerts
from sync.scope import ScopePlan, clear_reason, plan_scope_exits
from sync.sources import SourcePullResult, pull_sources
from sync.unchanged import InputsKey, run_salt
from sync.writelog import LogCost, entry, logged_update, prune, reason_for

log = logging.getLogger("csops.sync")


class ClockWentBack(InputError):
    """This run is dated before the last recorded one (exit 78); nothing was written."""


def check_clock(store: Store, today: date) -> float:
    """Stop a run dated before the last recorded one (the system clock went back, or ``--today`` names an earlier
    day): alerts would be resolved before they were first seen and the report would count negative days. Return
    how many seconds the wall clock is behind the last run's start (0 when it is not), which is only reported."""
    last_day, last_start = store.clock_marks()
    if last_day is not None and today.isoformat() < last_day:
        raise ClockWentBack(f"this run is dated {today}, before the last run's {last_day}: the system clock went "
                            "back, or --today names an earlier day. Nothing was written (alerts and history are "
                            "dated by run: an earlier one would resolve alerts before they were first seen and "
                            "count negative days). Check the clock (timedatectl) or --today, then run again")
    if last_start is None:
        return 0.0
    behind = (datetime.strptime(last_start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
              - datetime.now(UTC)).total_seconds()
    if behind <= 1:
        return 0.0
    log.warning("the system clock is %.0f s behind the start of the last run: it went back (a clock fix, a restored "
                "snapshot); run times are measured on a monotonic clock and are unaffected", behind)
    return behind


def _error_text(exc: BaseException, code: int) -> str:
    if code == EXIT_TERMINATED:
        return "stopped by SIGTERM"
    if code == EXIT_INTERRUPTED:
        return "interrupted (Ctrl-C)"
    return str(exc) if code != EXIT_SOFTWARE else f"{type(exc).__name__}: {exc}"


def record_end(store: Store, run_id: int, details: dict[str, Any], partial: bool, ended: BaseException | None
               ) -> None:
    """A run's row at its end (a sync's or a rollback's): status and exit code from base.errors.outcome, the mapping
    the process exit uses too, and the error that ended it."""
    code, status = outcome(ended, partial=partial)
    if ended is not None:
        details["error"] = redact(_error_text(ended, code))
    try:
        if ended is not None and not isinstance(ended, Exception):  # Ctrl-C, SIGTERM: maybe mid-statement
            store.recover()
        store.finish_run(run_id, status, code, details)
    except StoreError as exc:
        if ended is None:
            raise
        # The store itself is why the run stops (server gone, lease lost): the first error is the one to report;
        # the next run marks this one killed.
        log.debug("could not record the end of run %s: %s", run_id, exc)


@dataclass
class SyncReport:
    run_id: int | None = None
    zendesk: ZendeskPullResult = field(default_factory=ZendeskPullResult)
    salesforce: SalesforcePullResult = field(default_factory=SalesforcePullResult)
    accounts_evaluated: int = 0
    accounts_unchanged: int = 0  # not evaluated: their inputs are those of their stored evaluation (sync.unchanged)
    status_counts: Counter[str] = field(default_factory=Counter)
    alerts: AlertChanges = field(default_factory=AlertChanges)
    transitions: Counter[str] = field(default_factory=Counter)
    changes: PlannedWrites = field(default_factory=PlannedWrites)  # on disk a chunk at a time (sync.planned)
    written: int = 0
    failures: list[RecordFailure] = field(default_factory=list)
    fact_problems: list[str] = field(default_factory=list)
    mass_change: MassChangeSummary | None = None
    write_api_calls: int = 0
    duration_s: float = 0.0
    dry_run: bool = False
    notify_queued: int = 0
    notify_planned: list[Planned] = field(default_factory=list)
    notify: DeliveryReport = field(default_factory=DeliveryReport)
    clock_behind_s: float = 0.0
    write_log: LogCost = field(default_factory=LogCost)
    scope: ScopePlan = field(default_factory=ScopePlan)  # accounts out of the rules' scope with fields csops wrote

    @property
    def partial(self) -> bool:
        """Finished with records or notifications rejected: the run record and the process both say 3."""
        return bool(self.failures or self.notify.failed)
    sources: dict[str, SourcePullResult] = field(default_factory=dict)
    evaluations_written: int = 0  # stored evaluations that changed (the others were left as they were)

    def summary(self) -> dict[str, Any]:
        return {
            "zendesk": self.zendesk.summary(),
            "salesforce": {"accounts_pulled": self.salesforce.accounts_pulled,
                           "accounts_deleted": self.salesforce.accounts_deleted,
                           "accounts_left_filter": self.salesforce.accounts_left_filter,
                           "api_calls": self.salesforce.api_calls, "api_usage": self.salesforce.api_usage},
            "rules": {"accounts_evaluated": self.accounts_evaluated, "accounts_unchanged": self.accounts_unchanged,
                      "status_counts": dict(self.status_counts),
                      "evaluations_written": self.evaluations_written,
                      "alerts_new": self.alerts.new_count, "alerts_resolved": self.alerts.resolved_count,
                      "alerts_active": self.alerts.active},
            "writeback": {"changed": len(self.changes), "written": self.written, "failed": len(self.failures),
                          "api_calls": self.write_api_calls},
            **({"out_of_scope": self.scope.summary()} if self.scope.exits else {}),
            "notify": {"queued": self.notify_queued, "channels": self.notify.summary()},
            **({"sources": {name: r.summary() for name, r in self.sources.items()}} if self.sources else {}),
            "duration_s": round(self.duration_s, 2),
        }

    def details(self) -> dict[str, Any]:
        """The run report stored with the run: the summary plus what failed and why."""
        out = self.summary()
        out["failures"] = [{"account_id": f.id, "status_code": f.status_code, "message": f.message,
                            "fields": f.fields} for f in self.failures]
        out["unlinked_organizations"] = self.zendesk.unlinked[:200]
        out["fact_problems"] = self.fact_problems[:200]
        out["status_transitions"] = dict(self.transitions)
        if self.mass_change is not None:
            out["mass_change"] = self.mass_change.text()
        if self.clock_behind_s:
            out["clock_behind_seconds"] = round(self.clock_behind_s)
        out["alerts_new_list"] = [list(k) for k in self.alerts.new[:500]]
        out["write_log"] = self.write_log.summary()
        out["out_of_scope_list"] = [e.as_json() for e in self.scope.exits[:500]]
        return out


def rules_hash(rules: RuleSet) -> str:
    """The rule files' content as parsed (comments, layout and the files' names aside), hashed: a run records it
    so the report can mark the days the rules changed."""
    parsed = [doc.data for doc in rules.docs.values()]
    text = json.dumps(parsed, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Kept:
    """What a run keeps of each account its first pass evaluates: a count for the mass-change guard
    (sync.guard.StatusTally) and its owner's Id, whose name the run fetches (owners are few). A dry run also keeps
    the brief of each account with an alert raised or open: what its alert preview and the notifications it would
    send read."""

    tally: StatusTally
    owners: set[str] = field(default_factory=set)
    briefs: list[Brief] | None = None  # a dry run's
    alerted: set[str] = field(default_factory=set)  # a dry run's: the accounts with an open alert

    def add(self, ev: Evaluation, owner: str | None, before: str | None, planned: bool) -> None:
        """``ev`` of an account whose owner is ``owner``, stored status ``before``; ``planned``: writes planned."""
        self.tally.add(ev.id, before, ev.status, planned)
        if owner is not None:
            self.owners.add(owner)
        if self.briefs is not None and (ev.alerts or ev.id in self.alerted):
            self.briefs.append(Brief.of(ev, owner))


@dataclass
class SyncJob:
    store: Store
    zendesk: ZendeskClient | None
    salesforce: SalesforceClient
    rules: RuleSet
    extra_fields: list[str] = field(default_factory=list)
    progress: Progress | None = None
    notify: NotifySpec = field(default_factory=NotifySpec)
    # Delivers the outbox after the writeback (notify.deliver, wired by the shell); a sync itself only enqueues.
    deliver: Callable[[], DeliveryReport] | None = None
    max_status_change_pct: float = 20.0
    max_no_phases_pct: float = 10.0
    allow_mass_change: bool = False
    churned_fact: str | None = None  # report.churned_fact: recorded in the history for the report
    write_log_days: int = 400  # sync.write_log_days: how long the write log keeps a write
    owner_field: str = "OwnerId"  # report.owner_field: whose names the sync fetches (User.Name) for the report
    base_dir: Path = field(default_factory=Path.cwd)  # where a SQL source's relative file path starts

    def run(self, dry_run: bool = False, full: bool = False, command: str = "sync") -> SyncReport:
        started = time.monotonic()
        report = SyncReport(dry_run=dry_run)
        today = self.rules.compiled_for
        assert today is not None
        report.clock_behind_s = check_clock(self.store, today)
        run_id = None if dry_run else self.store.start_run(command, rules_hash(self.rules), today.isoformat())
        report.run_id = run_id
        ended: BaseException | None = None
        try:
            self._run(report, today, dry_run, full)
            return report
        except BaseException as exc:
            ended = exc
            raise
        finally:
            report.duration_s = time.monotonic() - started
            if run_id is not None:
                self._record(run_id, report, ended)

    def _record(self, run_id: int, report: SyncReport, ended: BaseException | None) -> None:
        record_end(self.store, run_id, report.details(), report.partial, ended)

    def _run(self, report: SyncReport, today: date, dry_run: bool, full: bool) -> None:
        commit = not dry_run
        # First: a source that is down stops the run before anything is evaluated from stale values.
        report.sources = pull_sources(self.store, self.rules, self.base_dir, full=full, commit=commit)
        describe = self.salesforce.describe()
        canonical_rules(self.rules, describe)
        if self.zendesk is not None:
            report.zendesk = pull_zendesk(self.store, self.zendesk, full=full, progress=self.progress,
                                          commit=commit)
        fields = canonical_names(self.extra_fields + self.rules.salesforce_fields() +
                                 self.notify.account_fields(), describe)
        writeback = list(self.rules.writeback)
        report.salesforce = pull_salesforce(self.store, self.salesforce, fields, writeback, full=full,
                                            progress=self.progress, commit=commit)
        formulas = calculated_fields(fields, describe)
        if formulas and report.salesforce.incremental:
            refresh_formula_fields(self.store, self.salesforce, formulas, report.salesforce, self.progress)
        report.scope = self._scope(report)
        if dry_run:
            previous = self.store.last_statuses()
            kept = self._kept(report, previous, dry_run=True)
            self._evaluate(report, today, describe, self._past(today), kept, stored_status=previous)
            report.mass_change = self._guard(report, kept)
            assert kept.briefs is not None
            report.alerts = preview_alerts(self.store, kept.briefs)
            report.notify_planned = plan(self.store, self.notify, self.rules, report.alerts, kept.briefs, today)
            return
        owners = self.evaluate_and_record(report, today, describe)
        if report.changes:  # the scope's clears are among them (_scope)
            self._write(report)
        assert report.run_id is not None
        left = report.scope.left_rows(report.run_id)
        if left:
            with self.store.transaction():
                self.store.log_writes(left)
        self._owner_names(owners, today)
        if self.deliver is not None:
            report.notify = self.deliver()
        prune(self.store, self.write_log_days, report.write_log)

    def _write(self, report: SyncReport) -> None:
        """Write the planned changes to Salesforce through the write log (its entries made as they are logged, not
        all at once); keep the store's copy in step."""
        run_id = report.run_id
        assert run_id is not None
        if self.progress:
            self.progress("written", 0, total=len(report.changes))
        result = logged_update(self.store, self.salesforce, (
            entry(run_id, c.account_id, f, old, new, c.reasons.get(f))
            for c in report.changes for f, (old, new) in c.fields.items()), cost=report.write_log)
        report.written = len(result.written)
        report.failures.extend(result.failed)
        report.write_api_calls = result.api_calls
        self._remember_written(report.changes, result.written)
        if self.progress:
            self.progress("written", len(result.written))
        for f in result.failed[:20]:
            log.warning("salesforce rejected %s: %s %s %s", f.id, f.status_code, f.message, ",".join(f.fields))

    def _owner_names(self, owners: set[str], today: date) -> None:
        """Fetch ``User.Name`` of the owners of the accounts evaluated (one query per 200 owners) into the store,
        so the report and ``csops alerts`` name people, not Ids."""
        if not owners:
            return
        names = self.salesforce.user_names(owners)
        with self.store.transaction():
            self.store.write_owner_names(names, today.isoformat())

    def evaluate_and_record(self, report: SyncReport, today: date, describe: dict[str, dict[str, Any]]
                            ) -> set[str]:
        """Evaluate every stored account and plan the writes, counting statuses for the mass-change guard; stop
        here when the guard holds the run (nothing written); else evaluate again and record a chunk per transaction
        (the part of a sync that grows with the accounts; bench/sync.py --synthetic runs it alone). Returns the
        owners of the accounts evaluated; the writes to make are ``report.changes``.

        What it keeps until the run ends grows with the accounts (tests/sync/test_memory.py): per live account the
        status and inputs hash of its stored evaluation. The planned writes and the inputs hashes to store are on
        disk a chunk at a time (sync.planned); the guard keeps counts (sync.guard.StatusTally); the recorder reads
        what it compares with a chunk at a time and enqueues notifications from its chunk.

        Two passes, not one long transaction: a write transaction holds the PostgreSQL lease row (its fence) and
        the lease's renewal waits for it, so one transaction longer than the lease lost the lock."""
        past = self._past(today)
        aggregates = ticket_aggregates(self.store, today, kept=True)
        keys = self._inputs_key(report, today, describe)
        pending: Spilled[tuple[str, str | None]] = Spilled()
        previous = self.store.last_statuses()
        kept = self._kept(report, previous)
        self._evaluate(report, today, describe, past, kept, aggregates, keys, pending, previous)
        report.mass_change = self._guard(report, kept)
        if report.mass_change is not None and not self.allow_mass_change:
            raise MassChangeHeld(report.mass_change.text())
        self._record_evaluations(report, today, past, aggregates, pending)
        return kept.owners

    def _kept(self, report: SyncReport, previous: dict[str, str], dry_run: bool = False) -> Kept:
        """What the first pass keeps; the accounts whose fields the run empties change status for the guard."""
        tally = StatusTally(len(previous), {a: previous.get(a) for a in report.scope.clears()})
        if not dry_run:
            return Kept(tally)
        return Kept(tally, briefs=[], alerted={k.account_id for k in self.store.open_alerts()})

    def _inputs_key(self, report: SyncReport, today: date, describe: dict[str, dict[str, Any]]) -> InputsKey:
        """What tells the accounts whose inputs changed since their stored evaluation (sync.unchanged)."""
        written = list(self.rules.writeback)
        salt = run_salt(rules_hash(self.rules), today, describe, written, self.churned_fact,
                        self._stale_notes(report))
        multi = [f for f in written if describe.get(f, {}).get("type") == "multipicklist"]
        return InputsKey(salt, written, self.store.inputs_hashes(), multi)

    def _past(self, today: date) -> dict[str, Any]:
        """Each account's history points, for rules that read history facts (none otherwise)."""
        return past_points(self.store, today) if self.rules.uses_history else {}

    def _record_evaluations(self, report: SyncReport, today: date, past: dict[str, Any],
                            aggregates: dict[str, dict[str, Any]], pending: Spilled[tuple[str, str | None]]) -> None:
        """Evaluate each account of ``pending`` (Id, inputs hash, in the order the first pass evaluated them) again
        (the same facts give the same evaluation) and record it with its inputs hash, a chunk per transaction; each
        chunk's alert changes are enqueued in its transaction, so the outbox commits with the alert changes that
        cause it, or not at all. The accounts not in ``pending`` keep their evaluation and alerts."""
        run_id = report.run_id
        assert run_id is not None

        def notify(new: list[AlertKey], resolved: list[AlertKey], evaluations: list[Evaluation]) -> int:
            return enqueue(self.store, self.notify, self.rules, AlertChanges(new, resolved), evaluations, today,
                           run_id)

        engine = Engine(self.rules)
        stale = self._stale_notes(report)
        recorder = Recorder(self.store, run_id, self.rules, today, self.churned_fact, notify, skipping=True)
        wanted = InOrder(pending)  # read in the order of the first pass: live accounts by Id
        evaluated = account_facts(self.store, self.rules, today, aggregates, wanted) if pending else ()
        for account_id, _, raw in evaluated:
            facts = self._facts(engine, account_id, raw, None)
            ev = engine.evaluate(account_id, facts, past.get(account_id, ()))
            ev.problems.extend(stale)
            recorder.add(ev, facts, raw, wanted.value)  # the raw facts: what csops rules replay re-evaluates
        wanted.done()
        report.alerts, report.transitions = recorder.finish()
        report.evaluations_written = recorder.rewritten
        report.notify_queued = recorder.queued

    @staticmethod
    def _stale_notes(report: SyncReport) -> list[str]:
        return [f"facts from source '{name}' are its last known values (stored {r.last_known_at or 'never'}): "
                f"{r.failed}" for name, r in report.sources.items() if r.failed is not None]

    def _evaluate(self, report: SyncReport, today: date, describe: dict[str, dict[str, Any]], past: dict[str, Any],
                  kept: Kept, aggregates: dict[str, dict[str, Any]] | None = None, keys: InputsKey | None = None,
                  pending: Spilled[tuple[str, str | None]] | None = None, stored_status: dict[str, str] | None = None
                  ) -> None:
        """Evaluate every account, giving each to ``kept``; plan the writes in ``report.changes`` (values conformed
        to their fields, only what differs; each reason text kept once, as accounts share them). With ``keys``, an
        account whose inputs are those of its stored evaluation is not evaluated (its stored status is counted);
        ``pending`` gets each evaluated account's Id and inputs hash as it will be once the writes land (None when its
        evaluation reported a problem: evaluated again next run); ``stored_status``: each account's status as
        its stored evaluation has it (store.last_statuses), counted for the accounts not evaluated."""
        engine = Engine(self.rules)
        texts: dict[str, str] = {}
        total = self.store.count_live_accounts() if self.progress else None
        stored_status = stored_status or {}
        seen = 0
        for account_id, sf_fields, raw in account_facts(self.store, self.rules, today, aggregates):
            seen += 1
            if self.progress and seen % 500 == 0:
                self.progress("evaluated", 500, total=total)
            owner = owner_id(sf_fields, self.owner_field)
            points = past.get(account_id, ())
            status = stored_status.get(account_id)
            if status is not None and keys is not None and keys.unchanged(account_id,
                                                                           keys.of(raw, sf_fields, owner, points)):
                report.accounts_unchanged += 1
                report.status_counts[status] += 1
                continue
            problems = len(report.fact_problems) + len(report.failures)
            facts = self._facts(engine, account_id, raw, report)
            ev = engine.evaluate(account_id, facts, points)
            report.accounts_evaluated += 1
            report.status_counts[ev.status] += 1
            changed = self._plan(report, ev, sf_fields, describe, texts)
            kept.add(ev, owner, status, bool(changed))
            if keys is not None and pending is not None:
                clean = problems == len(report.fact_problems) + len(report.failures)
                pending.append((account_id, keys.of(raw, sf_fields, owner, points, changed) if clean else None))
        if self.progress:
            self.progress("evaluated", seen % 500, total=total)

    def _plan(self, report: SyncReport, ev: Evaluation, sf_fields: dict[str, Any], describe: dict[str, dict[str, Any]],
              texts: dict[str, str]) -> dict[str, Any]:
        """Plan the writes of one evaluation in ``report.changes`` (a value that cannot fit its field is a failure,
        not sent); the values to send."""
        changed, misfits = plan_values(sf_fields, ev.writeback, describe)
        for m in misfits:
            report.failures.append(RecordFailure(ev.id, m.code, f"not sent: {m.message}", [m.field]))
        if changed:
            reasons = {f: reason_for(self.rules, ev, f) for f in changed}
            report.changes.append(PlannedChange(ev.id, sf_fields.get("Name"),
                                                {f: (sf_fields.get(f), v) for f, v in changed.items()},
                                                {f: texts.setdefault(r, r) for f, r in reasons.items()}))
        return changed

    def _scope(self, report: SyncReport) -> ScopePlan:
        """The accounts out of scope with fields csops wrote (sync.scope); the fields to clear join the planned
        changes, so the dry run shows them and the guard and the writer take them like any other."""
        plan = plan_scope_exits(self.store, self.salesforce, self.rules)
        for e in plan.exits:
            if e.clear:
                report.changes.append(PlannedChange(e.account_id, e.name, {f: (v, None) for f, v in e.clear.items()},
                                                    dict.fromkeys(e.clear, clear_reason(e.why))))
        return plan

    def _guard(self, report: SyncReport, kept: Kept) -> MassChangeSummary | None:
        return kept.tally.check(((c.account_id, c.name, c.fields) for c in report.changes), report.accounts_unchanged,
                                self.max_status_change_pct, self.max_no_phases_pct)

    @staticmethod
    def _facts(engine: Engine, account_id: str, raw: dict[str, Any], report: SyncReport | None) -> dict[str, Any]:
        """Typed facts; a value that does not fit its type is reported (once: not on the recording pass) and
        treated as null."""
        raw = dict(raw)
        while True:
            try:
                return engine.facts(raw)
            except FactValueError as exc:
                if report is not None:
                    report.fact_problems.append(f"{account_id}: {exc}")
                raw[exc.fact] = None

    def _remember_written(self, changes: PlannedWrites, written: list[str]) -> None:
        """Keep the store's copy of each account in step with what Salesforce now holds (a thousand accounts read
        and merged at a time)."""
        done = set(written)
        sent = (c for c in changes if c.account_id in done)
        with self.store.transaction():
            while chunk := list(itertools.islice(sent, 1000)):
                batch: dict[str, dict[str, Any]] = {}
                for c in chunk:
                    batch.setdefault(c.account_id, {}).update({f: v for f, (_, v) in c.fields.items()})
                self.store.merge_account_fields(batch)
