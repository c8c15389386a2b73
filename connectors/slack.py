"""Slack incoming webhooks, through the one HTTP policy.

Facts this client is built on (api.slack.com changelog 2016-05-17 "Improving
error conditions for Incoming Webhooks", and Slack's webhook docs): a webhook
answers ``200 ok``; errors are plain-text codes with the status: 400
``invalid_payload`` / ``no_text`` / ``invalid_blocks``, 403 ``invalid_token`` /
``action_prohibited``, 404 ``channel_not_found`` / ``no_service``, 410
``channel_is_archived``, 429 with ``Retry-After``, 500 ``rollup_error``.
About one message a second per webhook (short bursts allowed).  429 and 5xx are
retried by :class:`PolicySession`; every other 4xx is permanent and reported
with what to fix.

The webhook URL is the credential: it is registered for redaction (whole, path
and token) and sent only to Slack's hosts or to a loopback sandbox.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from base.errors import InputError
from base.redact import redact, register_secret
from connectors.http import CallStats, ConnectorError, PolicySession, RetryPolicy, is_loopback, origin, show_origin

SLACK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")
MIN_INTERVAL_SECONDS = 1.0

FIXES = {
    "invalid_payload": "the message was not valid JSON for Slack (a csops bug: report it with the run log)",
    "invalid_blocks": "a Block Kit block broke Slack's limits (a csops bug: report it with the run log)",
    "no_text": "the message had no text (a csops bug: report it with the run log)",
    "invalid_token": "the webhook URL is wrong or was revoked: create a new incoming webhook and put its URL "
                     "in {env}",
    "no_service": "the webhook was removed or its app uninstalled: create a new incoming webhook and put its "
                  "URL in {env}",
    "channel_not_found": "the webhook's channel no longer exists: create a webhook for another channel and put "
                         "its URL in {env}",
    "channel_is_archived": "the webhook's channel is archived: unarchive it, or create a webhook for another "
                           "channel and put its URL in {env}",
    "action_prohibited": "a workspace admin restricts posting there: ask them, or use another channel's webhook "
                         "in {env}",
    "user_not_found": "the webhook's user no longer exists: create a new incoming webhook and put its URL in {env}",
}


class SlackError(ConnectorError):
    """Slack refused a message for good (a 4xx other than 429): retrying will not help."""

    def __init__(self, message: str, status: int, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class WebhookURLError(InputError, ConnectorError):
    """The configured webhook URL is missing, malformed or does not point at Slack."""


def _malformed(url: str) -> str | None:
    """What makes ``url`` no URL at all, or None (where it points is checked after)."""
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return "it holds a space, a line break or another control character"
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        return "its port is not a number from 0 to 65535" if "port" in str(exc) else "it cannot be read as a URL"
    return None


_last_post: dict[str, float] = {}
_pace_lock = threading.Lock()


class SlackWebhook:
    """One incoming webhook. ``post`` sends a message, at most one a second per webhook."""

    def __init__(self, url: str | None, env_name: str = "the webhook variable", policy: RetryPolicy | None = None,
                 stats: CallStats | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.env_name = env_name
        if not url:
            raise WebhookURLError(f"slack: {env_name} is not set (the incoming webhook URL, from Slack's app "
                                  "settings > Incoming Webhooks)")
        url = url.strip()
        problem = _malformed(url)
        if problem:
            register_secret(url)
            raise WebhookURLError(f"slack: {env_name} is not a webhook URL csops can use: {problem} (the URL is a "
                                  "secret and is not shown)")
        parts = urlsplit(url)
        host = parts.hostname or ""
        secure = parts.scheme == "https" and host in SLACK_HOSTS
        if not (secure or (parts.scheme == "http" and is_loopback(host))):
            register_secret(url)
            raise WebhookURLError(f"slack: {env_name} must be an https://hooks.slack.com/services/… URL (got one "
                                  f"for host '{host or '?'}'); the URL is a secret and is sent only to Slack")
        self.url = url
        for secret in (url, parts.path, parts.path.rsplit("/", 1)[-1]):
            register_secret(secret)
        # A webhook never redirects (it is not part of the protocol): a redirect is handed back, not followed.
        self.session = PolicySession("slack", policy, stats, sleep=sleep, origins=[url], redirects="never")
        self._sleep = sleep

    def _pace(self) -> None:
        with _pace_lock:
            last = _last_post.get(self.url)
            now = time.monotonic()
            if last is not None and now - last < MIN_INTERVAL_SECONDS:
                self._sleep(MIN_INTERVAL_SECONDS - (now - last))
            _last_post[self.url] = time.monotonic()

    def post(self, payload: dict[str, Any]) -> None:
        """Send one message; raise :class:`SlackError` for a permanent refusal, ServiceUnavailable past retries."""
        self._pace()
        resp = self.session.post(self.url, json=payload)
        if resp.status_code == 200:
            return
        if 300 <= resp.status_code < 400:
            there = show_origin(origin(urljoin(self.url, resp.headers.get("Location", ""))))
            raise SlackError(f"slack: the webhook in {self.env_name} answered {resp.status_code}, a redirect to "
                             f"{there}: not followed and the message not sent (a webhook URL is a secret and "
                             f"messages go only to it); check the URL in {self.env_name}", resp.status_code,
                             f"http_{resp.status_code}")
        code = resp.text.strip().splitlines()[0][:80] if resp.text.strip() else f"http_{resp.status_code}"
        fix = FIXES.get(code, "Slack refused the message; check the webhook in Slack's app settings and "
                              "{env}").format(env=self.env_name)
        raise SlackError(redact(f"slack: webhook in {self.env_name} answered {resp.status_code} {code}: {fix}"),
                         resp.status_code, code)
