"""OAuth by default: client credentials and JWT bearer against the sandbox's token endpoint, real-shaped errors,
and the SOAP login() retirement warning (issue 12, item 6)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
import requests

from connectors.http import AuthenticationFailed, RetryPolicy
from connectors.salesforce import SalesforceClient, SalesforceConfig
from sandbox.server import Sandbox
from tests.conftest import Workspace

TOKEN = "POST /services/oauth2/token"
SOAP = "POST /services/Soap/u/{version}"
TODAY = ("--today", "2026-11-23")


def unsigned_jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def token(sb: Sandbox, **form: str) -> tuple[int, dict[str, Any]]:
    resp = requests.post(sb.url + "/services/oauth2/token", data=form, timeout=30)
    return resp.status_code, resp.json()


def test_the_token_endpoint_answers_as_salesforce_does(sandbox: Sandbox) -> None:
    sf, o = sandbox.salesforce, sandbox.options
    ok, answer = token(sandbox, grant_type="client_credentials", client_id=sf.consumer_key,
                       client_secret=sf.consumer_secret)
    assert ok == 200 and answer["token_type"] == "Bearer" and answer["instance_url"] == sandbox.url
    assert token(sandbox, grant_type="client_credentials", client_id="nope", client_secret="x") == \
        (400, {"error": "invalid_client_id", "error_description": "client identifier invalid"})
    assert token(sandbox, grant_type="client_credentials", client_id=sf.consumer_key, client_secret="wrong") == \
        (400, {"error": "invalid_client", "error_description": "invalid client credentials"})
    good = {"iss": sf.consumer_key, "sub": o.sf_username, "aud": sandbox.url, "exp": int(time.time()) + 180}
    jwt_grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert token(sandbox, grant_type=jwt_grant, assertion=unsigned_jwt(good))[0] == 200
    for change, error in [({"aud": "https://evil.example.com"}, ("invalid_grant", "audience is invalid")),
                          ({"sub": "someone@else.example"}, ("invalid_grant", "user hasn't approved this consumer")),
                          ({"exp": int(time.time()) - 10}, ("invalid_grant", "invalid assertion")),
                          ({"iss": "other-app"}, ("invalid_client_id", "client identifier invalid"))]:
        status, body = token(sandbox, grant_type=jwt_grant, assertion=unsigned_jwt({**good, **change}))
        assert (status, body["error"], body["error_description"]) == (400, *error), change
    assert token(sandbox, grant_type="authorization_code", code="x") == \
        (400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"})


def test_client_errors_name_the_oauth_error(sandbox: Sandbox) -> None:
    sf = sandbox.salesforce
    cfg = SalesforceConfig(instance_url=sandbox.url, login_url=sandbox.url, auth="client_credentials",
                           consumer_key=sf.consumer_key, consumer_secret="wrong")
    with pytest.raises(AuthenticationFailed, match="invalid_client: invalid client credentials"):
        SalesforceClient(cfg, RetryPolicy(backoff_base=0.01)).describe()
    assert sandbox.stats[TOKEN] == 1  # a refused grant is not retried


def test_client_credentials_need_my_domain_before_any_call() -> None:
    cfg = SalesforceConfig(instance_url="https://acme.my.salesforce.com", auth="client_credentials",
                           consumer_key="k", consumer_secret="s", domain="login")
    with pytest.raises(AuthenticationFailed, match=r"only on the org's My Domain: set salesforce\.domain"):
        SalesforceClient(cfg).describe()


def test_sandbox_config_uses_oauth_and_password_warns_once(ws: Workspace) -> None:
    sb = ws.sandbox
    assert "auth: client_credentials" in ws.config.read_text()
    assert ws.cli("sync", *TODAY).exit_code == 0
    assert sb.stats[SOAP] == 0 and sb.stats[TOKEN] == 1
    doctor = ws.cli("doctor")
    assert "Summer '27" not in doctor.stdout
    zendesk, salesforce = ws.config.read_text().split("salesforce:\n")
    salesforce = salesforce.replace("auth: client_credentials", "auth: password").replace(
        "  username:", "  password: ${SALESFORCE_PASSWORD}\n  security_token: ${SALESFORCE_SECURITY_TOKEN}\n"
                       "  username:")
    ws.config.write_text(zendesk + "salesforce:\n" + salesforce)
    doctor = ws.cli("doctor")
    assert doctor.exit_code == 0, doctor.output
    assert "warning: salesforce.auth 'password' logs in with SOAP login(), which Salesforce retires in " \
           "Summer '27" in doctor.stdout
    assert "set auth: jwt, consumer_key and private_key_file" in doctor.stdout
    sync = ws.run("sync", *TODAY, check=True)
    assert sync.stderr.count("retires in Summer '27") == 1
    assert sb.stats[SOAP] >= 1
