"""Zendesk OAuth emulation: the token endpoint, the authorization page, token lookup and scopes.

Sources (REFERENCE.md "Added 2026-12-07 (round 3)" and "Zendesk OAuth, more"):

- ``POST /oauth/tokens`` takes JSON (Zendesk: "parameters must be formatted as JSON") with ``grant_type``
  ``client_credentials`` (a confidential client: ``client_id``, ``client_secret``, ``scope``),
  ``authorization_code`` (``code``, valid 120 seconds and once, ``client_id``, ``client_secret`` for a
  confidential client, ``redirect_uri`` equal to the one of the authorization request, ``code_verifier`` when
  the request carried a PKCE ``code_challenge``: S256 only) or ``refresh_token``.  It answers
  ``access_token``, ``token_type: bearer``, ``scope``, ``expires_in`` and, except for client credentials,
  ``refresh_token`` and ``refresh_token_expires_in``.  Errors: 400/401 ``{"error", "error_description"}`` with
  ``invalid_client``, ``invalid_grant`` (expired, revoked or reused code or refresh token), ``invalid_request``,
  ``unsupported_grant_type``.
- A refresh answers a new access token and a new refresh token and deletes the previous pair at once: the old
  refresh token answers ``invalid_grant`` and the old access token 401.
- ``expires_in`` may be requested (more than 300 and less than 172,800 seconds); new clients default to 30
  minutes for access tokens and 30 days for refresh tokens.  ``Options.oauth_access_ttl`` shortens the default
  (a sandbox-only knob, so tests can cross an expiry within a run).
- Scopes: ``read`` (GET) and ``write`` (the rest), alone or per resource (``tickets:read``, ``hc:write``…);
  a request outside the token's scope answers 403 "Forbidden".
- ``GET /api/v2/oauth/tokens/current.json`` describes the token in use: its scopes, ``expires_at``, the first
  10 characters of the token, and (Zendesk returns it) the refresh token.
- ``GET /oauth/authorizations/new`` (``response_type=code``, ``client_id``, ``redirect_uri``, ``scope``,
  ``state``, ``code_challenge``, ``code_challenge_method``) shows a page with Allow and Deny, here a plain form
  a test can submit over HTTP; the decision redirects to ``redirect_uri`` with ``code`` and ``state``, or
  ``error=access_denied``.  A redirect URI must match one registered for the client; a registered loopback URI
  without a port matches any port (RFC 8252 §7.3), and a non-https one is refused unless it is loopback.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from sandbox.server import Sandbox

from sandbox.web import json_response

CODE_SECONDS = 120
FORBIDDEN = {"error": "Forbidden",
             "description": "You do not have access to this page. Please contact the account owner of this help "
                            "desk for further help."}
INVALID_TOKEN = {"error": "invalid_token",
                 "error_description": "The access token provided is expired, revoked, malformed or invalid for other "
                                      "reasons."}


@dataclass
class Token:
    id: int
    access: str
    scopes: list[str]
    expires_at: float
    refresh: str | None = None
    refresh_expires_at: float | None = None
    created_at: float = field(default_factory=time.time)
    used_at: float | None = None


@dataclass
class Code:
    client_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str | None
    expires_at: float


def _stamp(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resource_of(path: str) -> str | None:
    """Which scope resource guards ``path`` (None: any valid token may call it)."""
    if path.startswith(("/api/v2/help_center", "/api/v2/guide", "/hc/")):
        return "hc"
    if path.startswith(("/api/v2/incremental/tickets", "/api/v2/tickets")):
        return "tickets"
    if path.startswith(("/api/v2/incremental/organizations", "/api/v2/organizations")):
        return "organizations"
    if path.startswith("/api/v2/users"):
        return "users"
    if path.startswith("/api/v2/oauth/tokens/current"):
        return None
    return "other"


class ZendeskOAuth:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.lock = threading.Lock()
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self.codes: dict[str, Code] = {}
        self.grants: Counter[str] = Counter()
        self.issued: list[str] = []  # every access and refresh token ever issued (tests look for leaks)
        # For each client-credentials token after a client's first: the share of the previous token's lifetime still
        # left when it was replaced (a client renewing per expiry leaves a tenth at most, whatever the machine's load).
        self.life_left_at_renewal: list[float] = []
        self._last_cc: dict[str, tuple[float, float]] = {}
        self._ids = 1000
        # The sandbox's token also works as a bearer token "made elsewhere" (zendesk.auth: bearer), never expiring.
        self.tokens[sb.options.zendesk_token] = Token(1, sb.options.zendesk_token, ["read", "write"], float("inf"))
        sb.route("/oauth/tokens", "POST", self.token_endpoint)
        sb.route("/oauth/authorizations/new", "GET", self.authorize_page)
        sb.route("/oauth/authorizations", "POST", self.authorize_decision)
        sb.route("/api/v2/oauth/tokens/current.json", "GET", self.current)
        sb.route("/api/v2/oauth/tokens/current", "GET", self.current)

    # -- tokens on API requests -----------------------------------------------
    def check(self, access: str, request: Request) -> Response | None:
        """None when ``access`` is a live token whose scope allows this request; else 401 or 403."""
        now = time.time()
        with self.lock:
            token = self.tokens.get(access)
            if token is None or token.expires_at <= now:
                return json_response(INVALID_TOKEN, 401, {"WWW-Authenticate": 'Bearer realm="Zendesk"'})
            token.used_at = now
            scopes = list(token.scopes)
        resource = resource_of(request.path)
        if resource is None:
            return None
        access_kind = "read" if request.method in ("GET", "HEAD") else "write"
        if access_kind in scopes or f"{resource}:{access_kind}" in scopes:
            return None
        return json_response(FORBIDDEN, 403)

    def expire_all(self) -> None:
        """Every access token expires now (a test moves past an expiry without waiting)."""
        with self.lock:
            for token in self.tokens.values():
                token.expires_at = 0.0

    def _issue(self, scopes: list[str], with_refresh: bool, expires_in: int | None) -> Token:
        o = self.sb.options
        now = time.time()
        self._ids += 1
        token = Token(self._ids, secrets.token_urlsafe(32), scopes, now + (expires_in or o.oauth_access_ttl))
        if with_refresh:
            token.refresh = secrets.token_urlsafe(40)
            token.refresh_expires_at = now + o.oauth_refresh_ttl
            self.refresh_tokens[token.refresh] = token
            self.issued.append(token.refresh)
        self.tokens[token.access] = token
        self.issued.append(token.access)
        return token

    def _answer(self, token: Token) -> Response:
        body: dict[str, Any] = {"access_token": token.access, "token_type": "bearer", "scope": " ".join(token.scopes),
                                "expires_in": max(1, round(token.expires_at - time.time()))}
        if token.refresh:
            body["refresh_token"] = token.refresh
            body["refresh_token_expires_in"] = round((token.refresh_expires_at or 0) - time.time())
        return json_response(body, 200, {"Cache-Control": "no-store"})

    # -- POST /oauth/tokens ---------------------------------------------------
    def token_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error("invalid_request", "The request must be JSON (Content-Type: application/json).")
        grant_type = body.get("grant_type")
        handler = {"client_credentials": self._client_credentials, "authorization_code": self._authorization_code,
                   "refresh_token": self._refresh}.get(str(grant_type))
        if handler is None:
            return _error("unsupported_grant_type", "The authorization grant type is not supported.")
        expires_in = body.get("expires_in")
        if expires_in is not None and not (isinstance(expires_in, int) and 300 < expires_in < 172_800):
            return _error("invalid_request", "expires_in must be more than 300 and less than 172800 seconds.")
        with self.lock:
            answer = handler(body)
            if isinstance(answer, Response):
                return answer
            self.grants[str(grant_type)] += 1
            return self._answer(answer)

    def _client(self, body: dict[str, Any], secret_required: bool) -> Response | None:
        o = self.sb.options
        if body.get("client_id") != o.zendesk_client_id:
            return _error("invalid_client", "The client identifier provided is invalid.", 401)
        confidential = o.zendesk_client_kind == "confidential"
        if (confidential or secret_required) and body.get("client_secret") != o.zendesk_client_secret:
            return _error("invalid_client", "The client failed to authenticate.", 401)
        return None

    def _scopes(self, body: dict[str, Any]) -> list[str] | Response:
        words = str(body.get("scope") or "read write").split()
        for word in words:
            resource, _, access = word.rpartition(":")
            if word != "impersonate" and access not in ("read", "write"):
                return _error("invalid_scope", f"The requested scope is invalid: {word}.")
            if resource and resource not in ("tickets", "users", "organizations", "hc", "auditlogs", "apps",
                                             "triggers", "automations", "targets", "webhooks", "zis"):
                return _error("invalid_scope", f"The requested scope is invalid: {word}.")
        return words

    def _client_credentials(self, body: dict[str, Any]) -> Token | Response:
        if self.sb.options.zendesk_client_kind != "confidential":
            return _error("unauthorized_client", "Only confidential clients may use the client credentials grant.")
        refused = self._client(body, secret_required=True)
        if refused:
            return refused
        scopes = self._scopes(body)
        if isinstance(scopes, Response):
            return scopes
        token = self._issue(scopes, False, body.get("expires_in"))
        now, client = time.time(), str(body.get("client_id"))
        if client in self._last_cc:
            issued_at, expires_at = self._last_cc[client]
            self.life_left_at_renewal.append(max(0.0, expires_at - now) / (expires_at - issued_at))
        self._last_cc[client] = (now, token.expires_at)
        return token

    def _authorization_code(self, body: dict[str, Any]) -> Token | Response:
        refused = self._client(body, secret_required=False)
        if refused:
            return refused
        code = self.codes.pop(str(body.get("code")), None)  # once, whatever happens next
        if code is None or code.expires_at <= time.time() or code.client_id != body.get("client_id"):
            return _error("invalid_grant", "The provided access grant is invalid, expired, or revoked.")
        if body.get("redirect_uri") != code.redirect_uri:
            return _error("invalid_grant", "The redirect URI does not match the one of the authorization request.")
        if code.challenge is not None:
            verifier = str(body.get("code_verifier") or "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if not 43 <= len(verifier) <= 128 or digest != code.challenge:
                return _error("invalid_grant", "The code verifier does not match the code challenge.")
        return self._issue(code.scopes, True, body.get("expires_in"))

    def _refresh(self, body: dict[str, Any]) -> Token | Response:
        refused = self._client(body, secret_required=False)
        if refused:
            return refused
        old = self.refresh_tokens.get(str(body.get("refresh_token")))
        if old is None or (old.refresh_expires_at or 0) <= time.time():
            return _error("invalid_grant", "The provided access grant is invalid, expired, or revoked.")
        # Rotation: the previous access and refresh tokens are deleted at once.
        self.refresh_tokens.pop(old.refresh or "", None)
        self.tokens.pop(old.access, None)
        return self._issue(old.scopes, True, body.get("expires_in"))

    # -- GET /api/v2/oauth/tokens/current.json --------------------------------
    def current(self, request: Request, args: dict[str, Any]) -> Response:
        header = request.headers.get("Authorization", "")
        denied = self.sb.zendesk.authenticate(request)
        if denied:
            return denied
        with self.lock:
            token = self.tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if token is None:  # an API token: Zendesk describes OAuth tokens only
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        url = f"{request.host_url.rstrip('/')}/api/v2/oauth/tokens/{token.id}.json"
        return json_response({"token": {
            "id": token.id, "token": token.access[:10], "refresh_token": token.refresh, "scopes": token.scopes,
            "client_id": 1, "user_id": 1, "url": url, "created_at": _stamp(token.created_at),
            "expires_at": _stamp(token.expires_at) if token.expires_at != float("inf") else None,
            "refresh_token_expires_at": _stamp(token.refresh_expires_at),
            "used_at": _stamp(token.used_at)}})

    # -- the authorization page -----------------------------------------------
    def _redirect_ok(self, uri: str) -> bool:
        parts = urlsplit(uri)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            return False
        for registered in self.sb.options.zendesk_redirect_uris:
            r = urlsplit(registered)
            if uri == registered:
                return True
            if loopback and r.port is None and (r.scheme, r.hostname, r.path) == (parts.scheme, parts.hostname,
                                                                                   parts.path):
                return True
        return False

    def authorize_page(self, request: Request, args: dict[str, Any]) -> Response:
        q = request.args
        if q.get("client_id") != self.sb.options.zendesk_client_id:
            return _page("Invalid OAuth client", "<p>The client_id is not a known OAuth client.</p>", 400)
        redirect_uri = q.get("redirect_uri", "")
        if not self._redirect_ok(redirect_uri):
            return _page("Invalid redirect URL", "<p>redirect_uri is not registered for this client.</p>", 400)
        if q.get("response_type") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": q.get("state")})
        if q.get("code_challenge") and q.get("code_challenge_method") != "S256":
            return _redirect(redirect_uri, {"error": "invalid_request", "state": q.get("state")})
        fields = {k: q.get(k, "") for k in ("client_id", "redirect_uri", "scope", "state", "code_challenge")}
        hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items())
        form = (f'<form method="post" action="/oauth/authorizations">{hidden}'
                '<button name="decision" value="allow">Allow</button>'
                '<button name="decision" value="deny">Deny</button></form>')
        return _page("Allow csops to access your Zendesk account?",
                     f"<p>Scopes: {html.escape(q.get('scope', 'read write'))}</p>{form}")

    def authorize_decision(self, request: Request, args: dict[str, Any]) -> Response:
        f = request.form
        redirect_uri = f.get("redirect_uri", "")
        if f.get("client_id") != self.sb.options.zendesk_client_id or not self._redirect_ok(redirect_uri):
            return _page("Invalid request", "<p>Unknown client or redirect URL.</p>", 400)
        if f.get("decision") != "allow":
            return _redirect(redirect_uri, {"error": "access_denied", "state": f.get("state")})
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = Code(f.get("client_id", ""), redirect_uri, (f.get("scope") or "read write").split(),
                                    f.get("code_challenge") or None, time.time() + CODE_SECONDS)
        return _redirect(redirect_uri, {"code": code, "state": f.get("state")})


def _error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def _redirect(uri: str, params: dict[str, str | None]) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return Response("", 302, headers={"Location": f"{uri}{'&' if '?' in uri else '?'}{query}"})


def _page(title: str, body: str, status: int = 200) -> Response:
    return Response(f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{body}",
                    status, content_type="text/html; charset=utf-8")
