"""``csops store info``, ``store migrate`` and ``store copy``: the state store itself (engine, schema, size, lock),
its migrations, and moving it between SQLite and PostgreSQL. The work is in :mod:`store.copy`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from base.redact import redact_url, register_url_secrets
from base.terminal import table
from csops.shell import App, emit_json, pass_app
from store import (
    SCHEMA_VERSION,
    TABLES,
    LockHeld,
    RunLock,
    Store,
    StoreError,
    check_url,
    is_postgres,
    open_store,
    run_lock,
    sqlite_path,
)
from store.copy import (
    CopyRefused,
    TableCheck,
    check_source,
    check_target,
    copy_tables,
    pending_migrations,
    row_counts,
    verify,
)


@click.group()
def store() -> None:
    """The state store: what it holds, its schema, moving it between SQLite and PostgreSQL."""


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)


def lock_state(s: Store) -> dict[str, Any]:
    """Who holds the run lock: the lease row on PostgreSQL; on SQLite the file lock (probed without waiting,
    released at once) and the run the store records as running."""
    if s.engine == "postgresql":
        held = s.lease_holder()
        if held is None:
            return {"state": "free"}
        info = {"host": held.host, "pid": held.pid, "since": _when(held.acquired_at), "expires": _when(held.expires_at)}
        return {"state": "free (expired lease)" if held.expired else "held", **info}
    assert s.path is not None
    try:
        with RunLock(s.path):
            return {"state": "free"}
    except LockHeld:
        out: dict[str, Any] = {"state": "held", "lock_file": str(s.path.with_name(s.path.name + ".lock"))}
        running = [r for r in s.recent_runs(1) if r.status == "running"]
        if running:
            out.update(command=running[0].command, since=running[0].started_at)
        return out


def _lock_text(lock: dict[str, Any]) -> str:
    if lock["state"] == "free" or ("lock_file" not in lock and "host" not in lock):
        return str(lock["state"])
    if "host" in lock:
        return f"{lock['state']}: host {lock['host']}, pid {lock['pid']}, since {lock['since']}, " \
               f"lease until {lock['expires']}"
    extra = f", {lock['command']} since {lock['since']}" if "since" in lock else ""
    return f"held ({lock['lock_file']}{extra})"


@store.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def info(app: App, as_json: bool) -> None:
    """Engine, where the store is (a URL without its password), schema version, size, rows per table, and who holds
    the run lock."""
    url = app.store_url()
    if not is_postgres(url) and not sqlite_path(url, app.config.base_dir).exists():
        path = sqlite_path(url, app.config.base_dir)
        if as_json:
            emit_json({"engine": "sqlite", "store": str(path), "exists": False, "schema_version": 0,
                       "latest_schema_version": SCHEMA_VERSION})
        else:
            click.echo(f"no store yet at {path}: the first `csops sync` (or `csops store migrate`) creates it")
        return
    with app.open_store(migrate=False) as s:
        version = s.version()
        data: dict[str, Any] = {"engine": s.engine, "store": s.describe(), "exists": True, "schema_version": version,
                "latest_schema_version": SCHEMA_VERSION, "size_bytes": s.size_bytes(), "tables": row_counts(s),
                "lock": lock_state(s) if version >= SCHEMA_VERSION else {"state": "unknown (schema not migrated)"}}
    if as_json:
        emit_json(data)
        return
    behind = "" if version == SCHEMA_VERSION else "  (run `csops store migrate`)" if version < SCHEMA_VERSION else ""
    rows: list[tuple[str, str]] = [("engine", data["engine"]), ("store", data["store"]),
            ("schema version", f"{version} (latest {SCHEMA_VERSION}){behind}"),
            ("size", _mb(data["size_bytes"])), ("run lock", _lock_text(data["lock"]))]
    click.echo(table(rows))
    click.echo("")
    click.echo(table([("table", "rows")] + [(t, "-" if n is None else f"{n:,}") for t, n in data["tables"].items()]))


@store.command()
@click.option("--dry-run", is_flag=True, help="List the migrations that would run; change nothing.")
@pass_app
def migrate(app: App, dry_run: bool) -> None:
    """Apply the schema migrations this csops has and the store lacks (a sync does it too when it opens the store;
    this does it explicitly, e.g. before `csops store copy` or for an operator who wants to see it)."""
    with app.open_store(migrate=False) as s:
        before = s.version()
        if before > SCHEMA_VERSION:
            raise StoreError(f"the store at {s.describe()} has schema version {before}, newer than this csops "
                             f"({SCHEMA_VERSION}): upgrade csops")
        pending = pending_migrations(before)
        if not pending:
            click.echo(f"{s.describe()}: schema version {before}, the latest; nothing to do")
            return
        click.echo(f"{'would migrate' if dry_run else 'migrating'} {s.describe()} ({s.engine}) from schema version "
                   f"{before} to {SCHEMA_VERSION}:")
        for number, steps in pending:
            click.echo(f"  {number}: {'; '.join(steps)}")
        if dry_run:
            click.echo("dry run: nothing changed")
            return
        s.migrate()
        click.echo(f"done: schema version {s.version()}")


def _checked_url(url: str) -> str:
    register_url_secrets(url)
    if not is_postgres(url) and not url.startswith("sqlite:"):
        raise click.BadParameter(f"'{redact_url(url)}' is not a store URL (sqlite:///path/to/state.db or "
                                 "postgresql://user@host:5432/database)")
    check_url(url)
    return url


@store.command()
@click.option("--to", "to_url", required=True, metavar="URL",
              help="The store to copy into: postgresql://user@host:5432/db (password from PGPASSWORD or "
                   "~/.pgpass rather than the URL) or sqlite:///path/state.db (relative to this folder).")
@click.option("--from", "from_url", metavar="URL", help="The store to copy from (default: store.url of csops.yaml).")
@click.option("--replace", is_flag=True, help="Delete the target's rows first (in the same transaction as the copy). "
                                              "Without it a target that holds any row is refused.")
@click.option("--dry-run", is_flag=True, help="Say what would be copied and whether the target would be accepted; "
                                              "write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the verification as JSON.")
@pass_app
def copy(app: App, to_url: str, from_url: str | None, replace: bool, dry_run: bool, as_json: bool) -> None:
    """Copy every table of the store to another store, SQLite to PostgreSQL or back, then verify it.

    \b
    The target is migrated to this csops's schema, then filled in one transaction
    (a failed copy leaves it as it was), while the source's run lock is held so no
    sync writes during the copy. Then row counts and an order-independent checksum
    per table are compared on both sides; any difference exits 74. A target that
    holds rows is refused (exit 78) unless --replace. Exit 75: a run holds a lock.
    """
    cwd = Path.cwd()
    src_url = _checked_url(from_url) if from_url else app.store_url()
    src_base = cwd if from_url else app.config.base_dir
    dst_url = _checked_url(to_url)
    quiet = app.verbosity < 0 or as_json

    def say(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    if _where(src_url, src_base) == _where(dst_url, cwd):
        raise CopyRefused(f"--to names the source store itself ({_where(dst_url, cwd)})")
    with open_store(src_url, src_base, migrate=False) as source:
        check_source(source)
        counts = {t: source.row_count(t) for t in TABLES}
        total = sum(counts.values())
        if dry_run:
            _dry_run(source, dst_url, cwd, replace, counts)
            return
        with run_lock(source, src_base), open_store(dst_url, cwd) as target, run_lock(target, cwd):
            cleared = check_target(source, target, replace)
            say(f"copying {total:,} rows in {len(TABLES)} tables from {source.describe()} ({source.engine}) to "
                f"{target.describe()} ({target.engine})" + (f"; replacing {sum(cleared.values()):,} rows"
                                                           if cleared else ""))
            step = max(50_000, total // 20)
            shown: dict[str, int] = {}

            def progress(name: str, done: int, rows: int) -> None:
                if done == rows or done - shown.get(name, 0) >= step:
                    shown[name] = done
                    say(f"  {name}: {done:,} / {rows:,}")

            sums = copy_tables(source, target, replace=replace, progress=progress)
            say("verifying: counts and checksums on both sides")
            checks = verify(sums, target)
            target_where = target.describe()
    _report(checks, source_where=_where(src_url, src_base), target_where=target_where, as_json=as_json)


def _where(url: str, base: Path | None) -> str:
    """Where a store URL points, for messages and to tell two apart: the resolved file, or the URL sans password."""
    return redact_url(url) if is_postgres(url) else str(sqlite_path(url, base).resolve())


def _dry_run(source: Store, dst_url: str, cwd: Path, replace: bool, counts: dict[str, int]) -> None:
    if not is_postgres(dst_url) and not sqlite_path(dst_url, cwd).exists():
        state = f"a new SQLite file {sqlite_path(dst_url, cwd)}, created at schema version {SCHEMA_VERSION}"
    else:
        with open_store(dst_url, cwd, migrate=False) as target:
            version = target.version()
            check_target(source, target, replace)
            filled = {t: n for t, n in row_counts(target).items() if n}
            state = (f"{target.describe()} ({target.engine}), schema version {version}"
                     + (f", migrated to {SCHEMA_VERSION} first" if version < SCHEMA_VERSION else "")
                     + (f"; --replace deletes its {sum(filled.values()):,} rows first" if filled else "; empty"))
    click.echo(f"would copy from {source.describe()} ({source.engine}, schema version {source.version()}) to {state}:")
    click.echo(table([("table", "rows")] + [(t, f"{n:,}") for t, n in counts.items()]
                     + [("total", f"{sum(counts.values()):,}")]))
    click.echo("dry run: nothing copied, no lock taken")


def _report(checks: list[TableCheck], *, source_where: str, target_where: str, as_json: bool) -> None:
    bad = [c for c in checks if not c.ok]
    if as_json:
        emit_json({"source": source_where, "target": target_where, "ok": not bad,
                   "tables": [c.as_dict() for c in checks]})
    else:
        rows = [("table", "rows (source)", "rows (target)", "checksum (source)", "checksum (target)", "")]
        rows += [(c.table, f"{c.source_rows:,}", f"{c.target_rows:,}", c.source_sum[:16], c.target_sum[:16],
                  "ok" if c.ok else "DIFFERS") for c in checks]
        click.echo(table(rows))
    if bad:
        raise StoreError(f"the copy in {target_where} differs from the source in {', '.join(c.table for c in bad)} "
                         "(rows or checksum): do not use it; run the copy again with --replace")
    if not as_json:
        click.echo(f"copied and verified: {sum(c.source_rows for c in checks):,} rows in {len(checks)} tables, "
                   f"counts and checksums equal; {target_where} is ready (point store.url at it)")
