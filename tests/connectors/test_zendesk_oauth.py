"""Zendesk authentication through the CLI against the sandbox (issue 23): client credentials that expire mid-run,
a 401 in the middle of the ticket export, scopes, the API token's retirement, and where the tokens never go."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from sandbox.server import Sandbox
from tests.conftest import TODAY, Workspace, make_sandbox, make_workspace
from tests.hostile import hostile, redirect
from tests.kb.test_publish import Site

TOKEN = "POST /oauth/tokens"
EXPORT = "GET /api/v2/incremental/tickets/cursor.json"
DAY = ("--today", TODAY.isoformat())


def zendesk_block(ws: Workspace | Site, block: str) -> None:
    """Replace the zendesk section's credentials (everything between base_url and account_link) with ``block``."""
    path = ws.config
    text = path.read_text(encoding="utf-8")
    start = text.index("\n", text.index("  base_url:")) + 1
    end = text.index("  account_link:")
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def api_token_block(sb: Sandbox) -> str:
    return f"  auth: api_token\n  email: {sb.options.zendesk_email}\n  api_token: ${{ZENDESK_API_TOKEN}}\n"


def grants(sb: Sandbox) -> dict[str, int]:
    return dict(sb.oauth.grants)


def zendesk_api_calls(sb: Sandbox) -> int:
    return sum(n for k, n in sb.stats.items() if " /api/v2/" in k and "/oauth/" not in k)


TTL = 1


@pytest.fixture
def slow_tokens() -> Iterator[Sandbox]:
    """Access tokens that live a second, and 40 ms of latency per request: a run of 30 requests spans at least 1.2 s,
    so it crosses an expiry however fast the machine is (and a loaded machine only makes it cross more)."""
    sb = make_sandbox(oauth_access_ttl=TTL, latency_ms=40)
    try:
        yield sb
    finally:
        sb.stop()


def _renewals_bound(elapsed: float, ttl: float) -> int:
    """At most one token per lifetime of a token (renewed a tenth early), plus the first."""
    return int(elapsed / (ttl * 0.9)) + 2


def renewed_per_expiry(sb: Sandbox) -> bool:
    """Every token was replaced with at most a tenth of its life left (csops renews that early, or on a 401): one
    token per expiry, not one per request. Measured by the sandbox at each grant, so a slow machine, on which a
    single request may outlive a token, cannot make it fail; asked per request, it would leave most of the life."""
    return all(left <= 0.1 + 0.02 for left in sb.oauth.life_left_at_renewal)


@pytest.mark.slow
def test_a_sync_whose_tokens_expire_every_second_renews_once_per_expiry(tmp_path: Path) -> None:
    sb = make_sandbox(tickets=6000, oauth_access_ttl=TTL, latency_ms=250)  # 7 Zendesk pages: at least 1.75 s
    try:
        ws = make_workspace(tmp_path, sb)
        started = time.monotonic()
        result = ws.cli("sync", *DAY, "--json")
        elapsed = time.monotonic() - started
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["zendesk"]["tickets_pulled"] == 6000
        issued = grants(sb)["client_credentials"]
        assert 2 <= issued <= _renewals_bound(elapsed, TTL)
        assert set(grants(sb)) == {"client_credentials"}
        refused = [r for r in sb.recent if r[2] == 401]
        assert len(refused) <= issued - 1  # a 401 only where a token ran out in flight, each renewed once
        assert len(sb.oauth.life_left_at_renewal) == issued - 1 and renewed_per_expiry(sb)
    finally:
        sb.stop()


def test_kb_publish_with_expiring_tokens_asks_one_token_per_expiry_not_per_request(tmp_path: Path,
                                                                                   slow_tokens: Sandbox) -> None:
    site = Site(tmp_path, slow_tokens)
    started = time.monotonic()
    out = site.publish()
    elapsed = time.monotonic() - started
    assert out["created"] == 13
    issued = grants(slow_tokens)["client_credentials"]
    requests = zendesk_api_calls(slow_tokens)
    assert requests * 0.04 > 2 * TTL  # the latency alone spans two lifetimes
    assert 2 <= issued <= _renewals_bound(elapsed, TTL)
    assert renewed_per_expiry(slow_tokens), slow_tokens.oauth.life_left_at_renewal  # reused across requests


@pytest.mark.slow
def test_kb_gaps_and_pull_with_expiring_tokens_run_to_the_end(tmp_path: Path, slow_tokens: Sandbox) -> None:
    sb = slow_tokens
    site = Site(tmp_path, sb)
    site.publish()
    shell = Workspace(site.dir, sb, site.env)  # the site's csops.yaml: kb gaps reads the tickets its store holds
    assert shell.cli("pull", "zendesk").exit_code == 0
    sb.reset_stats()
    started = time.monotonic()
    gaps = site.kb("gaps", "--help-center", "--until", TODAY.isoformat())
    pulled = site.kb("pull", "--into", "pulled")
    elapsed = time.monotonic() - started
    assert gaps.exit_code == 0, gaps.output
    assert pulled.exit_code == 0, pulled.output
    assert 2 <= grants(sb)["client_credentials"] <= _renewals_bound(elapsed, TTL) + 1


def test_a_401_mid_export_is_retried_once_after_a_renewal_with_the_cursor_intact(tmp_path: Path) -> None:
    sb = make_sandbox(tickets=2600)
    try:
        ws = make_workspace(tmp_path, sb)
        hold = sb.hold(EXPORT)

        def expire_after_first_page() -> None:
            hold.reached.wait(60)
            sb.oauth.expire_all()  # the token dies while the first page is on its way back
            hold.release()

        import threading

        threading.Thread(target=expire_after_first_page, daemon=True).start()
        result = ws.cli("pull", "zendesk", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["tickets_pulled"] == 2600
        exports = [(path, status) for method, path, status in sb.recent if path.startswith(EXPORT.split(" ")[1])]
        assert [s for _, s in exports] == [200, 401, 200, 200]
        assert exports[1][0] == exports[2][0] and "cursor=" in exports[1][0]  # the same page asked again
        assert grants(sb) == {"client_credentials": 2}
        count, distinct = ws.store_rows("SELECT COUNT(*), COUNT(DISTINCT id) FROM tickets")[0]
        assert count == distinct == 2600
    finally:
        sb.stop()


def test_a_token_refused_right_after_it_was_issued_is_not_a_loop(ws: Workspace) -> None:
    sb = ws.sandbox
    sb.options.oauth_access_ttl = -1  # every token is dead on arrival
    result = ws.cli("pull", "zendesk")
    assert result.exit_code == 69
    assert "refused the credentials (401, zendesk.auth client_credentials)" in result.stderr
    assert grants(sb) == {"client_credentials": 2}  # the first, one renewal after the 401, then it stops
    assert zendesk_api_calls(sb) == 2


def test_a_read_scope_syncs_and_is_refused_a_write_with_what_to_set(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    text = site.config.read_text(encoding="utf-8").replace("  client_secret:", "  scope: read\n  client_secret:")
    site.config.write_text(text, encoding="utf-8")
    published = site.kb("publish")
    assert published.exit_code == 69, published.output
    assert "forbidden (403): the access token's scope (read) does not allow it: set zendesk.scope (it needs " \
           "write or hc:write)" in published.stderr
    assert not hc.helpcenter.articles


def test_doctor_names_the_auth_the_scopes_and_the_expiry_and_warns_of_a_narrow_scope(ws: Workspace) -> None:
    (ws.path / "kb").mkdir()
    (ws.path / "kb" / "kb.yaml").write_text("locales: [ja]\n", encoding="utf-8")
    full = ws.cli("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(full.stdout)}
    assert "with zendesk.auth client_credentials" in checks["zendesk"]["message"]
    token = checks["zendesk token"]["message"]
    assert re.fullmatch(r"client_credentials: scopes read write; access token expires \d{4}-\d\d-\d\dT\S+", token)
    assert "zendesk scope" not in checks
    text = ws.config.read_text(encoding="utf-8").replace("  client_secret:", "  scope: read\n  client_secret:")
    ws.config.write_text(text, encoding="utf-8")
    narrow = {c["name"]: c for c in json.loads(ws.cli("doctor", "--json").stdout)}
    assert narrow["zendesk scope"]["message"] == ("warning: the token's scope (read) cannot write to the Help Center, "
                                                  "which kb publish needs (kb/kb.yaml is here)")
    assert narrow["zendesk scope"]["fix"].startswith("set zendesk.scope: read write")
    for secret in ws.secrets():
        assert secret not in full.stdout


def test_the_token_endpoint_is_never_followed_to_another_origin(ws: Workspace) -> None:
    with hostile() as stranger, hostile(answer=redirect(f"{stranger.url}/oauth/tokens")) as zendesk:
        text = ws.config.read_text(encoding="utf-8").replace(f"base_url: {ws.sandbox.url}", f"base_url: {zendesk.url}")
        ws.config.write_text(text, encoding="utf-8")
        result = ws.cli("pull", "zendesk")
    assert result.exit_code == 69
    assert f"{zendesk.url} redirects to {stranger.url}, and the credentials are not sent across hosts" \
        in result.stderr
    assert [s.path for s in zendesk.seen] == ["/oauth/tokens"]
    assert stranger.seen == []                                # the client secret went nowhere else
    assert ws.env["ZENDESK_CLIENT_SECRET"].encode() in zendesk.seen[0].body


def test_api_token_warns_with_the_dates_until_it_is_refused(ws: Workspace) -> None:
    zendesk_block(ws, api_token_block(ws.sandbox))
    doctor = ws.cli("doctor")
    assert doctor.exit_code == 0, doctor.output
    assert "with zendesk.auth api_token" in doctor.stdout
    assert "warning: zendesk.auth api_token: Zendesk is retiring API tokens: since 2026-07-28 a token unused for " \
           "30 days is deactivated, since 2026-10-27 no new token can be created, and on 2027-04-30 every API token " \
           "stops working" in doctor.stdout
    assert "set zendesk.auth: client_credentials" in doctor.stdout
    run = ws.run("pull", "zendesk", check=True)
    assert run.stderr.count("on 2027-04-30 every API token stops working") == 1  # every run says it, once
    last_day = ws.cli("doctor", "--today", "2027-04-29")
    assert last_day.exit_code == 0
    after = ws.cli("doctor", "--today", "2027-05-01")
    assert after.exit_code == 78
    assert "FAIL zendesk: zendesk.auth api_token: Zendesk stopped every API token on 2027-04-30 (today is " \
           "2027-05-01); csops no longer sends one" in after.stdout
    ws.sandbox.reset_stats()
    with time_machine.travel(datetime(2027, 5, 1, 9, tzinfo=UTC), tick=False):
        refused = [ws.cli("pull", "zendesk"), ws.cli("sync", *DAY)]
    for r in refused:
        assert r.exit_code == 78, r.output
        assert "Zendesk stopped every API token on 2027-04-30" in r.stderr
    assert zendesk_api_calls(ws.sandbox) == 0                 # refused before any call, not 401 after 401


def test_api_token_is_refused_by_kb_publish_too_after_the_day(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    zendesk_block(site, api_token_block(hc))
    with time_machine.travel(datetime(2027, 4, 30, 0, 1, tzinfo=UTC), tick=False):
        result = site.kb("publish")
    assert result.exit_code == 78, result.output
    assert "Zendesk stopped every API token on 2027-04-30" in result.stderr
    assert not hc.helpcenter.articles


def test_bearer_mode_is_a_token_made_elsewhere(ws: Workspace) -> None:
    zendesk_block(ws, "  auth: bearer\n  oauth_token: ${ZENDESK_API_TOKEN}\n")
    assert ws.cli("pull", "zendesk").exit_code == 0
    assert grants(ws.sandbox) == {}
    doctor = {c["name"]: c for c in json.loads(ws.cli("doctor", "--json").stdout)}
    assert doctor["zendesk token"]["message"] == "bearer: scopes read write; access token does not expire"


def test_no_oauth_secret_reaches_a_log_an_error_or_the_store(ws: Workspace) -> None:
    outputs = []
    for args in (("-vv", "--log-format", "json", "sync", *DAY), ("-vv", "pull", "zendesk", "--full"),
                 ("doctor",), ("doctor", "--json")):
        r = ws.cli(*args)
        outputs += [r.stdout, r.stderr]
    ws.sandbox.options.oauth_access_ttl = -1
    dead = ws.cli("-vv", "pull", "zendesk")
    outputs += [dead.stdout, dead.stderr]
    bad = ws.cli("-vv", "sync", *DAY, env={"ZENDESK_CLIENT_SECRET": "wrong-" + ws.env["ZENDESK_CLIENT_SECRET"]})
    outputs += [bad.stdout, bad.stderr]
    assert len(ws.sandbox.oauth.issued) >= 5
    store = b"".join(p.read_bytes() for p in (ws.path / ".csops").iterdir() if p.is_file())
    for secret in [*ws.secrets(), "wrong-" + ws.env["ZENDESK_CLIENT_SECRET"]]:
        assert secret.encode() not in store
        for text in outputs:
            assert secret not in text
