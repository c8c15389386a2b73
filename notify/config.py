"""The ``notify`` section of the rule files: channels, and routes that send alerts to them.

Routing is pure: :meth:`NotifySpec.channels_for` says which channels an alert
goes to from its id, severity and the account's product, tier and status.  Each
channel's options are read by its kind (:mod:`notify.kinds`).

    notify:
      channels:
        cs-alerts:  {type: slack, webhook_env: SLACK_WEBHOOK_CS_ALERTS, resolved: true}
        cs-digest:  {type: slack, webhook_env: SLACK_WEBHOOK_CS_DIGEST, digest_at: "09:00"}
        owner-task: {type: salesforce_task, fallback_owner: 005000000000001AAA, due_in_days: 3}
      routes:
        - {severity: critical, to: [cs-alerts, owner-task]}
        - {severity: warning, to: cs-digest}

Every route whose conditions all match applies (an alert can reach several
channels); a condition absent from a route matches everything.

A route with ``run:`` is about csops itself, not accounts (:mod:`notify.ops`): the states of the sync it
announces (``failed``, ``held``, ``partial``, ``stale``) and, when the sync works again, the recovery:

    routes:
      - {run: [failed, held, partial, stale], to: cs-ops}
    warn_rejected_pct: 5       # partial: more than this share of the changed records rejected
    stale_after: 26            # stale: no successful sync for this many hours
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import SourceError
from base.schema import Number, Option, Reader, Section, keys
from base.suggest import suggest
from base.yamlsrc import Document, PathKey, dotted
from notify.channel import Channel
from notify.kinds import KINDS
from rules.ruleset import SEVERITIES, STATUSES, RuleError, RuleSet, expression_problems, read_rules

ROUTE_MATCHERS = ("alert", "severity", "product", "tier", "status")
#: What a ``run:`` route can announce about csops's own runs.
RUN_STATES = ("failed", "held", "partial", "stale")
_PCT = "{path}: expected a percentage 0-100"
_HOURS = "{path}: expected a number of hours above 0"


@dataclass
class Route:
    to: list[str]
    match: dict[str, list[str]] = field(default_factory=dict)
    file: str | None = None
    path: PathKey = ()
    run: list[str] = field(default_factory=list)  # a route about csops's runs: the states it announces

    def matches(self, values: dict[str, str | None]) -> bool:
        """Every condition holds; an account with several products (``勤怠管理;経費精算``) matches a product
        condition that names any of them."""
        for key, allowed in self.match.items():
            value = values.get(key)
            if key == "product" and value is not None:
                if not any(p.strip() in allowed for p in value.split(";")):
                    return False
            elif value not in allowed:
                return False
        return True


@dataclass
class NotifySpec:
    channels: dict[str, Channel] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    warn_rejected_pct: float = 5.0
    stale_after: float = 26.0  # hours

    @property
    def enabled(self) -> bool:
        return bool(self.channels and self.routes)

    def account_fields(self) -> list[str]:
        """Account fields delivery needs: the name for messages, and what each kind reads (the owner for Tasks)."""
        if not self.enabled:
            return []
        return list(dict.fromkeys(["Name", *(f for c in self.channels.values() for f in c.account_fields)]))

    def channels_for(self, alert: str, severity: str | None, product: str | None, tier: str | None,
                     status: str | None) -> list[Channel]:
        """The channels an alert goes to, in the order they are declared, each once."""
        values = {"alert": alert, "severity": severity, "product": product, "tier": tier, "status": status}
        wanted = {name for r in self.routes if not r.run and r.matches(values) for name in r.to}
        return [c for name, c in self.channels.items() if name in wanted]

    def run_channels(self, state: str) -> list[Channel]:
        """The channels the ``run:`` routes send this state of csops's runs to, each once."""
        wanted = {name for r in self.routes if state in r.run for name in r.to}
        return [c for name, c in self.channels.items() if name in wanted]

    @property
    def watches_runs(self) -> bool:
        return any(r.run for r in self.routes)


def load(paths: Iterable[str | Path]) -> tuple[RuleSet, NotifySpec]:
    """The rule files and their notify section; every problem of both in one RuleError (exit 78)."""
    rs, problems = read_rules(paths)
    spec, more = parse(rs)
    problems += more
    if problems:
        raise RuleError(problems + expression_problems(rs, problems))
    return rs, spec


def parse(rs: RuleSet) -> tuple[NotifySpec, list[SourceError]]:
    """Every file's ``notify`` section, and the problems in them (names routes use are checked against the
    alerts, products and tiers of all the files)."""
    spec = NotifySpec()
    problems: list[SourceError] = []
    for doc in rs.docs.values():
        if isinstance(doc.data, dict) and "notify" in doc.data:
            ck = Reader(doc)
            _read_section(spec, doc, ck)
            problems += ck.problems
    return spec, problems + _check_routes(spec, rs)


def _read_section(spec: NotifySpec, doc: Document, ck: Reader) -> None:
    options = keys("channels", "routes")
    options["warn_rejected_pct"] = Number(minimum=0, maximum=100, message=_PCT, range_message=_PCT)
    options["stale_after"] = Number(above=0, message=_HOURS, range_message=_HOURS)
    data = Section(options).read(doc.data["notify"], ck.at(("notify",)))
    for key in ("warn_rejected_pct", "stale_after"):
        if key in data:
            setattr(spec, key, float(data[key]))
    channels = data.get("channels") or {}
    if not isinstance(channels, dict):
        ck.err(("notify", "channels"), "notify.channels: expected a mapping of channel names")
        channels = {}
    for name, body in channels.items():
        path: PathKey = ("notify", "channels", name)
        if str(name) in spec.channels:
            ck.err(path, f"notify channel '{name}' is defined twice")
            continue
        channel = _channel(str(name), body, path, ck)
        if channel is not None:
            spec.channels[channel.name] = channel
    routes = data.get("routes") or []
    if not isinstance(routes, list):
        ck.err(("notify", "routes"), "notify.routes: expected a list of {to, alert, severity, ...}")
        routes = []
    for i, body in enumerate(routes):
        path = ("notify", "routes", i)
        body = Section(keys("to", "run", *ROUTE_MATCHERS, required=("to",))).read(body, ck.at(path))
        if "to" not in body:
            continue
        match = {key: [str(v) for v in (body[key] if isinstance(body[key], list) else [body[key]])]
                 for key in ROUTE_MATCHERS if key in body}
        to = body["to"] if isinstance(body["to"], list) else [body["to"]]
        run = body.get("run", [])
        spec.routes.append(Route([str(t) for t in to], match, doc.file, path,
                                 [str(v) for v in (run if isinstance(run, list) else [run])]))


def _channel(name: str, body: Any, path: PathKey, ck: Reader) -> Channel | None:
    types = list(KINDS)
    if not isinstance(body, dict) or "type" not in body:
        ck.err(path, f"notify.channels.{name}: expected a mapping with 'type' ({' or '.join(types)})")
        return None
    kind = KINDS.get(str(body["type"]))
    if kind is None:
        ck.err((*path, "type"), f"notify.channels.{name}.type: unknown channel type '{body['type']}'"
                                f"{suggest(str(body['type']), types)}; one of {', '.join(types)}")
        return None
    options: dict[str | int, Option] = {"type": Option()}
    options.update(kind.options.items())
    values = Section(options).read(body, ck.at(path))
    values.pop("type", None)
    return kind.parse(name, values, ck.at(path))


def _check_routes(spec: NotifySpec, rs: RuleSet) -> list[SourceError]:
    """Names routes refer to, checked once every file is read (alerts may live in another file)."""
    problems: list[SourceError] = []
    known = {"alert": [a.id for a in rs.alerts], "severity": list(SEVERITIES), "status": list(STATUSES),
             "product": list(rs.products), "tier": [t.name for t in rs.tiers]}
    for route in spec.routes:
        doc = rs.docs.get(route.file or "")
        if doc is None:
            continue
        if not spec.channels:
            problems.append(doc.error(route.path, "notify.routes: no channels are defined (notify.channels)"))
        for j, name in enumerate(route.to):
            if name not in spec.channels:
                problems.append(doc.error(_item(doc.positions, route.path, "to", j),
                                          f"{dotted(route.path)}.to: unknown channel '{name}'"
                                          f"{suggest(name, spec.channels)}; channels: "
                                          f"{', '.join(spec.channels) or '(none)'}"))
        problems += _check_run_route(spec, route, doc)
        for key, values in route.match.items():
            if not known.get(key):
                continue
            for j, v in enumerate(values):
                if v not in known[key]:
                    problems.append(doc.error(_item(doc.positions, route.path, key, j),
                                              f"{dotted(route.path)}.{key}: unknown {key} '{v}'"
                                              f"{suggest(v, known[key])}; one of {', '.join(known[key])}"))
    return problems


def _check_run_route(spec: NotifySpec, route: Route, doc: Document) -> list[SourceError]:
    """A ``run:`` route names run states only, no account conditions, and channels that take such messages."""
    if not route.run and (*route.path, "run") not in doc.positions:
        return []
    where = dotted(route.path)
    problems: list[SourceError] = []
    if not route.run:
        problems.append(doc.error((*route.path, "run"), f"{where}.run: name the states to announce: "
                                                        f"{', '.join(RUN_STATES)}"))
    for j, state in enumerate(route.run):
        if state not in RUN_STATES:
            hint = " (YAML reads a bare on/yes/true as true: quote it)" if state in ("True", "False") else ""
            problems.append(doc.error(_item(doc.positions, route.path, "run", j),
                                      f"{where}.run: unknown state '{state}'{suggest(state, RUN_STATES)}{hint}; "
                                      f"one of {', '.join(RUN_STATES)}"))
    if route.match:
        problems.append(doc.error(route.path, f"{where}: a run: route is about csops's own runs; "
                                              f"{', '.join(route.match)} belong in a route of its own"))
    for j, name in enumerate(route.to):
        channel = spec.channels.get(name)
        if channel is not None and not channel.takes_run_messages:
            problems.append(doc.error(_item(doc.positions, route.path, "to", j),
                                      f"{where}.to: channel '{name}' ({channel.type}) takes no messages about "
                                      "runs; send them to a Slack channel"))
    return problems


def _item(positions: dict[PathKey, Any], path: PathKey, key: str, j: int) -> PathKey:
    """The path of the j-th value of ``key`` (a list item, or the scalar itself)."""
    return (*path, key, j) if (*path, key, j) in positions else (*path, key)
