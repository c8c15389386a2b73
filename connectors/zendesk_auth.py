"""How csops proves who it is to Zendesk: one object per run, shared by every Zendesk caller.

Zendesk is retiring API tokens (developer.zendesk.com, "Migrating from API tokens to OAuth access
tokens"): from 2026-07-28 a token unused for 30 days is deactivated, from 2026-10-27 no account can
create one, and on 2027-04-30 every one stops working.  The modes (``zendesk.auth``):

- ``client_credentials`` (cron, CI): ``POST /oauth/tokens`` with the confidential client's id and
  secret; the access token lives in memory for the run, renewed before ``expires_in`` runs out and once
  after a 401, never written anywhere.
- ``oauth`` (a person): ``csops auth zendesk`` runs the authorization-code flow with PKCE once and keeps
  the refresh token in a file of its own (mode 600).  Every run refreshes: Zendesk answers a new access
  *and* refresh token and deletes the previous pair ("Working with OAuth refresh tokens"), so the new
  refresh token is saved, atomically, before the new access token is used.
- ``api_token`` (e-mail + API token, Basic): works until 2027-04-30 with a warning; refused from then on.
- ``bearer``: an OAuth access token made elsewhere (``zendesk.oauth_token``).

The token endpoint is asked through a :class:`PolicySession` bound to the Zendesk origin, so neither a
client secret nor a refresh token follows a redirect to another host.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from base.errors import InputError, StorageFailure
from base.files import WriteError, write_file
from base.redact import redact, register_secret
from connectors.http import (
    AuthenticationFailed,
    CallStats,
    ConnectorError,
    PolicySession,
    RequestRejected,
    RetryPolicy,
    origin,
    show_origin,
)

log = logging.getLogger("csops.zendesk")

AUTH_MODES = ("client_credentials", "oauth", "api_token", "bearer")
DEFAULT_SCOPE = "read write"
#: Zendesk's scope words: read and write, alone or on one resource ("hc:write"), and impersonate.
SCOPE_RESOURCES = ("tickets", "users", "organizations", "hc", "auditlogs", "apps", "triggers", "automations",
                   "targets", "webhooks", "zis")
TOKEN_PATH = "/oauth/tokens"
AUTHORIZE_PATH = "/oauth/authorizations/new"
CURRENT_TOKEN_PATH = "/api/v2/oauth/tokens/current.json"
TOKEN_FILE_NAME = "zendesk-oauth.json"

API_TOKEN_IDLE_LIMIT = date(2026, 7, 28)
API_TOKEN_NO_NEW = date(2026, 10, 27)
API_TOKEN_END = date(2027, 4, 30)
API_TOKEN_RETIREMENT = (
    "zendesk.auth api_token: Zendesk is retiring API tokens: since 2026-07-28 a token unused for 30 days is "
    "deactivated, since 2026-10-27 no new token can be created, and on 2027-04-30 every API token stops working")
API_TOKEN_MIGRATION = (
    "move to OAuth: in Admin Center > Apps and integrations > APIs > OAuth clients add a Confidential client, then "
    "set zendesk.auth: client_credentials, zendesk.client_id (the client's Identifier) and zendesk.client_secret: "
    "${ZENDESK_CLIENT_SECRET}; run csops doctor (README: Connecting to Zendesk)")
RENEW_MARGIN_SECONDS = 60.0


class ApiTokenRetired(InputError, ConnectorError):
    """zendesk.auth api_token on or after the day Zendesk stops every API token (a configuration error: 78)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}. {API_TOKEN_MIGRATION}")
        self.reason = reason


class TokenFileError(StorageFailure, ConnectorError):
    """The saved sign-in cannot be written (exit 74, like the store)."""


@dataclass(frozen=True)
class Grant:
    """What the token endpoint answered (the tokens themselves are registered as secrets at once)."""

    access_token: str
    scopes: tuple[str, ...]
    expires_in: float | None
    refresh_token: str | None = None
    refresh_expires_in: float | None = None
    obtained_at: float = dataclasses.field(default_factory=time.time)

    @property
    def expires_at(self) -> datetime | None:
        return None if self.expires_in is None else _utc(self.obtained_at + self.expires_in)

    @property
    def refresh_expires_at(self) -> datetime | None:
        return None if self.refresh_expires_in is None else _utc(self.obtained_at + self.refresh_expires_in)


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0)


def check_api_token_date(today: date) -> None:
    if today >= API_TOKEN_END:
        raise ApiTokenRetired(f"zendesk.auth api_token: Zendesk stopped every API token on {API_TOKEN_END} "
                              f"(today is {today}); csops no longer sends one")


_warned: list[bool] = []


def warn_api_token() -> None:
    """Once per process: the run's log carries the retirement dates and the way out."""
    if not _warned:
        _warned.append(True)
        log.warning("%s; %s", API_TOKEN_RETIREMENT, API_TOKEN_MIGRATION)


class TokenEndpoint:
    """``POST {base}/oauth/tokens`` (JSON, as Zendesk documents it) and what its answers and errors mean."""

    def __init__(self, base_url: str, policy: RetryPolicy | None = None, stats: CallStats | None = None,
                 retry_lost_answer: bool = False) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = PolicySession("zendesk-oauth", policy, stats, origins=[self.base_url])
        self.session.headers["Accept"] = "application/json"
        if retry_lost_answer:  # a client_credentials grant sent twice only makes a second token
            self.session.idempotent_posts = (TOKEN_PATH,)

    def grant(self, body: dict[str, Any], what: str, fix: Callable[[str], str]) -> Grant:
        """The token the endpoint grants for ``body``; ``fix(error)`` says what to do about a refusal."""
        resp = self.session.post(self.base_url + TOKEN_PATH, json={k: v for k, v in body.items() if v is not None})
        data = _json(resp)
        if resp.status_code == 200 and isinstance(data, dict) and "access_token" in data:
            return _grant_from(data)
        if resp.status_code not in (400, 401, 403) or not isinstance(data, dict) or \
                not isinstance(data.get("error"), str):
            content = "non-JSON content" if data is None else "no token"
            raise RequestRejected(f"zendesk: {what}: {self.base_url}{TOKEN_PATH} answered ({resp.status_code}) with "
                                  f"{content}: is zendesk.base_url ({self.base_url}) a Zendesk instance?",
                                  resp.status_code)
        error = _printable(data["error"])[:60]
        detail = _printable(redact(str(data.get("error_description") or "")))[:200]
        raise AuthenticationFailed(f"zendesk: {what} refused: {error}{': ' + detail if detail else ''} — "
                                   f"{fix(error)}")


def _json(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _printable(text: str) -> str:
    """Remote text on one line with no control characters (it reaches a terminal)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _grant_from(data: dict[str, Any]) -> Grant:
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise RequestRejected("zendesk: the token endpoint answered without an access token", 200)
    register_secret(token)
    refresh = data.get("refresh_token")
    refresh = refresh if isinstance(refresh, str) and refresh else None
    register_secret(refresh)
    scope = data.get("scope")
    scopes = tuple(str(scope).split()) if isinstance(scope, str) else \
        tuple(str(s) for s in scope) if isinstance(scope, list) else ()
    return Grant(token, scopes, _seconds(data.get("expires_in")), refresh,
                 _seconds(data.get("refresh_token_expires_in")))


class ZendeskAuth(requests.auth.AuthBase):
    """Sets the ``Authorization`` header on every request of the sessions it is attached to."""

    mode = ""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self.authorization()
        return r

    def authorization(self) -> str:
        raise NotImplementedError

    def renew(self, rejected: str | None) -> bool:
        """After a 401 for the header ``rejected``: True when a request is worth sending again with a new one."""
        return False

    @property
    def granted(self) -> Grant | None:
        """The token endpoint's last answer (OAuth modes that obtain tokens), for doctor."""
        return None

    def refused_hint(self) -> str:
        return "check the Zendesk credentials in csops.yaml"


class ApiTokenAuth(ZendeskAuth):
    mode = "api_token"

    def __init__(self, email: str, token: str) -> None:
        self._header = "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()
        register_secret(self._header[6:])

    def authorization(self) -> str:
        return self._header

    def refused_hint(self) -> str:
        return ("check zendesk.email and zendesk.api_token (an API token, not a password; Zendesk deactivates one "
                "unused for 30 days)")


class BearerAuth(ZendeskAuth):
    mode = "bearer"

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def authorization(self) -> str:
        return self._header

    def refused_hint(self) -> str:
        return "zendesk.oauth_token is invalid, expired or revoked: make a new one, or use zendesk.auth: " \
               "client_credentials so csops obtains its own"


class _ExpiringAuth(ZendeskAuth):
    """An access token obtained from the token endpoint, kept in memory and renewed before it expires."""

    def __init__(self, endpoint: TokenEndpoint, clock: Callable[[], float] = time.monotonic) -> None:
        self.endpoint = endpoint
        self._clock = clock
        self._lock = threading.RLock()
        self._grant: Grant | None = None
        self._renew_at = 0.0

    @property
    def granted(self) -> Grant | None:
        return self._grant

    def authorization(self) -> str:
        with self._lock:
            if self._grant is None or self._clock() >= self._renew_at:
                self._take(self._obtain())
            return f"Bearer {self._grant.access_token}"  # type: ignore[union-attr]

    def renew(self, rejected: str | None) -> bool:
        with self._lock:
            if self._grant is not None and rejected != f"Bearer {self._grant.access_token}":
                return True  # renewed since that request was sent
            log.info("zendesk: the access token was refused (401); obtaining a new one")
            self._take(self._obtain())
            return True

    def _take(self, grant: Grant) -> None:
        self._grant = grant
        life = grant.expires_in
        # Renew a little before the end: a request in flight must not arrive with a token that just expired.
        self._renew_at = float("inf") if life is None else self._clock() + life - min(RENEW_MARGIN_SECONDS,
                                                                                      life / 10)

    def _obtain(self) -> Grant:
        raise NotImplementedError


class ClientCredentialsAuth(_ExpiringAuth):
    mode = "client_credentials"

    def __init__(self, endpoint: TokenEndpoint, client_id: str, client_secret: str, scope: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(endpoint, clock)
        self.client_id, self._secret, self.scope = client_id, client_secret, scope

    def _obtain(self) -> Grant:
        body = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self._secret,
                "scope": self.scope}
        return self.endpoint.grant(body, "the client credentials grant", _client_fix)

    def refused_hint(self) -> str:
        return "Zendesk refused an access token it had just issued: the OAuth client's user may lack access"


def _client_fix(error: str) -> str:
    return {
        "invalid_client": "check zendesk.client_id (the OAuth client's Identifier in Admin Center > Apps and "
                          "integrations > APIs > OAuth clients) and the secret zendesk.client_secret names",
        "unauthorized_client": "the OAuth client may not use this grant: client_credentials needs a Confidential "
                               "client (Admin Center > Apps and integrations > APIs > OAuth clients)",
        "unsupported_grant_type": "the OAuth client may not use this grant: client_credentials needs a Confidential "
                                  "client",
        "invalid_scope": "zendesk.scope asks for a scope Zendesk does not know or the client may not have",
    }.get(error, "check zendesk.client_id, zendesk.client_secret and zendesk.scope")


@dataclass
class SavedSignIn:
    """What ``csops auth zendesk`` keeps: the refresh token and whom it is for."""

    origin: str
    client_id: str
    refresh_token: str
    scope: str
    refresh_expires_at: str | None = None
    saved_at: str = ""


class TokenFile:
    """The refresh token's file: mode 600, replaced through the one file writer (an unpredictable temporary name in
    the same folder, O_EXCL and O_NOFOLLOW, fsync, rename; never through a link), so a run stopped at any instant
    leaves the old sign-in or the new one, never half a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> SavedSignIn | None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AuthenticationFailed(f"zendesk: cannot read the saved sign-in {self.path}: {exc.strerror}") \
                from None
        with open(fd, encoding="utf-8") as fh:  # read only: O_NOFOLLOW needs os.open
            mode = os.fstat(fh.fileno()).st_mode & 0o777
            text = fh.read()
        if mode & 0o077:
            log.warning("zendesk: %s is readable by others (mode %o): chmod 600 %s", self.path, mode, self.path)
        try:
            data = json.loads(text)
            saved = SavedSignIn(**{f.name: data.get(f.name) for f in dataclasses.fields(SavedSignIn)
                                   if f.name in data})
        except (ValueError, TypeError):
            raise AuthenticationFailed(f"zendesk: the saved sign-in {self.path} is not what csops wrote: run "
                                       "`csops auth zendesk` again") from None
        register_secret(saved.refresh_token)
        return saved

    def save(self, saved: SavedSignIn, rotated: bool = True) -> None:
        text = json.dumps(dataclasses.asdict(saved), indent=2) + "\n"
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_file(self.path, text, perms=0o600)
        except (OSError, WriteError) as exc:
            why = exc.reason if isinstance(exc, WriteError) else exc.strerror
            lost = "; Zendesk has already replaced the previous one" if rotated else ""
            raise TokenFileError(f"zendesk: cannot save the sign-in to {self.path} ({why}){lost}: fix that, then "
                                 f"{AGAIN}") from None


AGAIN = "run `csops auth zendesk` again"


class RefreshTokenAuth(_ExpiringAuth):
    """``oauth``: every access token comes from the saved refresh token, which rotates on each refresh."""

    mode = "oauth"

    def __init__(self, endpoint: TokenEndpoint, client_id: str, client_secret: str | None, file: TokenFile,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(endpoint, clock)
        self.client_id, self._secret, self.file = client_id, client_secret, file

    def saved(self) -> SavedSignIn:
        saved = self.file.load()
        here = show_origin(origin(self.endpoint.base_url))
        if saved is None:
            raise AuthenticationFailed(f"zendesk: no sign-in saved for {here} (zendesk.auth: oauth): run `csops auth "
                                       "zendesk` once (it opens the Zendesk authorization page)")
        if saved.origin != here or saved.client_id != self.client_id:
            raise AuthenticationFailed(f"zendesk: the sign-in saved in {self.file.path} is for {saved.origin} "
                                       f"(client {saved.client_id}), not {here} (client {self.client_id}): {AGAIN}")
        return saved

    def _obtain(self) -> Grant:
        saved = self.saved()
        body = {"grant_type": "refresh_token", "refresh_token": saved.refresh_token, "client_id": self.client_id,
                "client_secret": self._secret}
        grant = self.endpoint.grant(body, "refreshing the saved sign-in", lambda error: self._refresh_fix(error))
        if grant.refresh_token:
            # Zendesk has deleted the old pair: the new refresh token is saved before the access token is used.
            self.file.save(signed_in(self.endpoint.base_url, self.client_id, grant, saved.scope))
        return grant

    def _refresh_fix(self, error: str) -> str:
        if error == "invalid_grant":
            return (f"the refresh token saved in {self.file.path} expired (unused too long), was revoked, or was "
                    f"replaced by a run stopped before it could save the new one: {AGAIN}")
        return _client_fix(error) if error != "HTTP 401" else f"check zendesk.client_id and client_secret, then {AGAIN}"

    def refused_hint(self) -> str:
        return f"the access token from the saved sign-in was refused: {AGAIN}"


def signed_in(base_url: str, client_id: str, grant: Grant, scope: str) -> SavedSignIn:
    if not grant.refresh_token:
        raise AuthenticationFailed("zendesk: the token endpoint answered no refresh token, so csops cannot sign in "
                                   "again without you: check that the OAuth client allows the refresh token grant")
    expires = grant.refresh_expires_at
    return SavedSignIn(show_origin(origin(base_url)), client_id, grant.refresh_token,
                       " ".join(grant.scopes) or scope, expires.isoformat() if expires else None,
                       _utc(time.time()).isoformat())


# -- the authorization-code flow with PKCE (csops auth zendesk) -------------------------------------------
@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str
    state: str


def new_pkce() -> Pkce:
    """A code verifier (RFC 7636: 43-128 characters), its S256 challenge, and a state value."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return Pkce(verifier, challenge, secrets.token_urlsafe(24))


def authorization_url(base_url: str, client_id: str, redirect_uri: str, scope: str, pkce: Pkce) -> str:
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
             "state": pkce.state, "code_challenge": pkce.challenge, "code_challenge_method": "S256"}
    return f"{base_url.rstrip('/')}{AUTHORIZE_PATH}?{urlencode(query)}"


def exchange_code(endpoint: TokenEndpoint, client_id: str, client_secret: str | None, code: str,
                  redirect_uri: str, pkce: Pkce, scope: str) -> Grant:
    body = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": client_secret, "redirect_uri": redirect_uri, "code_verifier": pkce.verifier,
            "scope": scope}
    return endpoint.grant(body, "exchanging the authorization code", _code_fix)


def _code_fix(error: str) -> str:
    if error == "invalid_grant":
        return ("the code expired (Zendesk keeps it 120 seconds) or the redirect URL does not match one registered "
                "for the OAuth client: run `csops auth zendesk` again")
    return _client_fix(error)


def default_expiry_note(grant: Grant) -> str:
    """How long the tokens live, in words."""
    parts = []
    if grant.expires_in is not None:
        parts.append(f"access token for {timedelta(seconds=int(grant.expires_in))}")
    if grant.refresh_expires_at is not None:
        parts.append(f"refresh token until {grant.refresh_expires_at:%Y-%m-%d %H:%M} UTC unless used")
    return ", ".join(parts)
