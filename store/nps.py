"""NPS answers, imported per survey (a file or a Salesforce object)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from store.connection import Database


class NpsLine(NamedTuple):
    """One answer of a survey as read: its line in the file (or its place in the Salesforce query)."""

    line: int
    account_id: str  # 18 characters
    answered_on: str
    score: int
    comment: str | None


class NpsScore(NamedTuple):
    """One answer as the report counts it."""

    survey: str
    account_id: str
    answered_on: str
    score: int


class NpsResponse(NamedTuple):
    """One stored answer as an import compares it."""

    survey: str
    account_id: str
    answered_on: str
    score: int
    comment: str | None


class NpsSurvey(NamedTuple):
    survey: str
    answers: int
    first_answered_on: str
    last_answered_on: str


class NpsTable(Database):
    """The ``nps_responses`` table."""

    def replace_nps(self, survey: str, rows: Iterable[NpsLine]) -> tuple[int, int]:
        """Replace every answer of ``survey`` by ``rows``.

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

    def nps_responses(self) -> list[NpsScore]:
        """Every NPS answer, by day answered."""
        return self._rows(NpsScore, "SELECT survey, account_id, answered_on, score FROM nps_responses "
                          "ORDER BY answered_on, survey, line")

    def nps_answers(self) -> list[NpsResponse]:
        """Every NPS answer with its comment: what an import compares."""
        return self._rows(NpsResponse, "SELECT survey, account_id, answered_on, score, comment FROM nps_responses")

    def nps_surveys(self) -> list[NpsSurvey]:
        """Per survey, its answers and their first and last day, oldest first."""
        return self._rows(NpsSurvey, "SELECT survey, COUNT(*), MIN(answered_on), MAX(answered_on) FROM "
                          "nps_responses GROUP BY survey ORDER BY MIN(answered_on), survey")
