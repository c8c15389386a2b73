"""``csops demo``: the whole job against a sandbox started in this process, through the library.

It calls the same functions the commands call (:mod:`csops.jobs`), never the
CLI itself, so a demo run and a cron run take the same path.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import kb as kb_pkg
import rules as rules_pkg
from base.errors import Partial
from base.files import copy_file, make_folder, write_file
from base.terminal import table
from csops.jobs import active_alerts, kb_publisher, run_sync, team_view
from csops.shell import App
from csops.starter import sandbox_config, sandbox_env
from sync.run import SyncReport

if TYPE_CHECKING:
    from sandbox.server import Sandbox

Echo = Callable[[str], None]


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block and put back what was there."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_demo(accounts: int, tickets: int, keep: str | None, echo: Echo) -> None:
    from sandbox.server import Options, Sandbox

    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="csops-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    sb = Sandbox(Options(accounts=accounts, tickets=tickets)).start()
    try:
        o = sb.options
        config = folder / "csops.yaml"
        shipped = Path(rules_pkg.__file__).parent
        write_file(config, sandbox_config(sb.url, o.zendesk_email, o.sf_username,
                                          rules=f"{shipped / 'onboarding.yaml'}, {shipped / 'notify.yaml'}")
                   + DEMO_REPORT_CONFIG)
        env = {**sandbox_env(o),
               "SLACK_WEBHOOK_CS_ALERTS": sb.slack.add_webhook("#cs-alerts"),
               "SLACK_WEBHOOK_CS_DIGEST": sb.slack.add_webhook("#cs-digest")}
        echo(f"sandbox on {sb.url}: {accounts} Salesforce accounts, {tickets} Zendesk tickets")
        echo(f"config and store in {folder}\n")
        with environment(env):
            app = App(config_path=str(config))
            try:
                build_history(app, sb, echo)
                demo_sync(app, echo)
                show_notifications(sb, echo)
                kb_root = sample_kb(folder)
                publish_sample_kb(app, kb_root, echo)
                show_gaps(app, kb_root, echo)
                write_report(app, folder / "report.html", echo)
            finally:
                app.close()
        echo("\nThis demo's data" + ("" if shutil.which("csops") else " (once csops is on your PATH)") + ":")
        echo(f"  csops --config {config} status")
        echo(f"  csops --config {config} rules explain <account id from above>")
        echo(f"  kb --config {config} gaps --format html -o gaps.html")
        if not keep:
            echo("  (a folder under the system's temporary folder; pass --keep DIR to choose one)")
        echo(f"\nNext:  {next_command()}")
    finally:
        sb.stop()


def next_command() -> str:
    """What a new user types after the demo: their own project, once ``csops`` is on PATH (README: Starting your own
    project)."""
    if shutil.which("csops"):
        return "csops init myteam    # your own project (README: Starting your own project)"
    if Path("Makefile").is_file() and "\ninstall:" in Path("Makefile").read_text(encoding="utf-8"):
        return "make install         # puts csops and kb on your PATH; then: csops init myteam"
    return f"csops is not on your PATH: add {Path(sys.executable).parent} to it; then: csops init myteam"


DEMO_REPORT_CONFIG = """
report:
  targets: {勤怠管理: 0.9, 経費精算: 0.9}
"""
HISTORY_WEEKS = 26


def build_history(app: App, sb: Sandbox, echo: Echo, weeks: int = HISTORY_WEEKS) -> None:
    """Weekly syncs at past dates while the sandbox's accounts progress: the history the report reads.

    Each run is the real sync (pull, evaluate, write back, record) with ``today``
    set to that week; the sandbox shows each account as it was on that day. A
    week's changes arrive in one run, so these runs accept a mass change; the last
    one is yesterday's, so the demo's own syncs today are ordinary daily runs.
    """
    from sandbox.timeline import progress_to

    started = time.monotonic()
    days = [sb.today - timedelta(days=7 * k) for k in range(weeks, 0, -1)] + [sb.today - timedelta(days=1)]
    for day in days:
        progress_to(sb, day)
        run_sync(app, today=day, allow_mass_change=True)
    progress_to(sb, sb.today)
    echo(f"history: {len(days)} syncs, weekly from {days[0]} to {days[-1]}, as accounts moved through their phases "
         f"({time.monotonic() - started:.1f}s)")


def write_report(app: App, out: Path, echo: Echo) -> None:
    """The HTML report over the history, and its headline figures."""
    from report.compute import build
    from report.html import as_html
    from report.load import load_input, resolve_period

    rules = app.rules()
    assert rules.compiled_for is not None
    period = resolve_period(app.store, rules.compiled_for, None, None)
    rep = build(load_input(app.store, rules, app.config.report, period, "product"))
    write_file(out, as_html(rep))
    labels = rules.status_labels
    echo(f"\nreport {period.start} – {period.end} by product:")
    rows = [("product", "received", labels.get("stalled", "stalled"), labels.get("churn_risk", "churn_risk"),
             "recovered")] + [(f["segment"], *(str(f[k]) for k in ("received", "stalled", "churn_risk", "recovered")))
                              for f in rep["funnel"]]
    echo(table(rows))
    echo(f"report with charts: {out}")


def demo_sync(app: App, echo: Echo) -> list[SyncReport]:
    """A dry run, a sync and a second sync (which writes nothing), then the active alerts."""
    reports = []
    for label, dry_run in (("dry run", True), ("first sync", False), ("second sync", False)):
        report = run_sync(app, dry_run=dry_run)
        reports.append(report)
        echo(f"{label:>12}: {report.accounts_evaluated} accounts evaluated, {len(report.changes)} to change, "
             f"{report.written} written in {report.write_api_calls} write calls, {report.alerts.new_count} new "
             f"alerts, {report.duration_s:.2f}s")
    counts = reports[1].status_counts
    team = team_view(app)
    echo("\nonboarding status: " + ", ".join(f"{team.status(k)} {v}" for k, v in sorted(counts.items())))
    calls = reports[2].write_api_calls
    verdict = "nothing to write" if calls == 0 else f"{calls} write calls"
    echo(f"second sync: {verdict} (writes come from a diff against what Salesforce holds)")
    alerts = active_alerts(app)
    echo(f"\nactive alerts ({len(alerts)}), first 8:")
    echo(table([("severity", "account", "name", "alert", "since", "title")] +
               [(a.severity, a.account_id, a.account or "", a.alert, a.first_seen, a.title)
                for a in alerts[:8]]))
    return reports


def show_notifications(sb: Sandbox, echo: Echo) -> None:
    """What the sandbox's Slack received and the Tasks it holds, after the syncs."""
    from sandbox.salesforce_tasks import FALLBACK_USER

    for channel in ("#cs-alerts", "#cs-digest"):
        messages = sb.slack.messages(channel)
        echo(f"\nSlack {channel} received {len(messages)} message{'s' if len(messages) != 1 else ''}"
             + (" (the digest goes out after 09:00 in the rules' time zone)" if not messages else "")
             + (" over the history's weekly runs; the last 2:" if len(messages) > 2 else ""))
        for message in messages[-2:]:
            echo(f"  {message['text']}")
            sections = [b["text"]["text"] for b in message.get("blocks", []) if b.get("type") == "section"]
            for text in sections[:3]:
                echo("    " + "\n    ".join(text.splitlines()[:4]))
    tasks = sb.tasks.open_tasks()
    fallback = sum(1 for t in tasks if t["OwnerId"] == FALLBACK_USER)
    echo(f"\nSalesforce: {len(tasks)} open Tasks, one per (account, alert); {fallback} went to the fallback "
         "owner because the account's owner is inactive")


#: What the shipped sample knowledge base is made of (the rest of the kb package is code and templates).
SAMPLE_KB = ("kb.yaml", "gaps.yaml", "articles", "images")


def sample_kb(folder: Path) -> Path:
    """A copy of the shipped knowledge base in the demo's folder. Publishing writes beside the articles (the Help
    Center ids in helpcenter-ids.yaml, the render cache): into the demo's folder, never into the installed kb
    package, where they outlived the demo and a checkout's tests copied them as if they were the sample's."""
    shipped = Path(kb_pkg.__file__).parent
    root = folder / "kb"
    for name in SAMPLE_KB:
        source = shipped / name
        for path in [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file()):
            target = root / path.relative_to(shipped)
            make_folder(target.parent, folder)
            copy_file(path, target, within=folder)
    return root


def publish_sample_kb(app: App, kb_root: Path, echo: Echo) -> None:
    """Check the sample knowledge base and publish it to the sandbox's Help Center, twice."""
    from kb.check import check
    from kb.spec import load_spec

    spec = load_spec(kb_root)
    echo(f"\nkb check: {len(check(spec).findings)} findings in the sample knowledge base")
    for label in ("kb publish", "kb publish again"):
        report = kb_publisher(app, spec).publish()
        s = report.summary()
        if report.failed:
            raise Partial(f"{label}: {s['failed']} articles failed")
        echo(f"{label:>17}: {s['created']} created, {s['updated']} updated, {s['unchanged']} unchanged, "
             f"{s['images_uploaded']} images, {s['api_calls']} API calls")


def show_gaps(app: App, kb_root: Path, echo: Echo) -> None:
    """Which articles to write next, from the tickets the sync pulled (their text is in the store)."""
    from kb.gaps.report import build_report
    from kb.spec import load_spec

    report = build_report(load_spec(kb_root), app.store)
    a = report.analysis
    covered = sum(1 for t in a.topics if t.coverage == "covered")
    echo(f"\nkb gaps: {a.tickets} tickets of the last 90 days in {len(a.topics)} topics; {covered} covered by the "
         f"sample knowledge base, {len(a.gaps)} gaps. The first five:")
    echo(table([("topic", "coverage", "tickets", "trend", "label")] +
               [(str(t.id), t.coverage, str(t.tickets), f"{t.trend:.1f}×", t.label[:70]) for t in a.gaps[:5]]))
