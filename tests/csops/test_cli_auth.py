"""``csops auth zendesk`` as a person runs it, driven over HTTP (no browser), and what later runs do with the sign-in:
refresh with rotation, a SIGKILL on either side of saving the new refresh token, a revoked sign-in."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import requests

from sandbox.server import Sandbox
from tests.conftest import Workspace
from tests.connectors.test_zendesk_oauth import zendesk_block

OAUTH = "  auth: oauth\n  client_id: csops_sandbox\n  client_secret: ${ZENDESK_CLIENT_SECRET}\n"
TOKEN_FILE = Path(".csops") / "zendesk-oauth.json"
EXPORT = "GET /api/v2/incremental/tickets/cursor.json"


def start_sign_in(ws: Workspace, *args: str) -> tuple[subprocess.Popen[str], str]:
    """``csops auth zendesk --no-browser`` in its own process, and the authorization URL it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), "auth", "zendesk",
                             "--no-browser", "--timeout", "60", *args], cwd=ws.path, env={**os.environ, **ws.env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("Open this URL in a browser")
    return proc, proc.stdout.readline().strip()


def decide(sb: Sandbox, url: str, decision: str = "allow") -> requests.Response:
    """What a person does in the browser: open the page, press Allow (or Deny); the redirect goes back to csops."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Allow" in page.text
    fields = {m.group(1): html.unescape(m.group(2))
              for m in re.finditer(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text)}
    answer = requests.post(f"{sb.url}/oauth/authorizations", data={**fields, "decision": decision},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return requests.get(answer.headers["Location"], timeout=10)  # the browser follows it to csops's listener


def sign_in(ws: Workspace) -> subprocess.CompletedProcess[str]:
    proc, url = start_sign_in(ws)
    back = decide(ws.sandbox, url)
    assert back.status_code == 200 and "signed in" in back.text
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def saved(ws: Workspace) -> dict[str, str]:
    return dict(json.loads((ws.path / TOKEN_FILE).read_text(encoding="utf-8")))


def oauth_ws(ws: Workspace) -> Workspace:
    zendesk_block(ws, OAUTH)
    return ws


def test_sign_in_with_pkce_then_every_run_refreshes_and_rotates(ws: Workspace) -> None:
    oauth_ws(ws)
    sb = ws.sandbox
    first = sign_in(ws)
    assert first.returncode == 0, first.stderr
    assert f"signed in to {sb.url} as {sb.options.zendesk_email} (admin); scopes read write" in first.stdout
    assert "refresh token saved in" in first.stdout and "(mode 600)" in first.stdout
    path = ws.path / TOKEN_FILE
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    one = saved(ws)
    assert one["refresh_token"] in sb.oauth.refresh_tokens and one["origin"] == sb.url
    assert sb.oauth.grants == {"authorization_code": 1}
    assert not [f for f in path.parent.iterdir() if f.name.endswith(".tmp")]

    assert ws.cli("pull", "zendesk").exit_code == 0
    two = saved(ws)
    assert two["refresh_token"] != one["refresh_token"]          # rotated, and the new one saved
    assert one["refresh_token"] not in sb.oauth.refresh_tokens    # Zendesk deleted the old pair
    assert sb.oauth.grants == {"authorization_code": 1, "refresh_token": 1}
    assert ws.cli("pull", "zendesk").exit_code == 0
    assert saved(ws)["refresh_token"] != two["refresh_token"]
    for secret in ws.secrets():
        assert secret not in first.stdout + first.stderr


def test_a_signed_in_sync_and_doctor_show_no_token_anywhere(ws: Workspace) -> None:
    oauth_ws(ws)
    sb = ws.sandbox
    outputs = [sign_in(ws).stdout]
    synced = ws.cli("-vv", "--log-format", "json", "sync", "--today", "2026-11-23")
    assert synced.exit_code == 0, synced.output
    assert sb.oauth.grants["refresh_token"] == 1  # the sync refreshed the saved sign-in
    doctor = ws.cli("doctor")
    assert doctor.exit_code == 0, doctor.output
    assert "with zendesk.auth oauth" in doctor.stdout
    path = ws.path / TOKEN_FILE
    assert re.search(rf"zendesk token: oauth: scopes read write; access token expires \S+; refresh token saved in "
                     rf"{re.escape(str(path))} \(mode 600\), unused it expires \S+", doctor.stdout), doctor.stdout
    outputs += [synced.stdout, synced.stderr, doctor.stdout, doctor.stderr, ws.cli("doctor", "--json").stdout]
    sb.oauth.expire_all()
    hold_dead = ws.cli("-vv", "pull", "zendesk", env={"ZENDESK_CLIENT_SECRET": "not-it"})
    assert hold_dead.exit_code == 69 and "invalid_client" in hold_dead.stderr
    outputs += [hold_dead.stdout, hold_dead.stderr]
    store = b"".join(f.read_bytes() for f in (ws.path / ".csops").iterdir() if f.is_file() and f != path)
    assert len(sb.oauth.issued) >= 6
    for secret in ws.secrets():
        assert secret.encode() not in store
        for text in outputs:
            assert secret not in text


def test_the_authorization_page_refuses_a_wrong_code_verifier(ws: Workspace) -> None:
    oauth_ws(ws)
    proc, url = start_sign_in(ws)
    page = requests.get(url, timeout=10)
    fields = {m.group(1): html.unescape(m.group(2))
              for m in re.finditer(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text)}
    fields["code_challenge"] = "A" * 43  # someone else's challenge: csops's verifier will not match it
    answer = requests.post(f"{ws.sandbox.url}/oauth/authorizations", data={**fields, "decision": "allow"},
                           allow_redirects=False, timeout=10)
    requests.get(answer.headers["Location"], timeout=10)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 69
    assert "exchanging the authorization code refused: invalid_grant: The code verifier does not match" in err
    assert not (ws.path / TOKEN_FILE).exists()


def test_deny_saves_nothing_and_says_so(ws: Workspace) -> None:
    oauth_ws(ws)
    proc, url = start_sign_in(ws)
    back = decide(ws.sandbox, url, "deny")
    assert back.status_code == 400
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 69
    assert "the authorization was not granted (access_denied): nothing saved" in err
    assert not (ws.path / TOKEN_FILE).exists()


def test_without_a_sign_in_a_run_says_what_to_do(ws: Workspace) -> None:
    oauth_ws(ws)
    result = ws.cli("pull", "zendesk")
    assert result.exit_code == 69
    assert "no sign-in saved for" in result.stderr and "run `csops auth zendesk` once" in result.stderr
    assert not ws.sandbox.oauth.grants


def test_killed_after_zendesk_rotated_but_before_saving_says_to_sign_in_again(ws: Workspace) -> None:
    oauth_ws(ws)
    sb = ws.sandbox
    assert sign_in(ws).returncode == 0
    before = saved(ws)["refresh_token"]
    hold = sb.hold("POST /oauth/tokens")  # Zendesk rotates, then its answer is held back
    proc = subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), "pull", "zendesk"],
                            cwd=ws.path, env={**os.environ, **ws.env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert hold.reached.wait(60)
    assert before not in sb.oauth.refresh_tokens  # rotated on Zendesk's side
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    hold.release()
    assert saved(ws)["refresh_token"] == before   # the file still holds the old, now deleted, refresh token
    sb.reset_stats()
    again = ws.cli("pull", "zendesk")
    assert again.exit_code == 69
    assert "refreshing the saved sign-in refused: invalid_grant" in again.stderr
    assert "was replaced by a run stopped before it could save the new one: run `csops auth zendesk` again" \
        in again.stderr
    assert sb.stats == {"POST /oauth/tokens": 1}  # one refusal, no API call, no loop
    doctor = ws.cli("doctor")
    assert "fix: run: csops auth zendesk" in doctor.stdout
    assert sign_in(ws).returncode == 0 and ws.cli("pull", "zendesk").exit_code == 0  # and then all is well


def test_killed_after_saving_the_new_refresh_token_the_next_run_authenticates(ws: Workspace) -> None:
    oauth_ws(ws)
    sb = ws.sandbox
    assert sign_in(ws).returncode == 0
    before = saved(ws)["refresh_token"]
    hold = sb.hold(EXPORT)  # the first API request after the refresh: the new refresh token is saved by then
    proc = subprocess.Popen([sys.executable, "-m", "csops", "--config", str(ws.config), "pull", "zendesk"],
                            cwd=ws.path, env={**os.environ, **ws.env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert hold.reached.wait(60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    hold.release()
    after = saved(ws)["refresh_token"]
    assert after != before and after in sb.oauth.refresh_tokens
    again = ws.cli("pull", "zendesk")
    assert again.exit_code == 0, again.output


def test_a_sign_in_for_another_zendesk_is_not_sent_to_this_one(ws: Workspace, tmp_path: Path) -> None:
    oauth_ws(ws)
    assert sign_in(ws).returncode == 0
    data = saved(ws)
    data["origin"] = "https://other.zendesk.com"
    (ws.path / TOKEN_FILE).write_text(json.dumps(data), encoding="utf-8")
    ws.sandbox.reset_stats()
    result = ws.cli("pull", "zendesk")
    assert result.exit_code == 69
    assert "is for https://other.zendesk.com (client csops_sandbox)" in result.stderr
    assert not ws.sandbox.stats  # the refresh token was not sent
    assert data["refresh_token"] not in result.output


def test_auth_zendesk_explains_a_config_that_needs_no_sign_in(ws: Workspace) -> None:
    result = ws.cli("auth", "zendesk", "--no-browser")
    assert result.exit_code == 78
    assert "this config uses client_credentials" in result.stderr


def test_an_expiring_access_token_refreshes_within_one_run(ws: Workspace) -> None:
    oauth_ws(ws)
    assert sign_in(ws).returncode == 0
    sb = ws.sandbox
    hold = sb.hold(EXPORT)

    def expire_during_the_first_page() -> None:
        hold.reached.wait(60)
        sb.oauth.expire_all()
        hold.release()

    threading.Thread(target=expire_during_the_first_page, daemon=True).start()
    sb.reset_stats()
    result = ws.cli("pull", "zendesk")
    assert result.exit_code == 0, result.output
    assert sb.oauth.grants == {"refresh_token": 2}  # the run's first, and one after the 401
    assert saved(ws)["refresh_token"] in sb.oauth.refresh_tokens
