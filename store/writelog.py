"""The write log: one row per field csops sent to Salesforce, with the value it replaced and why it was sent."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from store.connection import Database, in_lists, now_iso
from store.dialect import StoreError

#: A row's result: ``sent`` is logged before the request goes (a run killed before the answer leaves it so),
#: then ``ok`` or ``rejected`` with Salesforce's error. ``left``: not sent; csops left a field it wrote as it was, on
#: an account out of the rules' scope (sync.scope), and says so here once.
SENT, OK, REJECTED, LEFT = "sent", "ok", "rejected", "left"

_COLUMNS = ("run_id, written_at, sobject, record_id, account_id, field, old_value, new_value, result, error, "
            "reason")
#: The columns as read: a row still ``sent`` whose run's write was answered reads ``ok``.
_READ = ("w.run_id, w.written_at, w.sobject, w.record_id, w.account_id, w.field, w.old_value, w.new_value, "
         f"CASE WHEN w.result = '{SENT}' AND b.run_id IS NOT NULL THEN '{OK}' ELSE w.result END, w.error, w.reason "
         "FROM write_log w LEFT JOIN write_batches b ON b.run_id = w.run_id AND b.sobject = w.sobject")


class WriteEntry(NamedTuple):
    """One field written (or sent) to one Salesforce record; values as Salesforce takes them (JSON types)."""

    run_id: int
    written_at: str
    sobject: str  # Account, Task
    record_id: str
    account_id: str
    field: str
    old: Any  # the value Salesforce held before (None for a record the run created)
    new: Any
    result: str  # sent, ok, rejected
    error: str | None
    reason: str | None  # the rule or alert behind the value


def _encode(entry: WriteEntry) -> tuple[Any, ...]:
    return (*entry[:6], json.dumps(entry.old, ensure_ascii=False), json.dumps(entry.new, ensure_ascii=False),
            *entry[8:])


def _decode(row: tuple[Any, ...]) -> WriteEntry:
    run_id, written_at, sobject, record_id, account_id, field, old, new, result, error, reason = row
    return WriteEntry(run_id, written_at, sobject, record_id, account_id, field,
                      None if old is None else json.loads(old), None if new is None else json.loads(new), result,
                      error, reason)


class WriteLogTable(Database):
    """The ``write_log`` table."""

    def log_writes(self, entries: Iterable[WriteEntry]) -> int:
        """Add rows (logged before the request is sent, as :data:`SENT`) in one transaction, 5,000 at a time (a
        first sync logs hundreds of thousands: they are never all in memory); how many."""
        rows = (_encode(e) for e in entries)
        logged = 0
        with self.transaction():
            while batch := list(itertools.islice(rows, 5000)):
                logged += self._bulk_insert("write_log", _COLUMNS.split(", "), batch)
        return logged

    def settle_writes(self, run_id: int, sobject: str, rejected: dict[str, str]) -> None:
        """Salesforce answered for every record of a run's write: ``rejected`` (record id → error) were refused,
        the others were written. The refused rows are marked; the rest read as ``ok`` through the run's row in
        ``write_batches`` (updating every row would leave as many dead row versions on PostgreSQL, doubling the
        log's size until a vacuum)."""
        by_error: dict[str, list[str]] = {}
        for record_id, error in rejected.items():
            by_error.setdefault(error, []).append(record_id)
        with self.transaction():
            for error, ids in by_error.items():  # refusals mostly share a few errors: one statement per slice of ids
                for chunk, marks in in_lists(ids):
                    self._execute("UPDATE write_log SET result = ?, error = ? WHERE run_id = ? AND sobject = ? AND "
                                  f"result = ? AND record_id IN ({marks})",
                                  (REJECTED, error, run_id, sobject, SENT, *chunk))
            self._execute("INSERT INTO write_batches (run_id, sobject, settled_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (run_id, sobject) DO NOTHING", (run_id, sobject, now_iso()))

    def account_writes(self, account_id: str, limit: int | None = None) -> list[WriteEntry]:
        """An account's writes (its fields and its Tasks), newest first."""
        sql = f"SELECT {_READ} WHERE w.account_id = ? ORDER BY w.id DESC"
        params: tuple[Any, ...] = (account_id,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        return [_decode(r) for r in self._query(sql, params)]

    def run_writes(self, run_id: int) -> list[WriteEntry]:
        """Every write of one run, in the order they were logged."""
        return [_decode(r) for r in self._tuples(f"SELECT {_READ} WHERE w.run_id = ? ORDER BY w.id", (run_id,))]

    def out_of_scope_writes(self) -> list[WriteEntry]:
        """On accounts the store no longer holds as live (deleted, or out of salesforce.where), each Account field
        whose newest row that may have reached Salesforce (or says csops left it) set a value, and is not a
        ``left`` row: what sync.scope has yet to clear or leave. One pass over those accounts' rows."""
        reached = f"('{OK}', '{SENT}', '{LEFT}')"
        newest = ("SELECT MAX(x.id) AS id FROM write_log x JOIN accounts a ON a.id = x.account_id AND a.deleted = 1 "
                  f"WHERE x.sobject = 'Account' AND x.result IN {reached} GROUP BY x.account_id, x.field")
        sql = (f"SELECT {_READ} JOIN ({newest}) m ON m.id = w.id "
               f"WHERE w.result <> '{LEFT}' AND w.new_value IS NOT NULL AND w.new_value <> 'null' "
               "ORDER BY w.account_id, w.id")
        return [_decode(r) for r in self._tuples(sql, ())]

    def prune_write_log(self, before: str) -> int:
        """Forget writes logged before ``before`` (UTC ISO time); how many."""
        with self.transaction():
            gone = int(self._execute("DELETE FROM write_log WHERE written_at < ?", (before,)).rowcount or 0)
            self._execute("DELETE FROM write_batches WHERE settled_at < ?", (before,))
        return gone

    def write_log_bytes(self) -> int | None:
        """Bytes the write log takes with its indexes (None when SQLite's dbstat is not compiled in)."""
        sql = ("SELECT pg_total_relation_size('write_log') + pg_total_relation_size('write_batches')"
               if self.engine == "postgresql" else
               "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('write_log', 'write_log_account', 'write_log_run', "
               "'write_batches', 'sqlite_autoindex_write_batches_1')")
        try:
            return int(self._scalar(sql) or 0)
        except StoreError:
            return None
