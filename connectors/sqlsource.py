"""A team's own database or warehouse, read-only: the client half of the SQL fact sources (``sync.sources`` pulls
their rows into the store for the rules; README "Facts from your database").

The SQL run here is not csops's: the query comes from the rule file and goes to the team's database through
SQLAlchemy (any URL it has a dialect for). csops's own state never goes through here; it stays in ``store/``. The
only SQL text written here wraps the team's query (a ``LIMIT`` for a check or a preview) or makes the transaction
read-only.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from base.errors import Unavailable
from base.redact import redact, redact_url, register_secret, register_url_secrets
from base.yamlsrc import expand_env

CHUNK = 2000  # rows fetched at a time


class SqlSource(Protocol):
    """What the client reads of a source (``rules.ruleset.Source``)."""

    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def timeout_seconds(self) -> float: ...


class SourceUnavailable(Unavailable):
    """A SQL source could not be reached or its query failed (exit 69); nothing was evaluated from it."""



def source_url(source: SqlSource, env: Mapping[str, str] | None = None) -> str:
    """The URL with its ``${VAR}`` parts read from the environment; every credential in it is registered so no
    message shows it. An unset variable is a source that cannot be reached (69), named without its value."""
    env = os.environ if env is None else env
    try:
        url = expand_env(source.url, env)
    except KeyError as exc:
        raise SourceUnavailable(f"source '{source.name}': environment variable ${{{exc.args[0]}}} is not set "
                                "(its URL is read from the environment)") from None
    if url != source.url:
        register_url_secrets(url)
        if "${" in source.url.split("://", 1)[0] or source.url.startswith("${"):
            register_secret(url)  # the whole URL came from the environment: shown nowhere
    return "postgresql" + url[len("postgres"):] if url.startswith("postgres://") else url


def _engine(source: SqlSource, url: str, base_dir: Path) -> Any:
    try:
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool
    except ImportError:
        raise SourceUnavailable(f"source '{source.name}' needs SQLAlchemy: pip install 'csops[sql]'") from None
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise SourceUnavailable(f"source '{source.name}': '{redact_url(url)}' is not a database URL "
                                "(dialect://user@host/database)") from None
    args: dict[str, Any] = {}
    backend = parsed.get_backend_name()
    if backend in ("sqlite", "duckdb") and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        path = path if path.is_absolute() else base_dir / path
        if not path.is_file():
            raise SourceUnavailable(f"source '{source.name}': no database file {path}")
        if backend == "sqlite":  # read-only by the file's mode: the file is never created or written
            parsed = parsed.set(database=f"file:{path}", query={**parsed.query, "mode": "ro", "uri": "true"})
        else:
            parsed = parsed.set(database=str(path))
            args["read_only"] = True
    elif backend == "postgresql":
        args["connect_timeout"] = max(1, int(min(source.timeout_seconds, 30)))
    try:
        return sa.create_engine(parsed, poolclass=NullPool, connect_args=args)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise SourceUnavailable(f"source '{source.name}': no SQLAlchemy dialect for '{parsed.drivername}' "
                                f"({exc}); install the package that provides it") from None


def _read_only(conn: Any, source: SqlSource) -> None:
    """The transaction reads only, and a statement runs at most ``timeout_seconds``, where the engine can say so.
    SQLite and DuckDB files are opened read-only; other engines: give the connecting user read grants only."""
    import sqlalchemy as sa

    name = conn.dialect.name
    if name == "postgresql":
        conn.execute(sa.text("SET TRANSACTION READ ONLY"))
        conn.execute(sa.text(f"SET LOCAL statement_timeout = {int(source.timeout_seconds * 1000)}"))
    elif name in ("mysql", "mariadb"):
        conn.execute(sa.text("SET TRANSACTION READ ONLY"))


@contextmanager
def connected(source: SqlSource, base_dir: Path) -> Iterator[Any]:
    """A read-only connection to the source; any failure is :class:`SourceUnavailable` with the URL redacted.

    Besides the engine's own statement timeout (PostgreSQL's ``statement_timeout``), a timer interrupts the query
    after ``timeout_seconds`` (sqlite3 and DuckDB connections have ``interrupt``, psycopg's ``cancel``; a few
    seconds later where the server keeps its own), so no engine can hold a sync."""
    import sqlalchemy as sa

    url = source_url(source)
    engine = _engine(source, url, base_dir)
    shown = redact(redact_url(url))
    fired: list[bool] = []
    try:
        with engine.connect() as conn, conn.begin():
            grace = 5.0 if conn.dialect.name == "postgresql" else 0.0
            timer = threading.Timer(source.timeout_seconds + grace, _interrupt, (conn, fired))
            timer.daemon = True
            timer.start()
            try:
                _read_only(conn, source)
                yield conn
            finally:
                timer.cancel()
                conn.rollback()
    except sa.exc.SQLAlchemyError as exc:
        reason = redact(str(getattr(exc, "orig", None) or exc)).strip().splitlines()[0]
        if fired:
            reason = f"the query ran past its timeout ({source.timeout_seconds:g} s) and was interrupted ({reason})"
        raise SourceUnavailable(f"source '{source.name}' ({shown}): {reason}") from None
    finally:
        engine.dispose()


def _interrupt(conn: Any, fired: list[bool]) -> None:
    raw = getattr(conn.connection, "dbapi_connection", None)
    for method in ("interrupt", "cancel"):
        if callable(getattr(raw, method, None)):
            fired.append(True)
            getattr(raw, method)()
            return


def _param(conn: Any, since: dt.datetime) -> Any:
    """``:since`` as the engine compares it: SQLite has no time type, so there it is UTC text in SQLite's own
    ``YYYY-MM-DD HH:MM:SS`` (what ``CURRENT_TIMESTAMP`` and ``datetime()`` write)."""
    if conn.dialect.name == "sqlite":
        return since.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return since


def rows(conn: Any, source: SqlSource, since: dt.datetime | None, limit: int | None = None
         ) -> tuple[list[str], Iterator[Mapping[str, Any]]]:
    """The query's columns and its rows (streamed); ``limit`` wraps it for a check or a preview."""
    import sqlalchemy as sa

    text = source.query if limit is None else f"SELECT * FROM ({source.query}) csops_source LIMIT {int(limit)}"
    params = {} if since is None else {"since": _param(conn, since)}
    result = conn.execution_options(yield_per=CHUNK).execute(sa.text(text), params)
    return list(result.keys()), iter(result.mappings())
