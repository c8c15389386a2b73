"""SQL fact sources: the team's own query, run read-only with a timeout against the team's database or warehouse
(the client: ``connectors.sqlsource``), its rows stored per account key for the rules (README "Facts from your
database")."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from base.errors import SourceError
from base.suggest import suggest
from connectors.sfid import is_valid_id, to18
from connectors.sqlsource import CHUNK, SourceUnavailable, connected, rows
from rules.engine import FactValueError, convert
from rules.ruleset import RuleSet, Source
from store import Store
from store.sources import SourceRow

log = logging.getLogger("csops.sources")

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class SourcePullResult:
    name: str
    rows: int = 0
    changed: int = 0
    since: str | None = None  # the :since the query got (None: a full query)
    skipped: int = 0  # rows without a usable key
    skipped_first: str | None = None  # why the first of them has none
    failed: str | None = None  # on_failure: last_known and the source failed: why; its stored values stand
    last_known_at: str | None = None

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": self.rows, "changed": self.changed, "since": self.since,
                               "skipped": self.skipped}
        if self.failed is not None:
            out.update(failed=self.failed, last_known_at=self.last_known_at)
        return out


def cursor_name(source: Source) -> str:
    """The cursor of a source's incremental pull; a changed query starts again from the beginning."""
    digest = hashlib.sha256(source.query.encode()).hexdigest()[:12]
    return f"source.{source.name}.{digest}"


def since_for(store: Store, source: Source, full: bool = False) -> dt.datetime | None:
    """The ``:since`` of the next pull: the start of the last successful one less the look-back (the epoch for the
    first); None when the query takes no ``:since``."""
    if not source.incremental:
        return None
    saved = None if full else store.get_cursor(cursor_name(source))
    if saved is None:
        return EPOCH
    return dt.datetime.fromisoformat(saved) - dt.timedelta(seconds=source.lookback_seconds)


# -- connecting --------------------------------------------------------------------------------------------------

# -- pulling -----------------------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | bytes):
        return str(value)
    raise TypeError(type(value).__name__)


def row_key(source: Source, value: Any) -> tuple[str | None, str | None]:
    """The stored key of a row (an 18-character Account Id, or the matched fact's value as text), or why none."""
    if value is None or str(value).strip() == "":
        return None, f"no value in {source.key}"
    text = str(value).strip()
    if source.match is not None:
        return text, None
    if not is_valid_id(text):
        return None, f"{source.key} '{text[:40]}' is not a 15- or 18-character Salesforce Account Id"
    return to18(text), None


def pull_source(store: Store, source: Source, base_dir: Path, full: bool = False, commit: bool = True
                ) -> SourcePullResult:
    """Run the source's query (incrementally by ``:since``) and store each row by key, a chunk per transaction.

    The cursor moves only after every row is stored; a full query (no ``:since``) also drops the stored keys it no
    longer returns."""
    result = SourcePullResult(source.name)
    started = dt.datetime.now(dt.UTC)
    since = since_for(store, source, full)
    result.since = None if since is None else since.isoformat()
    seen: set[str] = set()
    with connected(source, base_dir) as conn:
        columns, stream = rows(conn, source, since)
        if source.key not in columns:
            raise SourceUnavailable(f"source '{source.name}': the query returns no column '{source.key}' (its key); "
                                    f"it returns {', '.join(columns) or 'no column'}")
        chunk: list[SourceRow] = []
        for row in stream:
            result.rows += 1
            key, problem = row_key(source, row[source.key])
            if key is None:
                result.skipped += 1
                result.skipped_first = result.skipped_first or problem
                continue
            if since is None:
                seen.add(key)
            values = {c: v for c, v in row.items() if c != source.key}
            chunk.append(SourceRow(source.name, key, json.dumps(values, default=_jsonable, ensure_ascii=False,
                                                                sort_keys=True)))
            if len(chunk) >= CHUNK:
                result.changed += _store(store, chunk)
                chunk = []
        result.changed += _store(store, chunk)
    with store.transaction():
        if since is None and commit:
            result.changed += store.delete_source_rows(source.name, keep=seen)
        if commit and since is not None:
            store.set_cursor(cursor_name(source), started.isoformat())
    if result.skipped:
        log.warning("source %s: %d rows skipped (%s)", source.name, result.skipped, result.skipped_first)
    return result


def _store(store: Store, chunk: list[SourceRow]) -> int:
    with store.transaction():
        return store.upsert_source_rows(chunk)


def pull_sources(store: Store, rules: RuleSet, base_dir: Path, full: bool = False, commit: bool = True
                 ) -> dict[str, SourcePullResult]:
    """Every source the rules read; one that fails stops the run (69) unless it is ``on_failure: last_known``, whose
    stored values are then used and the run's report says so."""
    out: dict[str, SourcePullResult] = {}
    for source in rules.sources.values():
        if not rules.source_facts(source.name):
            continue
        try:
            out[source.name] = pull_source(store, source, base_dir, full, commit)
        except SourceUnavailable as exc:
            if source.on_failure != "last_known":
                raise SourceUnavailable(f"{exc} (nothing was evaluated or written: the rules would read stale "
                                        f"values; on_failure: last_known uses the stored ones)") from None
            changed_at = store.source_changed_at(source.name)
            log.warning("%s; using its last known values (stored %s)", exc, changed_at or "never")
            out[source.name] = SourcePullResult(source.name, failed=str(exc), last_known_at=changed_at)
    return out


def source_values(store: Store, rules: RuleSet) -> dict[str, tuple[Source, dict[str, str]]]:
    """Per source the rules read: the source and its stored rows (key → values as JSON)."""
    return {s.name: (s, store.source_rows(s.name)) for s in rules.sources.values() if rules.source_facts(s.name)}


# -- checking and previewing -------------------------------------------------------------------------------------

SAMPLE = 20


def check_source(rules: RuleSet, source: Source, base_dir: Path) -> tuple[list[str], list[SourceError]]:
    """Run the query on its first rows: the key column and every column a fact reads must be there (a did-you-mean
    otherwise), and the values of those rows must read as the facts' types. Returns the columns and the problems,
    each located at the fact (or the source) at fault."""
    problems: list[SourceError] = []
    with connected(source, base_dir) as conn:
        columns, stream = rows(conn, source, EPOCH if source.incremental else None, SAMPLE)
        sample = list(stream)
    if source.key not in columns:
        problems.append(rules.error_at(("sources", source.name, "key"), f"sources.{source.name}.key: the query "
                                       f"returns no column '{source.key}'{suggest(source.key, columns)}"))
    for fact in rules.source_facts(source.name):
        path = ("facts", fact.name, "column" if fact.column else "source")
        if fact.source_column not in columns:
            problems.append(rules.error_at(path, f"facts.{fact.name}: source '{source.name}' returns no column "
                                           f"'{fact.source_column}'{suggest(fact.source_column, columns)}"))
            continue
        for n, row in enumerate(sample, 1):
            try:
                convert(fact.name, fact.type, row[fact.source_column], rules.tz)
            except FactValueError as exc:
                problems.append(rules.error_at(path, f"facts.{fact.name}: column '{fact.source_column}' of source "
                                               f"'{source.name}' holds {exc.value!r} (row {n}), not a {fact.type}"))
                break
    return columns, problems


def preview(store: Store, rules: RuleSet, source: Source, base_dir: Path, limit: int = 10
            ) -> tuple[list[str], list[list[Any]]]:
    """The first rows the next pull would get, as the rules will see them: the key, the account it names (or why
    none), and each fact read from the source as its type."""
    facts = rules.source_facts(source.name)
    out: list[list[Any]] = []
    with connected(source, base_dir) as conn:
        columns, stream = rows(conn, source, since_for(store, source), limit)
        if source.key not in columns:
            raise SourceUnavailable(f"source '{source.name}': the query returns no column '{source.key}' (its key)")
        for row in stream:
            key, problem = row_key(source, row[source.key])
            shown: list[Any] = [row[source.key], key if key is not None else f"({problem})"]
            for fact in facts:
                try:
                    shown.append(convert(fact.name, fact.type, row.get(fact.source_column), rules.tz))
                except FactValueError as exc:
                    shown.append(f"({exc})")
            out.append(shown)
    return [source.key, "account" if source.match is None else source.match, *(f.name for f in facts)], out
