"""Slack incoming webhooks: one Block Kit message per channel per run, or a daily digest.

    cs-alerts: {type: slack, webhook_env: SLACK_WEBHOOK_CS_ALERTS, resolved: true, max_items: 20}
    cs-digest: {type: slack, webhook_env: SLACK_WEBHOOK_CS_DIGEST, digest_at: "09:00"}

The webhook URL is a secret: the rule file names the environment variable that
holds it. A message is marked sent only after Slack answered ``ok``, so a crash
in that instant repeats it once (a webhook takes no idempotency key).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from base.schema import Number, Option, Pattern
from connectors.slack import SlackWebhook, WebhookURLError
from notify import words
from notify.channel import Channel, ChannelResult, Delivery, Emulator, Finding
from notify.outbox import NEW, RESOLVED, RUN, Notice

if TYPE_CHECKING:
    from base.schema import At

SEVERITY_ORDER = ("critical", "warning", "info")
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_MAX_ITEMS = "{path}: expected a whole number 1-40 (Slack allows 50 blocks a message)"


@dataclass
class SlackChannel(Channel):
    type = "slack"
    options: ClassVar[Mapping[str, Option]] = {
        "webhook_env": Pattern(regex=_ENV_NAME, required=True,
                               message="{path}: '{value}' is not an environment variable name (the URL is a secret: "
                                       "name the variable that holds it)"),
        "resolved": Option(),
        "digest_at": Pattern(regex=_HHMM, message='{path}: expected a time like "09:00"'),
        "max_items": Number(integer=True, minimum=1, maximum=40, message=_MAX_ITEMS, range_message=_MAX_ITEMS),
    }

    takes_run_messages = True
    account_fields = ("OwnerId",)  # the owner's name in each line

    webhook_env: str = ""
    resolved: bool = False
    digest_at: str | None = None
    max_items: int = 20

    @classmethod
    def parse(cls, name: str, values: dict[str, Any], at: At) -> SlackChannel:
        return cls(name, **{**values, "resolved": values.get("resolved") is True})

    @property
    def tells_resolved(self) -> bool:
        return self.resolved

    def webhook(self, out: Delivery) -> SlackWebhook:
        return SlackWebhook(out.env.get(self.webhook_env), self.webhook_env, out.policy)

    def deliver(self, notices: list[Notice], out: Delivery, result: ChannelResult) -> None:
        if self.digest_at and not self._digest_due(out):
            result.held = f"digest: sent after {self.digest_at} once a day"
            return
        for notice in (n for n in notices if n.kind == RUN):  # about csops itself: a message each
            self.webhook(out).post(run_message(notice))
            out.outbox.delivered([notice])
            result.delivered += 1
        alerts = [n for n in notices if n.kind != RUN]
        if alerts:
            owners = out.owner_names({n.owner for n in alerts if n.owner})
            self.webhook(out).post(message(self, alerts, out.account_link, out.today, owners))
            out.outbox.delivered(alerts)
            result.delivered += len(alerts)

    def _digest_due(self, out: Delivery) -> bool:
        """Past ``digest_at`` in the rules' time zone, and nothing sent here yet that day."""
        assert self.digest_at is not None
        hh, mm = (int(x) for x in self.digest_at.split(":"))
        if (out.now_local.hour, out.now_local.minute) < (hh, mm):
            return False
        last = out.outbox.last_delivery(self.name)
        return last is None or last.astimezone(out.now_local.tzinfo).date() < out.now_local.date()

    def doctor(self, env: Mapping[str, str]) -> list[Finding]:
        """The webhook variable is set and holds a Slack URL (nothing is posted)."""
        try:
            SlackWebhook(env.get(self.webhook_env), self.webhook_env)
        except WebhookURLError as exc:
            return [Finding(False, str(exc), f"export {self.webhook_env}=<the incoming webhook URL>; then: "
                                             f"csops notify --test {self.name}")]
        return [Finding(True, f"webhook URL in {self.webhook_env}; csops notify --test {self.name} posts a test "
                              "message")]

    def send_test(self, out: Delivery) -> None:
        self.webhook(out).post(probe_message(self, out.today))

    def sandbox_env(self, emulator: Emulator, env: Mapping[str, str]) -> dict[str, str]:
        return {self.webhook_env: emulator.slack_webhook(self.name, env.get(self.webhook_env))}


# -- the message -----------------------------------------------------------------

def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _line(notice: Notice, link: Callable[[str], str | None], owners: Mapping[str, str]) -> str:
    """One alert: the account (linked), its state and the alert's title; its next step on a second line."""
    p = notice.payload
    lang = words.language(p)
    name = _esc(notice.account_name[:100]).replace("|", "¦")
    url = link(notice.account_id)
    shown = f"<{url}|{name}>" if url else name
    owner = owners.get(notice.owner or "") or notice.owner
    facts = " · ".join(_esc(str(x)[:100]) for x in words.facts(lang, p, owner))
    title = _esc(str(p.get("title") or "")[:200])
    action = p.get("action") if notice.kind == NEW else None
    line = f"• *{shown}*" + (f" · {facts}" if facts else "") + f" — {title}"
    return line + (f"\n      → {_esc(words.next_step(lang, str(action)[:300]))}" if action else "")


def _sections(title: str | None, lines: list[str]) -> list[dict[str, Any]]:
    """Lines under a bold title (or none), packed into section blocks of at most 3,000 characters each."""
    blocks: list[dict[str, Any]] = []
    text = "" if title is None else f"*{title}*"
    for line in lines:
        if not text:
            text = line[:SECTION_LIMIT]
        elif len(text) + 1 + len(line) > SECTION_LIMIT:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
            text = line[:SECTION_LIMIT]
        else:
            text += "\n" + line
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return blocks


def message(channel: SlackChannel, notices: list[Notice], link: Callable[[str], str | None],
            today: date, owners: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One Block Kit message for a channel's pending notices: new alerts by severity, then resolved ones, in the
    rule file's language, each with the account's state, owner (``owners``: User Id → name) and next step.

    Within Slack's limits (50 blocks, 3,000 characters a section, 150 a header):
    at most ``channel.max_items`` alerts are listed; the rest are counted.
    """
    owners = owners or {}
    lang = words.language(notices[0].payload) if notices else "en"
    new = [n for n in notices if n.kind == NEW]
    resolved = [n for n in notices if n.kind == RESOLVED]
    counts = {s: sum(1 for n in new if n.severity == s) for s in SEVERITY_ORDER}
    head = words.header(lang, len(new), counts, len(resolved))
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": head[:150]}}]
    budget = channel.max_items
    groups = [(s, [n for n in new if n.severity == s]) for s in SEVERITY_ORDER]
    for severity, group in [*groups, (None, resolved)]:
        if not group:
            continue
        shown = group[:max(budget, 0)]
        budget -= len(shown)
        lines = [_line(n, link, owners) for n in shown]
        if len(group) > len(shown):
            lines.append(words.more(lang, len(group) - len(shown), severity))
        blocks += _sections(words.group_title(lang, severity, len(group)), lines)
    blocks = blocks[:MAX_BLOCKS - 1]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"csops sync · {today.isoformat()}"}]})
    return {"text": head, "blocks": blocks}


def run_message(notice: Notice) -> dict[str, Any]:
    """A message about csops's own runs (notify.ops): its title as the header, its lines as text."""
    title = str(notice.payload.get("title") or notice.alert_id)
    lines = [_esc(str(line)[:500]) for line in notice.payload.get("lines") or [] if str(line).strip()]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    if lines:
        blocks += _sections(None, lines)[:MAX_BLOCKS - 2]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"csops · {notice.occurrence[:16]}Z"}]})
    return {"text": title, "blocks": blocks}


def probe_message(channel: SlackChannel, today: date) -> dict[str, Any]:
    text = f"csops: test message for channel '{channel.name}' ({today.isoformat()}). Alerts will arrive here."
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": _esc(text)}}]}
