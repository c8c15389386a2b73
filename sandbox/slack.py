"""Slack incoming webhooks: ``POST /slack/services/<team>/<bot>/<token>``.

As strict as Slack (api.slack.com changelog 2016-05-17 "Improving error
conditions for Incoming Webhooks"; docs.slack.dev incoming webhooks and Block
Kit limits): ``200 ok`` as plain text; errors as plain-text codes with their
status — 400 ``invalid_payload`` (not JSON), ``no_text`` (neither text nor
blocks), ``invalid_blocks`` (more than 50 blocks, a section over 3,000
characters, a header over 150); 403 ``invalid_token`` (unknown token); 404
``no_service`` (webhook removed) and ``channel_not_found``; 410
``channel_is_archived``.  About one message a second per webhook: a second
message within the same second gets 429 with ``Retry-After: 1``.  A webhook
cannot override channel, username or icon: those keys are ignored.

Test hooks: ``add_webhook`` returns a URL; ``state`` sets a webhook's failure
("archived", "removed", "channel_not_found"); ``hold`` makes the next message
wait in the emulator (``held`` is set when it arrives) until ``release``; a
message released with ``drop=True`` is never recorded, as when its sender died.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from sandbox.server import Sandbox

ERRORS = {"archived": (410, "channel_is_archived"), "removed": (404, "no_service"),
          "channel_not_found": (404, "channel_not_found"), "prohibited": (403, "action_prohibited")}


@dataclass
class Webhook:
    channel: str
    state: str = "ok"
    last_post: float | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[float] = field(default_factory=list)  # monotonic time of every post that reached the hook


def _text(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status=status, headers=headers, content_type="text/html")


class SlackAPI:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.hooks: dict[str, Webhook] = {}
        self.rate_limit_seconds = 1.0
        self.limit_next = 0  # answer this many next posts with 429 (Retry-After: 1), whatever their timing
        self.hold_next = False
        self.held = threading.Event()
        self._release = threading.Event()
        self._drop = False
        sb.route("/slack/services/<team>/<bot>/<token>", "POST", self.post)

    def add_webhook(self, channel: str, current: str | None = None) -> str:
        """A new webhook's URL; ``current``, a URL of this emulator's form on its address (from a previous run on
        the same port), is taken over with its token instead."""
        kept = re.fullmatch(re.escape(self.sb.url) + r"/slack/services/T0SANDBOX/B\d{7}/([A-Za-z0-9]{20,})",
                            current or "")
        token = kept.group(1) if kept else secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
        self.hooks[token] = Webhook(channel)
        return current if kept and current else f"{self.sb.url}/slack/services/T0SANDBOX/B{len(self.hooks):07d}/{token}"

    def hook(self, channel: str) -> Webhook:
        return next(h for h in self.hooks.values() if h.channel == channel)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        return list(self.hook(channel).messages)

    def state(self, channel: str, state: str) -> None:
        self.hook(channel).state = state

    def hold(self) -> None:
        self.hold_next, self._drop = True, False
        self.held.clear()
        self._release.clear()

    def release(self, drop: bool = False) -> None:
        self._drop = drop
        self._release.set()

    def post(self, request: Request, args: dict[str, Any]) -> Response:
        hook = self.hooks.get(args["token"])
        if hook is None:
            return _text(403, "invalid_token")
        if hook.state in ERRORS:
            return _text(*ERRORS[hook.state])
        try:
            body = json.loads(request.get_data(as_text=True))
        except ValueError:
            return _text(400, "invalid_payload")
        if not isinstance(body, dict):
            return _text(400, "invalid_payload")
        problem = _check_message(body)
        if problem:
            return _text(400, problem)
        now = time.monotonic()
        with self.sb.lock:
            hook.attempts.append(now)
            limited = self.limit_next > 0 or (hook.last_post is not None and
                                               now - hook.last_post < self.rate_limit_seconds)
            self.limit_next = max(0, self.limit_next - 1)
            if limited:
                return _text(429, "rate_limited", {"Retry-After": "1"})
            hook.last_post = now
            held, self.hold_next = self.hold_next, False
        if held:
            self.held.set()
            self._release.wait(timeout=30)
            if self._drop:
                return _text(500, "rollup_error")
        with self.sb.lock:
            hook.messages.append({k: v for k, v in body.items() if k not in ("channel", "username", "icon_emoji",
                                                                              "icon_url")})
        return _text(200, "ok")


def _check_message(body: dict[str, Any]) -> str | None:
    blocks = body.get("blocks")
    if not body.get("text") and not blocks:
        return "no_text"
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            return "invalid_blocks"
        text = block.get("text")
        if isinstance(text, dict):
            limit = 150 if block["type"] == "header" else 3000
            if not isinstance(text.get("text"), str) or len(text["text"]) > limit:
                return "invalid_blocks"
            if block["type"] == "header" and text.get("type") != "plain_text":
                return "invalid_blocks"
    return None
