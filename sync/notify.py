"""Alerts that reach people: the outbox, written with the alert changes, and its delivery.

A sync records each notification in ``notify_outbox`` in the same transaction
as the alert change that causes it, and delivers after.  A run killed in
between delivers next run.  Tasks are exactly once: each carries a key
(account, alert, first day seen) and delivery looks the key up before creating.
A Slack message is marked sent only after Slack answered ``ok``, so a crash in
that instant repeats it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from connectors.http import ConnectorError
from connectors.redact import redact
from connectors.salesforce import TASK_KEY_TAG, SalesforceClient
from connectors.slack import SlackWebhook
from rules.engine import Evaluation
from rules.notify import Channel, NotifySpec
from rules.ruleset import RuleSet
from store import Store
from sync.record import AlertChanges

log = logging.getLogger("csops.notify")

NEW, RESOLVED = "new", "resolved"
SEVERITY_ORDER = ("critical", "warning", "info")
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
OutboxRow = tuple[str, str, str, str, str, dict[str, Any]]


def task_key(account_id: str, alert_id: str, occurrence: str) -> str:
    return f"{account_id}:{alert_id}:{occurrence}"


def _key(row: dict[str, Any]) -> str:
    return task_key(row["account_id"], row["alert_id"], row["occurrence"])


Announcements = dict[tuple[str, str], tuple[str, list[str]]]


def plan_notifications(spec: NotifySpec, rules: RuleSet, changes: AlertChanges,
                       evaluations: Iterable[Evaluation], accounts: dict[str, dict[str, Any]],
                       announced: Announcements, today: date) -> list[OutboxRow]:
    """The outbox rows for new and resolved alerts: (channel, kind, account, alert, occurrence, payload).

    A new alert goes where the routes send it now (the account's product, tier and
    status today). A resolved one goes only where its announcement went (``announced``:
    :meth:`Store.alert_announcements`), whatever the account's state when it clears: a
    Task created for a stalled tier-A account is completed after the account escalated
    or moved to tier B, and a channel that never announced an alert never lists it as
    resolved. A Slack channel without ``resolved: true`` is not told either way.
    """
    by_id = {ev.id: ev for ev in evaluations}
    meta = {a.id: (a.severity, a.title) for a in rules.alerts}
    rows: list[OutboxRow] = []
    for kind, keys in ((NEW, changes.new), (RESOLVED, changes.resolved)):
        for account_id, alert_id in keys:
            ev = by_id.get(account_id)
            severity, title = meta.get(alert_id, ("warning", alert_id))
            fields = accounts.get(account_id, {})
            payload = {"account": fields.get("Name"), "owner": fields.get("OwnerId"), "severity": severity,
                       "title": title, "product": ev.product if ev else None, "status": ev.status if ev else None,
                       "tier": ev.tier if ev else None}
            if kind == NEW:
                occurrence = today.isoformat()
                channels = spec.channels_for(alert_id, severity, payload["product"], payload["tier"],
                                             payload["status"])
            else:
                occurrence, names = announced.get((account_id, alert_id), ("", []))
                channels = [spec.channels[n] for n in dict.fromkeys(names) if n in spec.channels]
                channels = [c for c in channels if not c.is_slack or c.resolved]
            rows += [(channel.name, kind, account_id, alert_id, occurrence, payload) for channel in channels]
    return rows


def enqueue(store: Store, rules: RuleSet, changes: AlertChanges, evaluations: Iterable[Evaluation],
            today: date, run_id: int | None) -> int:
    """Record the notifications these alert changes cause; call inside the transaction that records them."""
    if not rules.notify.enabled or not (changes.new or changes.resolved):
        return 0
    accounts = store.account_fields(a for a, _ in [*changes.new, *changes.resolved])
    announced = store.alert_announcements(changes.resolved, today.isoformat())
    rows = plan_notifications(rules.notify, rules, changes, evaluations, accounts, announced, today)
    return store.enqueue_notifications(rows, run_id)


# -- delivery ------------------------------------------------------------------

@dataclass
class ChannelResult:
    channel: str
    type: str
    delivered: int = 0
    pending: int = 0
    held: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    created: int = 0
    completed: int = 0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.channel, "type": self.type, "delivered": self.delivered,
                               "pending": self.pending}
        if self.type == "salesforce_task":
            out.update(created=self.created, completed=self.completed)
        for key in ("held", "error"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.notes:
            out["notes"] = self.notes
        return out


@dataclass
class DeliveryReport:
    channels: list[ChannelResult] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(c.error for c in self.channels)

    def summary(self) -> list[dict[str, Any]]:
        return [c.summary() for c in self.channels]


WebhookFactory = Callable[[Channel], SlackWebhook]


@dataclass
class Deliverer:
    """Delivers the outbox: one Slack message per channel per run, Tasks through their keys."""

    store: Store
    spec: NotifySpec
    today: date
    now_local: datetime
    webhook: WebhookFactory
    salesforce: Callable[[], SalesforceClient] | None = None
    instance_url: str | None = None

    def deliver(self) -> DeliveryReport:
        report = DeliveryReport()
        for channel in self.spec.channels.values():
            rows = self.store.pending_notifications(channel.name)
            if not rows:
                continue
            result = ChannelResult(channel.name, channel.type)
            report.channels.append(result)
            try:
                if channel.is_slack:
                    self._slack(channel, rows, result)
                else:
                    self._tasks(channel, rows, result)
            except ConnectorError as exc:
                result.error = redact(str(exc))
                self.store.mark_failed([r["id"] for r in rows], result.error)
                log.warning("notify %s: %s", channel.name, result.error)
            result.pending = len(self.store.pending_notifications(channel.name))
        return report

    # -- Slack -----------------------------------------------------------------
    def _slack(self, channel: Channel, rows: list[dict[str, Any]], result: ChannelResult) -> None:
        if channel.digest_at and not self._digest_due(channel):
            result.held = f"digest: sent after {channel.digest_at} once a day"
            return
        message = slack_message(channel, rows, self.account_link, self.today)
        self.webhook(channel).post(message)
        self.store.mark_delivered(r["id"] for r in rows)
        result.delivered = len(rows)

    def _digest_due(self, channel: Channel) -> bool:
        assert channel.digest_at is not None
        hh, mm = (int(x) for x in channel.digest_at.split(":"))
        if (self.now_local.hour, self.now_local.minute) < (hh, mm):
            return False
        last = self.store.last_delivery(channel.name)
        if last is None:
            return True
        sent = datetime.fromisoformat(last.replace("Z", "+00:00"))
        tz = self.now_local.tzinfo
        return sent.astimezone(tz).date() < self.now_local.date()

    def account_link(self, account_id: str) -> str | None:
        if not self.instance_url:
            return None
        return f"{self.instance_url.rstrip('/')}/lightning/r/Account/{account_id}/view"

    # -- Salesforce Tasks ------------------------------------------------------
    def _tasks(self, channel: Channel, rows: list[dict[str, Any]], result: ChannelResult) -> None:
        if self.salesforce is None:
            raise ConnectorError(f"notify {channel.name}: Salesforce is not configured")
        sf = self.salesforce()
        resolved = [r for r in rows if r["kind"] == RESOLVED]
        ending = {_key(r) for r in resolved}
        new = [r for r in rows if r["kind"] == NEW and _key(r) not in ending]
        # An alert that cleared before its Task was created gets none: completing it (below) still
        # closes a Task created by a run that was killed before it could record the creation.
        self.store.mark_delivered(r["id"] for r in rows if r["kind"] == NEW and _key(r) in ending)
        if new:
            self._create_tasks(sf, channel, new, result)
        if resolved:
            self._complete_tasks(sf, channel, resolved, result)

    def _create_tasks(self, sf: SalesforceClient, channel: Channel, rows: list[dict[str, Any]],
                      result: ChannelResult) -> None:
        """Create the Tasks not already open under their key, 200 a call; owners found inactive get the fallback."""
        keyed = {_key(r): r for r in rows}
        existing = sf.open_tasks({k: r["account_id"] for k, r in keyed.items()}, channel.key_field)
        done = [r["id"] for k, r in keyed.items() if k in existing]
        todo = [(k, r) for k, r in keyed.items() if k not in existing]
        failed: list[tuple[dict[str, Any], str]] = []
        inactive = sf.inactive_users({r["payload"]["owner"] for _, r in todo if r["payload"].get("owner")}) \
            if channel.fallback_owner and todo else set()
        owners = {k: channel.fallback_owner if r["payload"].get("owner") in inactive else
                  (r["payload"].get("owner") or channel.fallback_owner) for k, r in todo}
        records = [self._task_record(channel, k, r, owners[k]) for k, r in todo]
        late: list[tuple[str, dict[str, Any]]] = []
        for (k, r), outcome in zip(todo, sf.create("Task", records), strict=True):
            if outcome.id:
                done.append(r["id"])
                result.created += 1
                if r["payload"].get("owner") in inactive:
                    result.notes.append(self._fallback_note(channel, r))
            elif outcome.status_code == "INACTIVE_OWNER_OR_USER" and channel.fallback_owner and \
                    owners[k] != channel.fallback_owner:
                late.append((k, r))  # deactivated since the lookup
            else:
                failed.append((r, f"{outcome.status_code}: {outcome.message}"))
        if late:
            again = [self._task_record(channel, k, r, channel.fallback_owner) for k, r in late]
            for (_, r), outcome in zip(late, sf.create("Task", again), strict=True):
                if outcome.id:
                    done.append(r["id"])
                    result.created += 1
                    result.notes.append(self._fallback_note(channel, r))
                else:
                    failed.append((r, f"{outcome.status_code}: {outcome.message}"))
        self._settle(done, failed, result, "create the Task")

    @staticmethod
    def _fallback_note(channel: Channel, row: dict[str, Any]) -> str:
        return (f"{row['account_id']} ({row['payload'].get('account') or '?'}): owner {row['payload'].get('owner')} "
                f"is inactive; Task assigned to the fallback owner {channel.fallback_owner}")

    def _settle(self, done: list[int], failed: list[tuple[dict[str, Any], str]], result: ChannelResult,
                what: str) -> None:
        self.store.mark_delivered(done)
        result.delivered += len(done)
        for row, why in failed:
            self.store.mark_failed([row["id"]], why)
        if failed:
            first_row, first_why = failed[0]
            result.error = (f"Salesforce refused to {what} for {len(failed)} alert(s), e.g. "
                            f"{first_row['account_id']} {first_row['alert_id']}: {first_why}")

    def _task_record(self, channel: Channel, key: str, row: dict[str, Any], owner: str | None) -> dict[str, Any]:
        p = row["payload"]
        link = self.account_link(row["account_id"])
        lines = [p.get("title") or row["alert_id"], "",
                 f"Account: {p.get('account') or row['account_id']}", f"Product: {p.get('product') or '-'}",
                 f"Onboarding status: {p.get('status') or '-'}", f"Alert: {row['alert_id']} ({p.get('severity')}), "
                 f"first seen {row['occurrence']}"]
        if link:
            lines.append(link)
        lines += ["", f"{TASK_KEY_TAG} {key}"]
        record: dict[str, Any] = {
            "Subject": (p.get("title") or row["alert_id"])[:255], "WhatId": row["account_id"],
            "ActivityDate": (self.today + timedelta(days=channel.due_in_days)).isoformat(),
            "Priority": channel.priority.get(p.get("severity") or "", "Normal"), "Status": channel.open_status,
            "Description": "\n".join(lines)[:32000]}
        if owner:
            record["OwnerId"] = owner
        if channel.key_field:
            record[channel.key_field] = key
        return record

    def _complete_tasks(self, sf: SalesforceClient, channel: Channel, rows: list[dict[str, Any]],
                        result: ChannelResult) -> None:
        keyed = {_key(r): r for r in rows}
        existing = sf.open_tasks({k: r["account_id"] for k, r in keyed.items()}, channel.key_field)
        changes = {existing[k]: {"Status": channel.done_status} for k in keyed if k in existing}
        outcome = sf.update(changes, sobject="Task")
        refused = {f.id: f"{f.status_code}: {f.message}" for f in outcome.failed}
        done = [r["id"] for k, r in keyed.items() if existing.get(k) not in refused]
        failed = [(r, refused[existing[k]]) for k, r in keyed.items() if existing.get(k) in refused]
        result.completed += len(outcome.written)
        self._settle(done, failed, result, "complete the Task")


# -- the Slack message -------------------------------------------------------------

def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _line(row: dict[str, Any], link: Callable[[str], str | None]) -> str:
    p = row["payload"]
    name = _esc(str(p.get("account") or row["account_id"])[:100]).replace("|", "¦")
    url = link(row["account_id"])
    shown = f"<{url}|{name}>" if url else name
    facts = " · ".join(_esc(x) for x in (p.get("product"), p.get("status")) if x)
    return f"• *{shown}*" + (f" · {facts}" if facts else "") + f" — {_esc(str(p.get('title') or '')[:200])}"


def _sections(title: str, lines: list[str]) -> list[dict[str, Any]]:
    """Lines under a bold title, packed into section blocks of at most 3,000 characters each."""
    blocks: list[dict[str, Any]] = []
    text = f"*{title}*"
    for line in lines:
        if len(text) + 1 + len(line) > SECTION_LIMIT:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
            text = line[:SECTION_LIMIT]
        else:
            text += "\n" + line
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return blocks


def slack_message(channel: Channel, rows: list[dict[str, Any]], link: Callable[[str], str | None],
                  today: date) -> dict[str, Any]:
    """One Block Kit message for a channel's pending rows: new alerts by severity, then resolved ones.

    Within Slack's limits (50 blocks, 3,000 characters a section, 150 a header):
    at most ``channel.max_items`` alerts are listed; the rest are counted.
    """
    new = [r for r in rows if r["kind"] == NEW]
    resolved = [r for r in rows if r["kind"] == RESOLVED]
    counts = {s: sum(1 for r in new if r["payload"].get("severity") == s) for s in SEVERITY_ORDER}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    head = f"csops: {len(new)} new alert{'s' if len(new) != 1 else ''}" + (f" ({summary})" if summary else "")
    if resolved:
        head += f", {len(resolved)} resolved"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": head[:150]}}]
    budget = channel.max_items
    for severity in SEVERITY_ORDER:
        group = [r for r in new if r["payload"].get("severity") == severity]
        if not group:
            continue
        shown = group[:max(budget, 0)]
        budget -= len(shown)
        lines = [_line(r, link) for r in shown]
        if len(group) > len(shown):
            lines.append(f"…and {len(group) - len(shown)} more ({severity}): `csops alerts` lists them all")
        blocks += _sections(f"{severity.capitalize()} ({len(group)})", lines)
    if resolved:
        shown = resolved[:max(budget, 0)]
        lines = [_line(r, link) for r in shown]
        if len(resolved) > len(shown):
            lines.append(f"…and {len(resolved) - len(shown)} more resolved")
        blocks += _sections(f"Resolved ({len(resolved)})", lines)
    blocks = blocks[:MAX_BLOCKS - 1]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"csops sync · {today.isoformat()}"}]})
    return {"text": head, "blocks": blocks}


def probe_message(channel: Channel, today: date) -> dict[str, Any]:
    text = f"csops: test message for channel '{channel.name}' ({today.isoformat()}). Alerts will arrive here."
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": _esc(text)}}]}
