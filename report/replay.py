"""``csops rules replay``: the stored fact history re-evaluated under the current rules and a proposed rule file,
with what each would have done per week. Reads the store only (no API, no write). An account is evaluated on the
days its evaluation can change (:mod:`report.replay_days`), every day when the rules do not allow knowing them.

Each account's raw facts on a day are the newest ``fact_history`` values on or before it (the sync keeps them on
the days they change); both rule sets see the same facts and build their own history (for the facts from history)
from their own evaluations, so replaying the current rules against themselves shows no difference.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from notify.channel import Channel
from notify.config import NotifySpec
from report.backtest import Tallies, summary, tally
from report.compute import week_of
from report.model import Point
from report.replay_days import Schedule, analyse
from report.replay_jobs import run_all
from rules.engine import Engine, Evaluation, FactValueError, PastPoint
from rules.ruleset import RuleSet, compile_rules
from store import Store

METRICS = ("status_changes", "band_changes", "alerts_raised", "slack_messages", "tasks_created", "tasks_completed")
_CLOCK = re.compile(r"\b(today|now)\b")
Inputs = tuple[tuple[RuleSet, NotifySpec], tuple[RuleSet, NotifySpec], date, date, str | None, bool]
SHARD_MIN = 200  # accounts a worker process is worth starting for (a year of them: about half a CPU second)


@dataclass
class Week:
    """What one rule set did in one week: status and band changes, alerts raised (per alert id), Slack messages
    (per channel) and Tasks created and completed."""

    status_changes: int = 0
    band_changes: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)  # per message channel (Slack)
    tasks_created: int = 0
    tasks_completed: int = 0

    def add(self, other: Week) -> None:
        """Another share of the accounts' figures for the same week, but its Slack messages (a channel posts once
        a day for all accounts: :meth:`Replayer.take` counts them from the days and channels posted)."""
        self.status_changes += other.status_changes
        self.band_changes += other.band_changes
        self.alerts.update(other.alerts)
        self.tasks_created += other.tasks_created
        self.tasks_completed += other.tasks_completed

    def summary(self) -> dict[str, Any]:
        return {"status_changes": self.status_changes, "band_changes": self.band_changes,
                "alerts_raised": sum(self.alerts.values()), "alerts": dict(sorted(self.alerts.items())),
                "slack_messages": sum(self.messages.values()), "messages": dict(sorted(self.messages.items())),
                "tasks_created": self.tasks_created, "tasks_completed": self.tasks_completed}


class Notices:
    """What a rule set's notify routes would have sent, as a daily sync sends it (README "Alerts that reach
    people"): a raised alert goes to the channels its routes pick that day; a cleared one back to the channels
    that announced it, if they tell resolutions. A Slack channel posts one message a day when it has any (a
    digest channel too: once a day); a Task channel creates a Task per raised alert and completes it when the
    alert clears."""

    def __init__(self, spec: NotifySpec, rules: RuleSet) -> None:
        self.spec = spec
        self.severity = {a.id: a.severity for a in rules.alerts}
        self.posting: set[tuple[date, str]] = set()  # (day, Slack channel) with something to post

    def account(self, day: date, ev: Evaluation, raised: set[str], cleared: set[str],
                announced: dict[str, list[str]], week: Week) -> None:
        """Route one account's changes of ``day``; ``announced`` (alert → channel names) is kept per account."""
        if not self.spec.enabled:
            return
        for alert in raised:
            channels = self.spec.channels_for(alert, self.severity.get(alert), ev.product, ev.tier, ev.status)
            announced[alert] = [c.name for c in channels]
            for c in channels:
                self._notice(c, day, week, created=True)
        for alert in cleared:
            for name in announced.pop(alert, []):
                channel = self.spec.channels.get(name)
                if channel is not None and channel.tells_resolved:
                    self._notice(channel, day, week, created=False)

    def _notice(self, channel: Channel, day: date, week: Week, created: bool) -> None:
        """A message channel (Slack) posts once a day; a channel that keeps a record (a Task) opens or closes one."""
        if channel.closed_status is None:
            if (day, channel.name) not in self.posting:
                self.posting.add((day, channel.name))
                week.messages[channel.name] += 1
        elif created:
            week.tasks_created += 1
        else:
            week.tasks_completed += 1


class Replayer:
    """One rule set over the days: an engine per day (one for all days when no condition reads today or now)."""

    def __init__(self, rules: RuleSet, first: date, churned_fact: str | None = None,
                 notify: NotifySpec | None = None, fast: bool = True) -> None:
        self.rules = rules
        self.notices = Notices(notify or NotifySpec(), rules)
        self.churned_fact = churned_fact
        self.states: list[list[Point]] = []  # per account, its replayed states on the days they changed
        self.taken: Tallies | None = None  # the backtest's tallies of the accounts replayed elsewhere (take)
        self.per_day = any(_CLOCK.search(t) for t in _texts(rules))
        self._engines: dict[date, Engine] = {}
        self._one = None if self.per_day else Engine(compile_rules(rules, first))
        self.fast, self.why_every_day = (None, "a condition reads today or now") if self._one is None else \
            analyse(self._one.rules, churned_fact)
        if not fast:
            self.fast, self.why_every_day = None, "asked to"
        self.weeks: dict[date, Week] = {}
        self.backlog: Counter[str] = Counter()  # alerts already raised on an account's first replayed day
        self.evaluations = 0
        # what Engine.facts reads of the rules: two sets alike in it type an account's raw facts alike on a day
        self.typing = (str(rules.tz), self.per_day,
                       tuple((f.name, f.type, None if f.condition is None else f.expr) for f in rules.facts.values()))

    def share(self, start: date, end: date) -> Share:
        """What this set worked out over its accounts from ``start`` to ``end``, for :meth:`take` in another
        process (the backtest's tallies rather than every account's states)."""
        return Share(self.weeks, self.backlog, self.evaluations, self.tallies(start, end), self.notices.posting)

    def tallies(self, start: date, end: date) -> Tallies:
        """The health score's backtest counted over the accounts' replayed states (or taken from the shares)."""
        return self.taken if self.taken is not None else tally(self.states, start, end)

    def take(self, shares: Sequence[Share]) -> None:
        """The shares of this set worked out over other accounts elsewhere, as if this set had walked them all:
        the figures and backtest tallies added, each Slack channel's messages counted once a day over all the
        shares."""
        self.taken = self.taken or Tallies()
        for part in shares:
            for week, figures in part.weeks.items():
                self.weeks.setdefault(week, Week()).add(figures)
            self.backlog.update(part.backlog)
            self.evaluations += part.evaluations
            self.taken.merge(part.tallies)
            self.notices.posting |= part.posting
        for counted in self.weeks.values():
            counted.messages.clear()
        for day, channel in sorted(self.notices.posting):
            self.weeks.setdefault(week_of(day), Week()).messages[channel] += 1

    def engine(self, day: date) -> Engine:
        if self._one is not None:
            self._one.move_to(day)
            return self._one
        if day not in self._engines:
            self._engines[day] = Engine(compile_rules(self.rules, day))
        return self._engines[day]

    def account(self, account_id: str, changes: list[tuple[date, dict[str, Any]]], start: date, end: date) -> None:
        """Evaluate one account every day from ``start`` (or its first facts) to ``end`` and count what changed,
        week by week (the fast path: :func:`replay_fast`)."""
        walk = _Walk(account_id)
        for day, raw in account_days(changes, start, end):
            self.evaluate(walk, day, raw)
        self.states.append(walk.states)

    def evaluate(self, walk: _Walk, day: date, raw: dict[str, Any], typed: dict[str, Any] | None = None
                 ) -> Evaluation:
        """``typed``: ``raw`` as this set's engine types it on ``day``, when already known."""
        engine = self.engine(day)
        self.evaluations += 1
        facts = _typed(engine, raw) if typed is None else typed
        ev = engine.evaluate(walk.account_id, facts, walk.past, writeback=False)
        state = Point(day, ev.status, band=ev.health.band, components={c.id: c.score for c in ev.health.components},
                      gone="churned" if self.churned_fact and facts.get(self.churned_fact) is True else None)
        if not walk.states or _differs(walk.states[-1], state):
            walk.states.append(state)
        monday = week_of(day)
        week = self.weeks.get(monday) or self.weeks.setdefault(monday, Week())
        before = walk.before
        if before is None:
            self.backlog.update(ev.alerts)
        else:
            week.status_changes += ev.status != before.status
            week.band_changes += ev.health.band != before.health.band
            raised, cleared = set(ev.alerts) - set(before.alerts), set(before.alerts) - set(ev.alerts)
            week.alerts.update(raised)
            self.notices.account(day, ev, raised, cleared, walk.announced, week)
        point = PastPoint(day, ev.status, ev.phase, ev.health.score)
        if not walk.past or walk.past[-1][1:] != point[1:]:
            walk.past.append(point)
        walk.before = ev
        return ev


@dataclass
class Share:
    """One rule set's work over a range of accounts (:meth:`Replayer.share`)."""

    weeks: dict[date, Week]
    backlog: Counter[str]
    evaluations: int
    tallies: Tallies
    posting: set[tuple[date, str]]


def replay_fast(sets: Sequence[Replayer], schedule: Schedule, account_id: str,
                changes: list[tuple[date, dict[str, Any]]], start: date, end: date) -> None:
    """One account under rule sets that each have a day sensitivity: each set is evaluated on the days
    :meth:`~report.replay_days.Schedule.days` says the facts can change an evaluation (found in one walk over the
    account's fact changes for all the sets), and on the days its own last evaluation can change
    (:meth:`~report.replay_days.DaySensitivity.next_day`). Days are ordinals here."""
    walks = [_Walk(account_id) for _ in sets]
    days = [d.toordinal() for d, _ in changes]
    facts: dict[str, Any] = {}
    n, i, first, last = len(changes), 0, start.toordinal(), end.toordinal()
    while i < n and days[i] <= first:
        facts.update(changes[i][1])
        i += 1
    day = first if i else (days[0] if n else last + 1)
    forced = schedule.days(facts, changes, days, i, day, last) if day <= last else []
    pending: list[int | None] = [None] * len(sets)
    k, m = 0, len(forced)
    while True:
        day = forced[k] if k < m else last + 1
        for d in pending:
            if d is not None and d < day:
                day = d
        if day > last:
            break
        force = k < m and forced[k] == day
        k += force
        while i < n and days[i] <= day:
            facts.update(changes[i][1])
            i += 1
        _evaluate_sets(sets, walks, schedule, pending, force, day, facts)
    for r, walk in zip(sets, walks, strict=True):
        r.states.append(walk.states)


def _evaluate_sets(sets: Sequence[Replayer], walks: list[_Walk], schedule: Schedule, pending: list[int | None],
                   force: bool, day: int, facts: dict[str, Any]) -> None:
    """Evaluate on ``day`` the sets it is due for (all when ``force``), and note each one's next own day."""
    on = date.fromordinal(day)
    typed: dict[Any, dict[str, Any]] = {}  # the facts typed once for the sets that type them alike
    for k, r in enumerate(sets):
        if force or pending[k] == day:
            assert r.fast is not None
            walk = walks[k]
            if r.typing not in typed:
                typed[r.typing] = _typed(r.engine(on), facts)
            ev = r.evaluate(walk, on, facts, typed[r.typing])
            start = schedule.day_of(facts.get(r.fast.start_fact)) if r.fast.start_fact else None
            then = r.fast.next_day(ev, on, None if start is None else date.fromordinal(start), walk.past, on)
            pending[k] = None if then is None else then.toordinal()


@dataclass
class _Walk:
    """One account's replay under one rule set: its history so far, states, announced alerts, last evaluation."""

    account_id: str
    past: list[PastPoint] = field(default_factory=list)
    states: list[Point] = field(default_factory=list)
    announced: dict[str, list[str]] = field(default_factory=dict)
    before: Evaluation | None = None


def _differs(a: Point, b: Point) -> bool:
    return (a.status, a.band, a.gone, a.components) != (b.status, b.band, b.gone, b.components)


def _texts(rules: RuleSet) -> list[str]:
    texts = [t.when_text for t in rules.tiers] + [a.when_text for a in rules.alerts]
    texts += [st.when_text for c in rules.components for st in (c.ladder or [])]
    texts += [ph.done_text for phases in rules.products.values() for ph in phases]
    texts += [f.expr for f in rules.facts.values() if f.expr]
    return [t for t in texts if t]


def _typed(engine: Engine, raw: dict[str, Any]) -> dict[str, Any]:
    """Typed facts; a stored value that does not fit its (perhaps new) type is null, as the sync treats it."""
    try:
        return engine.facts(raw)
    except FactValueError:
        raw = dict(raw)  # the caller's facts stay as stored
    while True:
        try:
            return engine.facts(raw)
        except FactValueError as exc:
            raw[exc.fact] = None


def account_days(changes: list[tuple[date, dict[str, Any]]], start: date, end: date
                 ) -> Iterator[tuple[date, dict[str, Any]]]:
    """Each day from the account's first known facts (or ``start``) to ``end``, with its facts on that day."""
    facts: dict[str, Any] = {}
    i = 0
    while i < len(changes) and changes[i][0] <= start:
        facts.update(changes[i][1])
        i += 1
    day = start if i else (changes[0][0] if changes else end + timedelta(days=1))
    while day <= end:
        while i < len(changes) and changes[i][0] <= day:
            facts.update(changes[i][1])
            i += 1
        yield day, facts
        day += timedelta(days=1)


def fact_changes(store: Store, end: date, first: str | None = None, below: str | None = None
                 ) -> Iterator[tuple[str, list[tuple[date, dict[str, Any]]]]]:
    """Per account (in id order; only the ids from ``first`` on and below ``below``), its fact changes up to
    ``end``."""
    known: dict[str, date] = {}  # each day read once: every account's changes fall on the same few hundred days
    for account_id, days, changes in store.fact_history_by_account(end.isoformat(), first, below):
        on = [known[d] if d in known else known.setdefault(d, date.fromisoformat(d)) for d in days]
        yield account_id, list(zip(on, changes, strict=True))


def replayers(current: tuple[RuleSet, NotifySpec], proposed: tuple[RuleSet, NotifySpec], start: date,
              churned_fact: str | None = None, fast: bool = True) -> dict[str, Replayer]:
    return {"current": Replayer(current[0], start, churned_fact, current[1], fast),
            "proposed": Replayer(proposed[0], start, churned_fact, proposed[1], fast)}


def replay_accounts(sets: dict[str, Replayer], accounts: Iterable[tuple[str, list[tuple[date, dict[str, Any]]]]],
                    start: date, end: date) -> int:
    """Both rule sets over these accounts' days from ``start`` to ``end`` (the sets in one time zone walked
    together); returns how many accounts."""
    zones: dict[str, list[Replayer]] = {}  # the sets walked together: a date's day is the same in their zone
    for r in sets.values():
        if r.fast is not None:
            zones.setdefault(str(r.rules.tz), []).append(r)
    walks = [(group, Schedule([r.fast for r in group if r.fast is not None], group[0].rules.tz))
             for group in zones.values()]
    n = 0
    for account_id, changes in accounts:
        n += 1
        for group, schedule in walks:
            replay_fast(group, schedule, account_id, changes, start, end)
        for r in sets.values():
            if r.fast is None:
                r.account(account_id, changes, start, end)
    return n


def replay(store: Store, current: tuple[RuleSet, NotifySpec], proposed: tuple[RuleSet, NotifySpec], start: date,
           end: date, churned_fact: str | None = None, fast: bool = True, jobs: int = 1,
           shard_min: int | None = None) -> dict[str, Any]:
    """Both rule sets (each with its notify routes) over every account's days from ``start`` to ``end``; per week,
    each one's figures and the difference (proposed − current); each one's backtest of the health score
    (``churned_fact``: the report's). ``fast=False``: evaluate every day (what the fast path is tested against).
    ``jobs``: the accounts shared among up to this many worker processes (:mod:`report.replay_jobs`), each given
    at least ``shard_min`` accounts (default :data:`SHARD_MIN`); the answer is the same as in one process."""
    sets = replayers(current, proposed, start, churned_fact, fast)
    if jobs > 1:
        accounts = replay_shared(store, sets, (current, proposed, start, end, churned_fact, fast), jobs,
                                 SHARD_MIN if shard_min is None else shard_min)
    else:
        accounts = replay_accounts(sets, fact_changes(store, end), start, end)
    return _result(sets, accounts, start, end)


@dataclass
class _Task:
    """One worker's range of accounts (ids from ``first`` on, below ``below``; None: open) and how to replay it."""

    path: Path | None
    url: str | None
    first: str | None
    below: str | None
    inputs: Inputs

    def __str__(self) -> str:
        return f"the accounts {self.first or 'from the first'} to {self.below or 'the last'}"


@dataclass
class _Done:
    accounts: int
    shares: dict[str, Share]


def replay_shared(store: Store, sets: dict[str, Replayer], inputs: Inputs, jobs: int, shard_min: int) -> int:
    """Replay the accounts of ``store`` in up to ``jobs`` worker processes of at least ``shard_min`` accounts each
    (in this process when there are too few) and add each worker's share into ``sets``; returns how many
    accounts."""
    count, _ = store.fact_account_bounds(1)
    parts = max(1, min(jobs, count // max(1, shard_min)))
    start, end = inputs[2], inputs[3]
    if parts == 1:
        return replay_accounts(sets, fact_changes(store, end), start, end)
    _, bounds = store.fact_account_bounds(parts)
    edges: list[str | None] = [None, *bounds, None]
    tasks = [_Task(store.path, store.url, edges[k], edges[k + 1], inputs) for k in range(len(edges) - 1)]
    done = run_all(_replay_range, tasks)
    for name, r in sets.items():
        r.take([d.shares[name] for d in done])
    return sum(d.accounts for d in done)


def _replay_range(task: _Task) -> _Done:
    current, proposed, start, end, churned_fact, fast = task.inputs
    store = Store(task.path, url=task.url, migrate=False)
    try:
        sets = replayers(current, proposed, start, churned_fact, fast)
        accounts = replay_accounts(sets, fact_changes(store, end, task.first, task.below), start, end)
    finally:
        store.close()
    return _Done(accounts, {name: r.share(start, end) for name, r in sets.items()})


def _result(sets: dict[str, Replayer], accounts: int, start: date, end: date) -> dict[str, Any]:
    """What the replay gives (the CLI's JSON): per week each set's figures and the difference, and the totals."""
    weeks: list[dict[str, Any]] = []
    first_week = week_of(start)
    every = [first_week + timedelta(days=7 * k) for k in range((week_of(end) - first_week).days // 7 + 1)]
    for week in every if accounts else []:
        cur = sets["current"].weeks.get(week, Week()).summary()
        new = sets["proposed"].weeks.get(week, Week()).summary()
        diff: dict[str, Any] = {m: new[m] - cur[m] for m in METRICS}
        ids = sorted(set(cur["alerts"]) | set(new["alerts"]))
        diff["alerts"] = {i: d for i in ids if (d := new["alerts"].get(i, 0) - cur["alerts"].get(i, 0))}
        weeks.append({"week": week.isoformat(), "current": cur, "proposed": new, "difference": diff})
    changed = [w for w in weeks if any(w["difference"][m] for m in METRICS) or w["difference"]["alerts"]]
    return {"from": start.isoformat(), "to": end.isoformat(), "accounts": accounts,
            "rules": {k: list(r.rules.files) for k, r in sets.items()},
            "channels": {k: {c.name: c.type for c in r.notices.spec.channels.values()} if r.notices.spec.enabled
                         else {} for k, r in sets.items()},
            "backlog": {k: dict(sorted(r.backlog.items())) for k, r in sets.items()},
            "weeks": weeks, "weeks_changed": len(changed),
            "backtest": {k: summary(r.tallies(start, end), start, end, [b.name for b in r.rules.bands],
                                    {c.id: c.name for c in r.rules.components}) for k, r in sets.items()},
            "totals": {k: {m: sum(w[k][m] for w in weeks) for m in METRICS} for k in ("current", "proposed")},
            "evaluations": {k: r.evaluations for k, r in sets.items()},
            "every_day": {k: r.why_every_day for k, r in sets.items()}}
