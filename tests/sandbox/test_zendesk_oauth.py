"""The sandbox's Zendesk OAuth is as strict as Zendesk's (REFERENCE.md, Zendesk OAuth): each rule over plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Any

import requests

from sandbox.server import Sandbox


def token(sb: Sandbox, **body: Any) -> requests.Response:
    return requests.post(f"{sb.url}/oauth/tokens", json=body, timeout=10)


def client(sb: Sandbox, **extra: Any) -> dict[str, Any]:
    o = sb.options
    return {"client_id": o.zendesk_client_id, "client_secret": o.zendesk_client_secret, **extra}


def code_for(sb: Sandbox, redirect_uri: str, verifier: str, scope: str = "read write") -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    page = requests.get(f"{sb.url}/oauth/authorizations/new", params={
        "response_type": "code", "client_id": sb.options.zendesk_client_id, "redirect_uri": redirect_uri,
        "scope": scope, "state": "s1", "code_challenge": challenge, "code_challenge_method": "S256"}, timeout=10)
    assert page.status_code == 200, page.text
    fields = {m.group(1): html.unescape(m.group(2))
              for m in re.finditer(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text)}
    answer = requests.post(f"{sb.url}/oauth/authorizations", data={**fields, "decision": "allow"},
                           allow_redirects=False, timeout=10)
    location = answer.headers["Location"]
    assert location.startswith(redirect_uri) and "state=s1" in location
    return re.search(r"code=([^&]+)", location).group(1)  # type: ignore[union-attr]


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


def test_client_credentials_grant_and_its_errors(sandbox: Sandbox) -> None:
    ok = token(sandbox, **client(sandbox, grant_type="client_credentials", scope="read"))
    assert ok.status_code == 200
    body = ok.json()
    assert body["token_type"] == "bearer" and body["scope"] == "read" and body["expires_in"] == 1800
    assert "refresh_token" not in body
    wrong = token(sandbox, **client(sandbox, grant_type="client_credentials", client_secret="nope"))
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    form = requests.post(f"{sandbox.url}/oauth/tokens", data=client(sandbox, grant_type="client_credentials"),
                         timeout=10)
    assert form.json()["error"] == "invalid_request"  # Zendesk takes JSON
    for bad in (300, 172_800, "600"):
        r = token(sandbox, **client(sandbox, grant_type="client_credentials", expires_in=bad))
        assert r.json()["error"] == "invalid_request", bad
    assert token(sandbox, **client(sandbox, grant_type="client_credentials", expires_in=600)).json()[
        "expires_in"] == 600
    assert token(sandbox, **client(sandbox, grant_type="password")).json()["error"] == "unsupported_grant_type"
    assert token(sandbox, **client(sandbox, grant_type="client_credentials", scope="read hc:wirte")).json()[
        "error"] == "invalid_scope"


def test_scopes_are_enforced_per_endpoint_and_described(sandbox: Sandbox) -> None:
    read = token(sandbox, **client(sandbox, grant_type="client_credentials", scope="read")).json()["access_token"]
    hc_only = token(sandbox, **client(sandbox, grant_type="client_credentials", scope="hc:read hc:write")).json()[
        "access_token"]
    articles = f"{sandbox.url}/api/v2/help_center/categories"
    assert requests.get(articles, headers=bearer(read), timeout=10).status_code == 200
    refused = requests.post(articles, json={"category": {"name": "x", "locale": "ja"}}, headers=bearer(read),
                            timeout=10)
    assert (refused.status_code, refused.json()["error"]) == (403, "Forbidden")
    assert requests.post(articles, json={"category": {"name": "x", "locale": "ja", "description": "", "position": 0}},
                         headers=bearer(hc_only), timeout=10).status_code in (200, 201)
    assert requests.get(f"{sandbox.url}/api/v2/organizations", headers=bearer(hc_only), timeout=10).status_code == 403
    current = requests.get(f"{sandbox.url}/api/v2/oauth/tokens/current.json", headers=bearer(hc_only), timeout=10)
    described = current.json()["token"]
    assert described["scopes"] == ["hc:read", "hc:write"] and described["token"] == hc_only[:10]


def test_authorization_code_with_pkce_once_and_refresh_rotation(sandbox: Sandbox) -> None:
    uri = "http://127.0.0.1:49152/callback"  # registered without a port: any loopback port (RFC 8252)
    verifier = "v" * 50
    code = code_for(sandbox, uri, verifier)
    missing = token(sandbox, **client(sandbox, grant_type="authorization_code", code=code, redirect_uri=uri))
    assert missing.json()["error"] == "invalid_grant"  # no verifier: and the code is spent
    code = code_for(sandbox, uri, verifier)
    other_uri = token(sandbox, **client(sandbox, grant_type="authorization_code", code=code,
                                        redirect_uri="http://127.0.0.1:49153/callback", code_verifier=verifier))
    assert other_uri.json()["error"] == "invalid_grant"
    code = code_for(sandbox, uri, verifier)
    first = token(sandbox, **client(sandbox, grant_type="authorization_code", code=code, redirect_uri=uri,
                                    code_verifier=verifier)).json()
    assert first["refresh_token"] and first["refresh_token_expires_in"] == 30 * 24 * 3600
    reused = token(sandbox, **client(sandbox, grant_type="authorization_code", code=code, redirect_uri=uri,
                                     code_verifier=verifier))
    assert reused.json()["error"] == "invalid_grant"
    second = token(sandbox, **client(sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"])).json()
    assert second["refresh_token"] != first["refresh_token"]
    again = token(sandbox, **client(sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"]))
    assert again.json()["error"] == "invalid_grant"  # the old refresh token died with the rotation
    me = f"{sandbox.url}/api/v2/users/me.json"
    assert requests.get(me, headers=bearer(first["access_token"]), timeout=10).status_code == 401
    assert requests.get(me, headers=bearer(second["access_token"]), timeout=10).status_code == 200


def test_only_registered_redirects_and_s256(sandbox: Sandbox) -> None:
    new = f"{sandbox.url}/oauth/authorizations/new"
    base = {"response_type": "code", "client_id": sandbox.options.zendesk_client_id, "state": "s"}
    for uri in ("http://evil.example/callback", "http://127.0.0.1:5000/other", "https://127.0.0.1/elsewhere"):
        page = requests.get(new, params={**base, "redirect_uri": uri}, allow_redirects=False, timeout=10)
        assert page.status_code == 400, uri  # an unregistered redirect is never followed
    plain = requests.get(new, params={**base, "redirect_uri": "http://127.0.0.1:5000/callback",
                                      "code_challenge": "x" * 43, "code_challenge_method": "plain"},
                         allow_redirects=False, timeout=10)
    assert plain.status_code == 302 and "error=invalid_request" in plain.headers["Location"]


def test_an_expired_access_token_answers_401(sandbox: Sandbox) -> None:
    access = token(sandbox, **client(sandbox, grant_type="client_credentials")).json()["access_token"]
    me = f"{sandbox.url}/api/v2/users/me.json"
    assert requests.get(me, headers=bearer(access), timeout=10).status_code == 200
    sandbox.oauth.expire_all()
    expired = requests.get(me, headers=bearer(access), timeout=10)
    assert (expired.status_code, expired.json()["error"]) == (401, "invalid_token")
