"""Messages about csops itself (issue 27 item 3), through `csops sync` and `csops notify --check-stale` against
the sandbox's Slack: one message per change of state and one on recovery, never one per failing run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import Sandbox
from tests.conftest import RULES, Workspace, make_workspace
from tests.store.test_engines import on_store, target
from tests.store_sql import rows
from tests.sync.test_sync import TODAY
from tests.sync.test_write_log import edited_rules

OPS = """\
notify:
  channels:
    cs-ops: {type: slack, webhook_env: SLACK_WEBHOOK_CS_OPS}
    owner-task: {type: salesforce_task}
  routes:
    - {run: [failed, held, partial, stale], to: cs-ops}
  stale_after: 2
"""


def ops_workspace(path: Path, sb: Sandbox, rules: Path = RULES) -> Workspace:
    ws = make_workspace(path, sb)
    (path / "ops.yaml").write_text(OPS, encoding="utf-8")
    text = ws.config.read_text(encoding="utf-8").replace(f"files: [{RULES}]", f"files: [{rules}, ops.yaml]")
    ws.config.write_text(text, encoding="utf-8")
    ws.env["SLACK_WEBHOOK_CS_OPS"] = sb.slack.add_webhook("#cs-ops")
    return ws


@pytest.fixture
def ows(tmp_path: Path, sandbox: Sandbox, store_url: str) -> Iterator[Workspace]:
    """The ops workspace, on each store engine."""
    yield on_store(ops_workspace(tmp_path, sandbox), store_url)


def store_of(ws: Workspace) -> str | Path:
    found = re.search(r"^  url: (\S+)$", ws.config.read_text(encoding="utf-8"), re.MULTILINE)
    assert found
    url = found.group(1)
    return target(url) if url.startswith("postgres") else ws.path / url[len("sqlite:///"):]


def posted(ws: Workspace) -> list[dict[str, Any]]:
    return ws.sandbox.slack.messages("#cs-ops")


def text_of(message: dict[str, Any]) -> str:
    return "\n".join(str(b.get("text", {}).get("text", "")) for b in message["blocks"] if "text" in b)


def test_three_failed_syncs_post_one_failed_and_then_one_recovered(ows: Workspace) -> None:
    wrong = {"SALESFORCE_CONSUMER_SECRET": "not-the-secret"}
    codes = [ows.cli("sync", *TODAY, env=wrong).exit_code for _ in range(3)]
    assert all(c not in (0, 3, 4) for c in codes)
    assert len(posted(ows)) == 1
    failed = posted(ows)[0]
    assert failed["text"].startswith(f"csops sync failed: run 1 exited {codes[0]}")
    assert "csops status" in text_of(failed) and "not-the-secret" not in str(failed)
    assert ows.cli("sync", *TODAY).exit_code == 0
    assert ows.cli("sync", *TODAY).exit_code == 0
    assert [m["text"] for m in posted(ows)][1:] == ["csops sync ok again (run 4)"]
    assert "It was failed" in text_of(posted(ows)[1])


def test_a_held_sync_posts_held_with_the_command(tmp_path: Path, sandbox: Sandbox, store_url: str) -> None:
    rules = edited_rules(tmp_path)
    ws = on_store(ops_workspace(tmp_path, sandbox, rules), store_url)
    assert ws.cli("sync", *TODAY).exit_code == 0
    rules.write_text(re.sub(r"due_day: \d+", "due_day: 1", rules.read_text(encoding="utf-8")), encoding="utf-8")
    assert ws.cli("sync", *TODAY).exit_code == 4
    assert ws.cli("sync", *TODAY).exit_code == 4
    assert len(posted(ws)) == 1
    held = posted(ws)[0]
    assert held["text"] == "csops sync held by the mass-change guard: run 2 wrote nothing"
    body = text_of(held)
    assert "csops sync --allow-mass-change" in body and "Onboarding_Status__c" in body
    assert re.search(r"\d+ of \d+ accounts \(\d+%\) would change onboarding status", body)


def age_runs(ws: Workspace, hours: float) -> None:
    """As if every run had happened ``hours`` earlier."""
    store = store_of(ws)
    for run_id, started, finished in rows(store, "SELECT id, started_at, finished_at FROM runs"):
        shift = [(datetime.fromisoformat(v.replace("Z", "+00:00")) - timedelta(hours=hours))
                 .strftime("%Y-%m-%dT%H:%M:%SZ") if v else v for v in (started, finished)]
        rows(store, "UPDATE runs SET started_at = ?, finished_at = ? WHERE id = ?", (*shift, run_id))


def test_check_stale_posts_stale_once_after_the_threshold(ows: Workspace) -> None:
    assert ows.cli("sync", *TODAY).exit_code == 0
    fresh = ows.cli("notify", "--check-stale")
    assert fresh.exit_code == 0 and "not stale" in fresh.stdout and posted(ows) == []
    age_runs(ows, 1.5)
    assert ows.cli("notify", "--check-stale").exit_code == 0 and posted(ows) == []
    age_runs(ows, 1)  # 2.5 hours since the last successful sync, stale_after 2
    first = ows.cli("notify", "--check-stale")
    assert first.exit_code == 0 and "queued a 'stale' message" in first.stdout
    assert ows.cli("notify", "--check-stale").exit_code == 0
    assert ows.cli("notify").exit_code == 0
    assert [m["text"] for m in posted(ows)] == ["csops: no successful sync for 2 hours"]
    last = datetime.now(UTC) - timedelta(hours=2.5)
    assert last.strftime("%Y-%m-%dT%H") in text_of(posted(ows)[0])
    assert ows.cli("sync", *TODAY).exit_code == 0
    assert [m["text"] for m in posted(ows)][1:] == ["csops sync ok again (run 2)"]


@pytest.mark.parametrize(("route", "message"), [
    ("{on: [failed], to: cs-ops}", "unknown key"),
    ("{run: [faild], to: cs-ops}", "unknown state 'faild' (did you mean 'failed'?)"),
    ("{run: [failed], to: owner-task}", "channel 'owner-task' (salesforce_task) takes no messages about runs"),
    ("{run: [failed], severity: critical, to: cs-ops}", "severity belong in a route of its own"),
])
def test_run_routes_are_checked(tmp_path: Path, sandbox: Sandbox, route: str, message: str) -> None:
    ows = ops_workspace(tmp_path, sandbox)  # the rule file alone: no store needed
    (ows.path / "ops.yaml").write_text(OPS.replace("{run: [failed, held, partial, stale], to: cs-ops}", route),
                                       encoding="utf-8")
    result = ows.cli("rules", "check")
    assert result.exit_code == 78 and message in result.output, result.output
    assert "ops.yaml:6" in result.output


def test_rejected_rows_above_warn_rejected_pct_post_partial(ows: Workspace) -> None:
    sb = ows.sandbox
    one = sorted(sb.data.accounts)[0]
    sb.salesforce.reject[one] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "<!channel> 変更できません")
    assert ows.cli("sync", *TODAY).exit_code == 3  # 1 of 40 changed records: 2.5%, under the 5% default
    assert posted(ows) == []
    sb.salesforce.reject.clear()
    assert ows.cli("sync", *TODAY).exit_code == 0
    rules = ows.path / "ops.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("stale_after: 2", "stale_after: 2\n  "
                                                               "warn_rejected_pct: 0"), encoding="utf-8")
    sb.data.accounts[one]["Onboarding_Status__c"] = None  # so the next run writes it again
    sb.salesforce.reject[one] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "<!channel> 変更できません")
    assert ows.cli("sync", *TODAY, "--full").exit_code == 3
    assert [m["text"] for m in posted(ows)] == ["csops sync: 1 of 1 changed records rejected (run 3)"]
    body = text_of(posted(ows)[0])
    assert f"{one}: FIELD_CUSTOM_VALIDATION_EXCEPTION: &lt;!channel&gt; 変更できません" in body
    assert "<!channel>" not in str(posted(ows)[0])
