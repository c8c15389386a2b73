"""NPS answers, imported per survey (a file or a Salesforce object)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from store.connection import Database


class NpsTable(Database):
    """The ``nps_responses`` table."""

    def replace_nps(self, survey: str, rows: Iterable[Sequence[Any]]) -> tuple[int, int]:
        """Replace every answer of ``survey`` by ``rows`` of (line, account_id, answered_on, score, comment).

        A survey is one file (or one Salesforce object); several people of one account
        may answer on one day, so an answer is keyed by its survey and line. Importing a
        survey again replaces its earlier answers. Returns (answers removed, answers added).
        """
        rows = list(rows)
        with self.transaction():
            removed = self._execute("DELETE FROM nps_responses WHERE survey = ?", (survey,)).rowcount
            self._executemany("INSERT INTO nps_responses (survey, line, account_id, answered_on, score, comment) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(survey, *r) for r in rows])
        return removed, len(rows)

    def remove_nps(self, survey: str) -> int:
        """Delete every answer of ``survey``; returns how many."""
        with self.transaction():
            return int(self._execute("DELETE FROM nps_responses WHERE survey = ?", (survey,)).rowcount)

    def nps_responses(self) -> list[tuple[str, str, str, int]]:
        """(survey, account id, answered on, score) for every NPS answer."""
        return [tuple(r) for r in self._query(
            "SELECT survey, account_id, answered_on, score FROM nps_responses ORDER BY answered_on, survey, line")]

    def nps_answers(self) -> list[tuple[str, str, str, int, str | None]]:
        """(survey, account id, answered on, score, comment) for every NPS answer: what an import compares."""
        return [tuple(r) for r in self._query(
            "SELECT survey, account_id, answered_on, score, comment FROM nps_responses")]

    def nps_surveys(self) -> list[tuple[str, int, str, str]]:
        """(survey, answers, first answered on, last answered on) per survey, oldest first."""
        return [tuple(r) for r in self._query(
            "SELECT survey, COUNT(*), MIN(answered_on), MAX(answered_on) FROM nps_responses GROUP BY survey "
            "ORDER BY MIN(answered_on), survey")]
