"""The ``notify`` section of a rule file: channels, and routes that send alerts to them.

Routing is pure: :func:`NotifySpec.channels_for` says which channels an alert
goes to from its id, severity and the account's product, tier and status.  The
rule file names channels and the environment variable that holds each Slack
webhook URL (a secret, never the URL itself).

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rules.yamlsrc import PathKey, SourceError, dotted, suggest

if TYPE_CHECKING:
    from rules.ruleset import RuleSet, _Checker

CHANNEL_TYPES = ("slack", "salesforce_task")
ROUTE_MATCHERS = ("alert", "severity", "product", "tier", "status")
SLACK_KEYS = ("type", "webhook_env", "resolved", "digest_at", "max_items")
TASK_KEYS = ("type", "fallback_owner", "key_field", "due_in_days", "priority", "open_status", "done_status")
TASK_PRIORITIES = ("High", "Normal", "Low")
DEFAULT_PRIORITY = {"critical": "High", "warning": "Normal", "info": "Low"}
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_SF_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*__c$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class Channel:
    name: str
    type: str
    webhook_env: str | None = None
    resolved: bool = False
    digest_at: str | None = None
    max_items: int = 20
    fallback_owner: str | None = None
    key_field: str | None = None
    due_in_days: int = 3
    priority: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITY))
    open_status: str = "Not Started"
    done_status: str = "Completed"

    @property
    def is_slack(self) -> bool:
        return self.type == "slack"


@dataclass
class Route:
    to: list[str]
    match: dict[str, list[str]] = field(default_factory=dict)
    file: str | None = None
    path: PathKey = ()

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

    @property
    def enabled(self) -> bool:
        return bool(self.channels and self.routes)

    def account_fields(self) -> list[str]:
        """Account fields delivery needs: the name for messages, the owner for Tasks."""
        if not self.enabled:
            return []
        return ["Name"] + (["OwnerId"] if any(not c.is_slack for c in self.channels.values()) else [])

    def channels_for(self, alert: str, severity: str | None, product: str | None, tier: str | None,
                     status: str | None) -> list[Channel]:
        """The channels an alert goes to, in the order they are declared, each once."""
        values = {"alert": alert, "severity": severity, "product": product, "tier": tier, "status": status}
        wanted = {name for r in self.routes if r.matches(values) for name in r.to}
        return [c for name, c in self.channels.items() if name in wanted]


def parse_notify(rs: RuleSet, value: Any, ck: _Checker) -> None:
    """Read one file's ``notify`` section into ``rs.notify`` (alert ids are checked by :func:`check_notify`)."""
    spec = rs.notify
    data = ck.mapping(value, ("notify",), ("channels", "routes"))
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
        body = ck.mapping(body, path, ("to", *ROUTE_MATCHERS), ("to",))
        if "to" not in body:
            continue
        match = {key: [str(v) for v in (body[key] if isinstance(body[key], list) else [body[key]])]
                 for key in ROUTE_MATCHERS if key in body}
        to = body["to"] if isinstance(body["to"], list) else [body["to"]]
        spec.routes.append(Route([str(t) for t in to], match, ck.doc.file, path))


def _channel(name: str, body: Any, path: PathKey, ck: _Checker) -> Channel | None:
    if not isinstance(body, dict) or "type" not in body:
        ck.err(path, f"notify.channels.{name}: expected a mapping with 'type' ({' or '.join(CHANNEL_TYPES)})")
        return None
    kind = body["type"]
    if kind not in CHANNEL_TYPES:
        ck.err((*path, "type"), f"notify.channels.{name}.type: unknown channel type '{kind}'"
                                f"{suggest(str(kind), CHANNEL_TYPES)}; one of {', '.join(CHANNEL_TYPES)}")
        return None
    if kind == "slack":
        body = ck.mapping(body, path, SLACK_KEYS, ("webhook_env",))
        env = body.get("webhook_env")
        if env is not None and not (isinstance(env, str) and _ENV_NAME.match(env)):
            ck.err((*path, "webhook_env"), f"notify.channels.{name}.webhook_env: '{env}' is not an environment "
                                           "variable name (the URL is a secret: name the variable that holds it)")
        at = body.get("digest_at")
        if at is not None and not (isinstance(at, str) and _HHMM.match(at)):
            ck.err((*path, "digest_at"), f"notify.channels.{name}.digest_at: expected a time like \"09:00\"")
        items = body.get("max_items", 20)
        if isinstance(items, bool) or not isinstance(items, int) or not 1 <= items <= 40:
            ck.err((*path, "max_items"), f"notify.channels.{name}.max_items: expected a whole number 1-40 "
                                         "(Slack allows 50 blocks a message)")
            items = 20
        return Channel(name, kind, webhook_env=str(env or ""), resolved=body.get("resolved") is True,
                       digest_at=at if isinstance(at, str) else None, max_items=items)
    body = ck.mapping(body, path, TASK_KEYS)
    owner = body.get("fallback_owner")
    if owner is not None and not (isinstance(owner, str) and _SF_ID.match(owner) and owner[:3] in ("005", "00G")):
        ck.err((*path, "fallback_owner"), f"notify.channels.{name}.fallback_owner: '{owner}' is not a User "
                                          "(005…) or queue (00G…) Id")
    key_field = body.get("key_field")
    if key_field is not None and not (isinstance(key_field, str) and _FIELD.match(key_field)):
        ck.err((*path, "key_field"), f"notify.channels.{name}.key_field: '{key_field}' is not a custom field "
                                     "name (…__c)")
    due = body.get("due_in_days", 3)
    if isinstance(due, bool) or not isinstance(due, int) or due < 0:
        ck.err((*path, "due_in_days"), f"notify.channels.{name}.due_in_days: expected a whole number ≥ 0")
        due = 3
    priority = dict(DEFAULT_PRIORITY)
    for sev, value in ck.mapping(body.get("priority") or {}, (*path, "priority"), DEFAULT_PRIORITY).items():
        if value not in TASK_PRIORITIES:
            ck.err((*path, "priority", sev), f"notify.channels.{name}.priority.{sev}: '{value}' is not a Task "
                                             f"priority{suggest(str(value), TASK_PRIORITIES)}; one of "
                                             f"{', '.join(TASK_PRIORITIES)}")
        else:
            priority[sev] = value
    return Channel(name, kind, fallback_owner=owner if isinstance(owner, str) else None,
                   key_field=key_field if isinstance(key_field, str) else None, due_in_days=due,
                   priority=priority, open_status=str(body.get("open_status", "Not Started")),
                   done_status=str(body.get("done_status", "Completed")))


def check_notify(rs: RuleSet) -> list[SourceError]:
    """Names routes refer to, checked once every file is read (alerts may live in another file)."""
    from rules.ruleset import SEVERITIES, STATUSES

    problems: list[SourceError] = []
    spec = rs.notify
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
        for key, values in route.match.items():
            if not known.get(key):
                continue
            for j, v in enumerate(values):
                if v not in known[key]:
                    problems.append(doc.error(_item(doc.positions, route.path, key, j),
                                              f"{dotted(route.path)}.{key}: unknown {key} '{v}'"
                                              f"{suggest(v, known[key])}; one of {', '.join(known[key])}"))
    return problems


def _item(positions: dict[PathKey, Any], path: PathKey, key: str, j: int) -> PathKey:
    """The path of the j-th value of ``key`` (a list item, or the scalar itself)."""
    return (*path, key, j) if (*path, key, j) in positions else (*path, key)
