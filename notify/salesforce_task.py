"""Salesforce Tasks: one open Task per (account, alert occurrence) for the account's owner.

    owner-task: {type: salesforce_task, fallback_owner: 005000000000001AAA, due_in_days: 3}

Exactly once: each Task carries the occurrence's key (in the custom field
``key_field``, or as a ``csops-key:`` line in the Description), and delivery
looks the keys up before creating, so a run killed after Salesforce created a
Task and before the outbox recorded it creates no second one. When the alert
clears, its Task is set to ``done_status``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from simple_salesforce import format_soql

from base.schema import Choice, Nested, Number, Option, Pattern, Section
from connectors.http import ConnectorError
from connectors.salesforce import COLLECTION_SIZE, FieldError, SalesforceClient
from notify import words
from notify.channel import Channel, ChannelResult, Delivery, write_reason
from notify.outbox import NEW, RESOLVED, Notice
from store.connection import now_iso
from store.writelog import OK, REJECTED, WriteEntry

if TYPE_CHECKING:
    from collections.abc import Callable

    from base.schema import At

TASK_KEY_TAG = "csops-key:"
TASK_PRIORITIES = ("High", "Normal", "Low")
DEFAULT_PRIORITY = {"critical": "High", "warning": "Normal", "info": "Low"}
_OWNER = re.compile(r"(005|00G)[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?")  # a User or queue Id, 15 or 18 characters
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*__c")
_DUE = "{path}: expected a whole number ≥ 0"
_PRIORITY = "{path}: '{value}' is not a Task priority{suggestion}; one of {choices}"


@dataclass
class TaskResult(ChannelResult):
    created: int = 0
    completed: int = 0

    def figures(self) -> str:
        return f"{self.created} Tasks created, {self.completed} completed, "

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "completed": self.completed}


@dataclass
class TaskChannel(Channel):
    type = "salesforce_task"
    options: ClassVar[Mapping[str, Option]] = {
        "fallback_owner": Pattern(regex=_OWNER, message="{path}: '{value}' is not a User (005…) or queue (00G…) Id"),
        "key_field": Pattern(regex=_FIELD, message="{path}: '{value}' is not a custom field name (…__c)"),
        "due_in_days": Number(integer=True, minimum=0, message=_DUE, range_message=_DUE),
        "priority": Nested(section=Section({severity: Choice(choices=TASK_PRIORITIES, message=_PRIORITY)
                                            for severity in DEFAULT_PRIORITY})),
        "open_status": Option(),
        "done_status": Option(),
    }
    account_fields = ("OwnerId",)

    fallback_owner: str | None = None
    key_field: str | None = None
    due_in_days: int = 3
    priority: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITY))
    open_status: str = "Not Started"
    done_status: str = "Completed"

    @classmethod
    def parse(cls, name: str, values: dict[str, Any], at: At) -> TaskChannel:
        """Priorities not given keep their defaults; statuses are Task picklist values, kept as text."""
        values["priority"] = {**DEFAULT_PRIORITY, **values.get("priority", {})}
        for key in ("open_status", "done_status"):
            if key in values:
                values[key] = str(values[key])
        return cls(name, **values)

    def new_result(self) -> TaskResult:
        return TaskResult(self.name, self.type)

    @property
    def closed_status(self) -> str:
        return self.done_status

    def deliver(self, notices: list[Notice], out: Delivery, result: ChannelResult) -> None:
        assert isinstance(result, TaskResult)
        if out.salesforce is None:
            raise ConnectorError(f"notify {self.name}: Salesforce is not configured")
        sf = out.salesforce()
        resolved = [n for n in notices if n.kind == RESOLVED]
        ending = {n.key for n in resolved}
        new = [n for n in notices if n.kind == NEW and n.key not in ending]
        # An alert that cleared before its Task was created gets none: completing it (below) still
        # closes a Task created by a run that was killed before it could record the creation.
        out.outbox.delivered(n for n in notices if n.kind == NEW and n.key in ending)
        if new:
            _Creation(self, sf, out, result).run(new)
        if resolved:
            self._complete(sf, resolved, out, result)

    def _complete(self, sf: SalesforceClient, notices: list[Notice], out: Delivery, result: TaskResult) -> None:
        keyed = {n.key: n for n in notices}
        existing = open_tasks(sf, {k: n.account_id for k, n in keyed.items()}, self.key_field)
        outcome = sf.update({existing[k]: {"Status": self.done_status} for k in keyed if k in existing},
                            sobject="Task")
        refused = {f.id: f"{f.status_code}: {f.message}" for f in outcome.failed}
        out.logged([task_write(self, n, existing[k], self.open_status, self.done_status, refused.get(existing[k]))
                    for k, n in keyed.items() if k in existing])
        done = [n for k, n in keyed.items() if existing.get(k) not in refused]
        failed = [(n, refused[existing[k]]) for k, n in keyed.items() if existing.get(k) in refused]
        result.completed += len(outcome.written)
        _settle(out, done, failed, result, "complete the Task")


@dataclass
class _Creation:
    """Creating the Tasks of new alerts: those not already open under their key, 200 a call; an owner found
    inactive (before, or by Salesforce's refusal) gets the fallback owner."""

    channel: TaskChannel
    sf: SalesforceClient
    out: Delivery
    result: TaskResult

    def run(self, notices: list[Notice]) -> None:
        channel, sf = self.channel, self.sf
        keyed = {n.key: n for n in notices}
        existing = open_tasks(sf, {k: n.account_id for k, n in keyed.items()}, channel.key_field)
        done = [n for k, n in keyed.items() if k in existing]
        todo = [n for k, n in keyed.items() if k not in existing]
        inactive = sf.inactive_users({n.owner for n in todo if n.owner}) if channel.fallback_owner and todo else set()
        owners = {n.key: channel.fallback_owner if n.owner in inactive else (n.owner or channel.fallback_owner)
                  for n in todo}
        failed: list[tuple[Notice, str]] = []
        late: list[Notice] = []
        for n, outcome in zip(todo, sf.create("Task", [self.record(n, owners[n.key]) for n in todo]), strict=True):
            if outcome.id:
                self._created(n, outcome.id, done, moved=n.owner in inactive)
            elif outcome.status_code == "INACTIVE_OWNER_OR_USER" and channel.fallback_owner and \
                    owners[n.key] != channel.fallback_owner:
                late.append(n)  # deactivated since the lookup
            else:
                failed.append((n, f"{outcome.status_code}: {outcome.message}"))
        if late:
            again = [self.record(n, channel.fallback_owner) for n in late]
            for n, outcome in zip(late, sf.create("Task", again), strict=True):
                if outcome.id:
                    self._created(n, outcome.id, done, moved=True)
                else:
                    failed.append((n, f"{outcome.status_code}: {outcome.message}"))
        _settle(self.out, done, failed, self.result, "create the Task")

    def record(self, notice: Notice, owner: str | None) -> dict[str, Any]:
        return task_record(self.channel, notice, owner, self.out.account_link, self.out.today)

    def _created(self, notice: Notice, task_id: str, done: list[Notice], moved: bool) -> None:
        done.append(notice)
        self.result.created += 1
        self.out.logged([task_write(self.channel, notice, task_id, None, self.channel.open_status, None)])
        if moved:
            self.result.notes.append(f"{notice.account_id} ({notice.payload.get('account') or '?'}): owner "
                                     f"{notice.owner} is inactive; Task assigned to the fallback owner "
                                     f"{self.channel.fallback_owner}")


def _settle(out: Delivery, done: list[Notice], failed: list[tuple[Notice, str]], result: ChannelResult,
            what: str) -> None:
    out.outbox.delivered(done)
    result.delivered += len(done)
    for notice, why in failed:
        out.outbox.failed([notice], why)
    if failed:
        first, first_why = failed[0]
        result.error = (f"Salesforce refused to {what} for {len(failed)} alert(s), e.g. "
                        f"{first.account_id} {first.alert_id}: {first_why}")


def task_write(channel: TaskChannel, notice: Notice, task_id: str, old: str | None, new: str,
               refused: str | None) -> WriteEntry:
    """The write log's row for a Task this channel created (``old`` None) or completed, as the run that queued
    the notice wrote it; the reason names the channel (a rollback completes with its ``done_status``)."""
    return WriteEntry(notice.run_id or 0, now_iso(), "Task", task_id, notice.account_id, "Status", old, new,
                      REJECTED if refused else OK, refused,
                      write_reason(channel.name, f"alert {notice.alert_id} (first seen {notice.occurrence})"))


def task_record(channel: TaskChannel, notice: Notice, owner: str | None, link: Callable[[str], str | None],
                today: date) -> dict[str, Any]:
    """The Task for a new alert: for the owner, due ``due_in_days`` after today, carrying the occurrence's key."""
    p = notice.payload
    url = link(notice.account_id)
    lines = [notice.title, "", *words.task_lines(words.language(p), p, notice.account_name, notice.alert_id,
                                                 notice.severity, notice.occurrence, None)]
    if url:
        lines += ["", url]
    lines += ["", f"{TASK_KEY_TAG} {notice.key}"]
    record: dict[str, Any] = {
        "Subject": notice.title[:255], "WhatId": notice.account_id,
        "ActivityDate": (today + timedelta(days=channel.due_in_days)).isoformat(),
        "Priority": channel.priority.get(notice.severity or "", "Normal"), "Status": channel.open_status,
        "Description": "\n".join(lines)[:32000]}
    if owner:
        record["OwnerId"] = owner
    if channel.key_field:
        record[channel.key_field] = notice.key
    return record


# -- finding a Task by its key -------------------------------------------------------

def open_tasks(sf: SalesforceClient, keys: dict[str, str], key_field: str | None) -> dict[str, str]:
    """``{key: Task Id}`` of the open Tasks carrying these keys (``keys`` maps key → account Id).

    With ``key_field`` the key is a custom Task field filtered in SOQL; without
    it the key is a tag in the Description, which SOQL cannot filter (a long
    text area), so the open Tasks of the accounts are read and matched here.
    """
    found: dict[str, str] = {}
    items = sorted(keys.items())
    for start in range(0, len(items), COLLECTION_SIZE):
        chunk = items[start:start + COLLECTION_SIZE]
        if key_field:
            if not _FIELD.fullmatch(key_field):
                raise FieldError(f"notify key_field: '{key_field}' is not a field name")
            values = ", ".join(format_soql("{}", k) for k, _ in chunk)
            soql = f"SELECT Id, {key_field} FROM Task WHERE IsClosed = false AND {key_field} IN ({values})"
        else:
            whats = ", ".join(format_soql("{}", w) for w in sorted({w for _, w in chunk}))
            soql = f"SELECT Id, Description FROM Task WHERE IsClosed = false AND WhatId IN ({whats})"
        wanted = {k for k, _ in chunk}
        for rec in sf.query_records(soql):
            key = rec.get(key_field) if key_field else task_key_in(str(rec.get("Description") or ""))
            if key in wanted:
                found[str(key)] = str(rec["Id"])
    return found


def task_key_in(description: str) -> str | None:
    """The key tag csops writes in a Task's Description, when the team has no key field."""
    for line in description.splitlines():
        if line.strip().startswith(TASK_KEY_TAG):
            return line.strip()[len(TASK_KEY_TAG):].strip()
    return None
