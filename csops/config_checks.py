"""What csops.yaml means, checked when it is loaded, all of it, before any network call.

Singer SDK validates a tap's config at start-up; here the types are checked by
the schema in :mod:`csops.config` and these are the meanings: a filter that
would break the SOQL statement, a start date that is not a date, an account
link or auth mode that does not exist, a store URL csops cannot open, a Zendesk
login without its e-mail. Each was found at 3 a.m. in the middle of a sync
before, with exit 69 or 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from base.errors import SourceError
from base.suggest import suggest
from base.yamlsrc import Document, PathKey
from connectors.http import RequestRejected, url_problem
from connectors.salesforce import AUTH_MODES, validate_where
from connectors.zendesk_auth import AUTH_MODES as ZENDESK_AUTH_MODES
from connectors.zendesk_auth import SCOPE_RESOURCES
from store import StoreError, check_url
from sync.pull import start_time_from

Report = Callable[[PathKey, str], None]


def meaning_problems(cfg: Any, doc: Document, unset: set[str]) -> list[SourceError]:
    """Every problem of meaning in a config whose types are right; ``unset``: keys whose ${VAR} is not set."""
    problems: list[SourceError] = []

    def report(path: PathKey, message: str) -> None:
        problems.append(doc.error(path, message))

    _urls(cfg, report)
    _zendesk(cfg.zendesk, unset, report, ("zendesk", "auth") in doc.from_env)
    _salesforce(cfg.salesforce, unset, report, ("salesforce", "auth") in doc.from_env)
    _store(cfg.store, report, ("store", "url") in doc.from_env)
    return problems


def _store(store: Any, report: Report, url_from_env: bool) -> None:
    try:
        check_url(store.url)
    except StoreError as exc:
        report(("store", "url"), "store.url: unsupported scheme (use sqlite:///path/to/state.db, or a PostgreSQL "
                                 "URL)" if url_from_env else str(exc))
    lease = store.lease_seconds
    if lease is not None and not 1 <= lease <= 3600:
        report(("store", "lease_seconds"), f"store.lease_seconds: {lease:g} is out of range: between 1 and 3600 "
                                           "seconds (default 60; the lease is renewed every third of it)")


#: The URLs credentials are sent to: each must be one they may go to (https, or http to this machine).
CREDENTIAL_URLS = (("zendesk", "base_url"), ("salesforce", "instance_url"), ("salesforce", "login_url"))


def _urls(cfg: Any, report: Report) -> None:
    for section, key in CREDENTIAL_URLS:
        value = getattr(getattr(cfg, section), key)
        problem = url_problem(value) if value else None
        if problem:
            report((section, key), f"{section}.{key}: {problem}")


def _zendesk(z: Any, unset: set[str], report: Report, auth_from_env: bool) -> None:
    if z.subdomain and not z.base_url and not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
                                                           z.subdomain):
        # "evil.example/x" would make https://evil.example/x.zendesk.com: the credentials to another host.
        report(("zendesk", "subdomain"), "zendesk.subdomain: not a Zendesk subdomain (letters, digits and hyphens: "
                                         "acme for https://acme.zendesk.com; a whole address goes in zendesk.base_url)")
    if z.start_date:
        try:
            start_time_from(z.start_date)
        except ValueError:
            report(("zendesk", "start_date"), "zendesk.start_date: not an ISO date (YYYY-MM-DD)")
    link = z.account_link or ""
    if link != "external_id" and not (link.startswith("organization_fields.") and len(link) > 20):
        report(("zendesk", "account_link"), "zendesk.account_link: must be 'external_id' or "
                                            "'organization_fields.<key>' (the field holding the Account Id)")
    if z.configured:
        _zendesk_auth(z, unset, report, auth_from_env)


#: What each zendesk.auth mode needs from csops.yaml.
ZENDESK_NEEDS = {"client_credentials": ("client_id", "client_secret"), "oauth": ("client_id",),
                 "api_token": ("email", "api_token"), "bearer": ("oauth_token",)}


def _zendesk_auth(z: Any, unset: set[str], report: Report, auth_from_env: bool) -> None:
    if z.auth and z.auth not in ZENDESK_AUTH_MODES:
        shown = "" if auth_from_env else f" '{z.auth}'{suggest(z.auth, ZENDESK_AUTH_MODES)}"
        report(("zendesk", "auth"), f"zendesk.auth: unknown mode{shown}; one of {', '.join(ZENDESK_AUTH_MODES)}")
        return
    mode = z.auth_mode()
    needs = ZENDESK_NEEDS[mode]
    lacking = [k for k in needs if not getattr(z, k) and f"zendesk.{k}" not in unset]
    # Nothing given at all is left to the commands that call Zendesk (status, rules check… need no credentials).
    if lacking and (z.auth or len(lacking) < len(needs)):
        keys = " and ".join(f"zendesk.{k}" for k in needs)
        report(("zendesk", lacking[0]), f"zendesk.{lacking[0]} is missing: zendesk.auth {mode} needs {keys}"
                                        + ("" if z.auth else " (the mode is inferred from the keys that are set; "
                                                             "name it with zendesk.auth)"))
    for word in (z.scope or "").split():
        access = word.rsplit(":", 1)[-1]
        resource = word.rsplit(":", 1)[0] if ":" in word else None
        if word == "impersonate" or (access in ("read", "write") and resource in (None, *SCOPE_RESOURCES)):
            continue
        known = ["read", "write", "impersonate", *(f"{r}:{a}" for r in SCOPE_RESOURCES for a in ("read", "write"))]
        report(("zendesk", "scope"), f"zendesk.scope: unknown scope '{word}'{suggest(word, known)}: read, write, "
                                     "or one resource's (tickets:read, hc:write, …), separated by spaces")


def _salesforce(sf: Any, unset: set[str], report: Report, auth_from_env: bool) -> None:
    if sf.where:
        try:
            validate_where(sf.where)
        except RequestRejected as exc:
            report(("salesforce", "where"), str(exc))
    if sf.configured and sf.auth and sf.auth not in AUTH_MODES:
        shown = "" if auth_from_env else f" '{sf.auth}'{suggest(sf.auth, AUTH_MODES)}"
        report(("salesforce", "auth"), f"salesforce.auth: unknown mode{shown}; one of {', '.join(AUTH_MODES)}")
