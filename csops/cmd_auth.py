"""``csops auth zendesk``: a person signs in once in a browser (``zendesk.auth: oauth``)."""

from __future__ import annotations

import html
import threading
import webbrowser
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click

from base.errors import InputError
from connectors.http import AuthenticationFailed, origin, show_origin
from connectors.zendesk import ZendeskClient
from connectors.zendesk_auth import (
    BearerAuth,
    Grant,
    Pkce,
    TokenEndpoint,
    TokenFile,
    authorization_url,
    default_expiry_note,
    exchange_code,
    new_pkce,
    signed_in,
)
from csops.config import ConfigError
from csops.shell import App, pass_app

CALLBACK_PATH = "/callback"


@click.group()
def auth() -> None:
    """Sign in for the modes that need a person once (zendesk.auth: oauth)."""


@auth.command("zendesk")
@click.option("--no-browser", is_flag=True, help="Print the authorization URL and do not open a browser (on a "
                                                 "server or over SSH: open it anywhere that reaches 127.0.0.1 here).")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the loopback redirect on 127.0.0.1 (0: a free one). Give one when the OAuth client's "
                   "redirect URL names a port: http://127.0.0.1:PORT/callback.")
@click.option("--timeout", default=300, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds to wait for the browser to come back.")
@pass_app
def auth_zendesk(app: App, no_browser: bool, port: int, timeout: int) -> None:
    """Sign in to Zendesk in a browser and keep the refresh token (zendesk.auth: oauth).

    \b
    The OAuth authorization-code flow with PKCE (S256): csops listens on
    127.0.0.1 for Zendesk's redirect, opens the authorization page (or prints
    its URL with --no-browser), exchanges the code, and saves the refresh token
    in .csops/zendesk-oauth.json beside the store: mode 600, never in
    csops.yaml, never logged. Every later command refreshes it: Zendesk answers
    a new refresh token each time (the old one stops working), and csops saves
    it before using the new access token.

    \b
    Once, in Admin Center > Apps and integrations > APIs > OAuth clients: add a
    client, register the redirect URL http://127.0.0.1/callback (with --port N:
    http://127.0.0.1:N/callback), put its Identifier in zendesk.client_id (and
    for a Confidential client its secret in zendesk.client_secret: ${VAR}).
    Cron and CI should use zendesk.auth: client_credentials (no browser, no file).
    """
    cfg = app.config
    cfg.require_env("zendesk")
    z = cfg.zendesk
    if not z.configured or not z.client_id:
        raise ConfigError("csops auth zendesk needs zendesk.subdomain (or base_url) and zendesk.client_id in "
                          "csops.yaml", str(cfg.path) if cfg.path else None)
    if z.auth_mode() != "oauth":
        raise InputError(f"csops auth zendesk signs in for zendesk.auth: oauth, and this config uses "
                         f"{z.auth_mode()}: set zendesk.auth: oauth to sign in as a person (client_credentials needs "
                         "no sign-in)")
    with Callback(port) as callback:
        redirect_uri = f"http://127.0.0.1:{callback.port}{CALLBACK_PATH}"
        pkce = new_pkce()
        url = authorization_url(z.url, z.client_id, redirect_uri, z.scopes, pkce)
        click.echo("Open this URL in a browser, sign in to Zendesk and allow csops:" if no_browser else
                   "Opening the Zendesk authorization page (if no browser opens, open this URL):")
        click.echo(url)
        if not no_browser:
            webbrowser.open(url)
        code = callback.code(pkce, timeout)
    policy = cfg.sync.retry_policy()
    grant = exchange_code(TokenEndpoint(z.url, policy), z.client_id, z.client_secret, code, redirect_uri, pkce,
                          z.scopes)
    file = TokenFile(app.zendesk_token_file())
    file.save(signed_in(z.url, z.client_id, grant, z.scopes), rotated=False)
    user = ZendeskClient(z, policy, auth=BearerAuth(grant.access_token)).me()
    _report(z.url, user, grant, file)


def _report(base_url: str, user: dict[str, Any], grant: Grant, file: TokenFile) -> None:
    click.echo(f"signed in to {show_origin(origin(base_url))} as {user.get('email')} ({user.get('role')}); scopes "
               f"{' '.join(grant.scopes) or 'as requested'}")
    click.echo(f"refresh token saved in {file.path} (mode 600); {default_expiry_note(grant)}")
    click.echo("every csops command now refreshes it; run csops auth zendesk again if Zendesk refuses it")


@dataclass
class Callback:
    """A listener on 127.0.0.1 for the one redirect the authorization page sends back."""

    port: int
    params: dict[str, str] = field(default_factory=dict)
    _done: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Callback:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != CALLBACK_PATH or owner._done.is_set():
                    self._answer(404, "Not the csops sign-in callback.")
                    return
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                ok = "code" in params
                try:
                    self._answer(200 if ok else 400, "csops: signed in. You can close this tab." if ok else
                                 "csops: the sign-in did not complete; see the terminal.")
                finally:
                    # Only once the page is sent: a refused sign-in ends the command at once, and the process
                    # exiting first cut the browser's page short (IncompleteRead in the deny test).
                    owner.params = params
                    owner._done.set()

            def _answer(self, status: int, text: str) -> None:
                body = f"<!doctype html><title>csops</title><p>{html.escape(text)}</p>".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the query holds the authorization code: never logged

        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        except OSError as exc:
            raise click.UsageError(f"--port {self.port}: cannot listen on 127.0.0.1 ({exc.strerror}); pick another "
                                   "port, or 0 for a free one") from None
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, name="csops-auth-callback", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def code(self, pkce: Pkce, timeout: float) -> str:
        """The authorization code of the redirect, once its state is ours."""
        if not self._done.wait(timeout):
            raise AuthenticationFailed(f"zendesk: no answer from the authorization page within {timeout:g} s: run "
                                       "csops auth zendesk again (--no-browser prints the URL to open)")
        p = self.params
        if p.get("state") != pkce.state:
            raise AuthenticationFailed("zendesk: the redirect's state does not match the one csops sent (another "
                                       "sign-in reached this listener): nothing saved; run csops auth zendesk again")
        if "error" in p or not p.get("code"):
            reason = p.get("error", "no code")[:60]
            raise AuthenticationFailed(f"zendesk: the authorization was not granted ({reason}): nothing saved; run "
                                       "csops auth zendesk again and choose Allow")
        return p["code"]
