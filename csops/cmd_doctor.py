"""``csops doctor``: check every configured connection and say how to fix what is wrong."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import click

from base.errors import SourceError, exit_code_for
from base.redact import redact, register_secret
from connectors.http import AuthenticationFailed, ConnectorError
from connectors.salesforce import SOAP_MIGRATION, SOAP_RETIREMENT
from connectors.zendesk import ZendeskClient, scope_allows
from connectors.zendesk_auth import (
    API_TOKEN_MIGRATION,
    API_TOKEN_RETIREMENT,
    CURRENT_TOKEN_PATH,
    ApiTokenRetired,
    RefreshTokenAuth,
    ZendeskAuth,
)
from csops.config import ConfigError
from csops.doctor_help import DOCTOR_POLICY, env_fix, login_fix, unreachable, unset_variables
from csops.progress import paint
from csops.shell import (
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    App,
    colour,
    emit_json,
    parse_today,
    pass_app,
    salesforce_client,
    zendesk_client,
)
from store import StoreError, is_postgres


@dataclass
class Check:
    name: str
    ok: bool
    message: str
    fix: str = ""
    code: int = EXIT_OK


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--today", metavar="YYYY-MM-DD", help="Check as if today were this date (Zendesk stops every API "
                                                    "token on 2027-04-30).")
@pass_app
def doctor(app: App, as_json: bool, today: str | None) -> None:
    """Check the config, the rules, the store and each configured connection.

    For Zendesk it says which authentication is in use, the access token's
    scopes and expiry, whether the scope can do what the config asks, and
    for an API token the dates Zendesk retires them.

    Exits 0 when all is well, 78 when the configuration or rules are invalid,
    69 when a service cannot be reached or refuses the credentials.
    """
    checks = run_checks(app, parse_today(today))
    if as_json:
        emit_json([{k: redact(v) if isinstance(v, str) else v for k, v in asdict(c).items() if k != "code"}
                   for c in checks])
    else:
        on = colour(app)
        for c in checks:
            click.echo(f"{paint('ok  ', 'green', on) if c.ok else paint('FAIL', 'bold red', on)} {c.name}: "
                       f"{redact(c.message)}")
            if c.fix:
                click.echo(f"     fix: {redact(c.fix)}")
    codes = [c.code for c in checks if not c.ok]
    if codes:
        raise SystemExit(EXIT_CONFIG if EXIT_CONFIG in codes else max(codes))


def run_checks(app: App, today: date) -> list[Check]:
    checks: list[Check] = []
    try:
        cfg = app.config
    except ConfigError as exc:
        return [Check("config", False, str(exc), "see csops.example.yaml for every key", EXIT_CONFIG)]
    checks.append(Check("config", True, str(cfg.path)))
    unset = unset_variables([str(p) for p in cfg.missing_env])
    if unset:
        checks.append(Check("environment", False, f"not set: {', '.join(unset)}", env_fix(unset, cfg.base_dir),
                            EXIT_CONFIG))
    writeback: list[str] = []
    fields: list[str] = []
    try:
        rs = app.rules()
        fields, writeback = app.salesforce_fields()
        checks.append(Check("rules", True, f"{', '.join(rs.files)}: {len(rs.alerts)} alerts, "
                                           f"{len(rs.writeback)} writeback fields"))
    except SourceError as exc:
        fix = ("set rules.files in csops.yaml, or write a starter rule file with `csops init`"
               if "not found" in str(exc) else "run: csops rules check")
        checks.append(Check("rules", False, str(exc), fix, EXIT_CONFIG))
    try:
        store = app.open_store()
        checks.append(Check("store", True, f"{store.engine}: {store.describe()} (schema v{store.version()})"))
        store.close()
    except StoreError as exc:
        fix = ("check store.url, that the server is up and reachable, and the password (PGPASSWORD or ${VAR})"
               if is_postgres(app.config.store.url) else "check store.url and that its folder is writable")
        checks.append(Check("store", False, str(exc), fix, exit_code_for(exc)))
    if cfg.zendesk.configured:
        skipped = _needs_env(app, "zendesk")
        zendesk = [skipped] if skipped else _zendesk(app, today)
        checks.extend(zendesk)
        if zendesk[0].ok:
            checks.append(_help_center(app))
    else:
        checks.append(Check("zendesk", False, "not configured", "set zendesk.subdomain and its credentials (README: "
                                                                "Connecting to Zendesk)", EXIT_CONFIG))
    if cfg.salesforce.configured:
        skipped = _needs_env(app, "salesforce")
        checks.extend([skipped] if skipped else _salesforce(app, fields, writeback))
    else:
        checks.append(Check("salesforce", False, "not configured",
                            "set salesforce.instance_url and credentials", EXIT_CONFIG))
    checks.extend(_notify(app))
    return checks


def _needs_env(app: App, section: str) -> Check | None:
    """A skipped check when the section's ${VAR}s are unset (listed once, under "environment")."""
    names = unset_variables([str(p) for p in app.config.missing_env if f": {section}." in str(p)])
    if not names:
        return None
    return Check(section, False, f"not checked: needs {', '.join(names)}", "", EXIT_CONFIG)


def _zendesk(app: App, today: date) -> list[Check]:
    url = app.config.zendesk.url
    down = unreachable(url)
    if down:
        return [Check("zendesk", False, down, "check zendesk.base_url (or subdomain); a sandbox must be running "
                                              "(csops sandbox serve) on the port the config names", EXIT_UNAVAILABLE)]
    mode = app.config.zendesk.auth_mode()
    try:
        auth = app.zendesk_auth(DOCTOR_POLICY, today)
        client = zendesk_client(app, DOCTOR_POLICY)
        user = client.me()
    except ApiTokenRetired as exc:
        return [Check("zendesk", False, exc.reason, API_TOKEN_MIGRATION, EXIT_CONFIG)]
    except ConnectorError as exc:
        text = str(exc)
        if isinstance(exc, AuthenticationFailed):
            fix = ZENDESK_LOGIN_FIXES[mode]
        elif "non-JSON" in text or "(404)" in text:  # not a port number that contains 404
            fix = f"zendesk.base_url / zendesk.subdomain: {url} does not look like a Zendesk instance"
        else:
            fix = f"check that {url} is reachable from this machine"
        return [Check("zendesk", False, text, fix, exit_code_for(exc))]
    checks = [Check("zendesk", True, f"{url}: authenticated as {user.get('email')} ({user.get('role')}) with "
                                     f"zendesk.auth {mode}")]
    if mode == "api_token":
        checks.append(Check("zendesk auth", True, f"warning: {API_TOKEN_RETIREMENT}", API_TOKEN_MIGRATION))
        return checks
    return checks + _zendesk_token(app, client, auth)


ZENDESK_LOGIN_FIXES = {
    "client_credentials": "check zendesk.client_id (the OAuth client's Identifier) and the secret in the variable "
                          "zendesk.client_secret names; the client must be Confidential (Admin Center > Apps and "
                          "integrations > APIs > OAuth clients)",
    "oauth": "run: csops auth zendesk (it signs in again and saves a new refresh token)",
    "api_token": f"API tokens can no longer be created (since 2026-10-27); {API_TOKEN_MIGRATION}",
    "bearer": "make a new OAuth access token and put it in the variable zendesk.oauth_token names, or set "
              "zendesk.auth: client_credentials so csops obtains its own",
}


def _zendesk_token(app: App, client: ZendeskClient, auth: ZendeskAuth) -> list[Check]:
    """The access token's scopes and expiry (``GET /api/v2/oauth/tokens/current.json``), and whether its scope can
    do what the config asks."""
    try:
        token = (client.get(CURRENT_TOKEN_PATH) or {}).get("token") or {}
    except ConnectorError as exc:
        return [Check("zendesk token", False, str(exc), "check the token's scope", exit_code_for(exc))]
    register_secret(token.get("refresh_token"))  # Zendesk describes the token with its refresh token: never shown
    granted = auth.granted
    scopes = [str(s) for s in token.get("scopes") or (granted.scopes if granted else ())]
    parts = [f"scopes {' '.join(scopes) or 'unknown'}"]
    expires = token.get("expires_at") or (granted.expires_at.isoformat() if granted and granted.expires_at else None)
    parts.append(f"access token expires {expires}" if expires else "access token does not expire")
    if isinstance(auth, RefreshTokenAuth):
        saved = auth.file.load()
        until = f", unused it expires {saved.refresh_expires_at}" if saved and saved.refresh_expires_at else ""
        parts.append(f"refresh token saved in {auth.file.path} (mode 600){until}")
    checks = [Check("zendesk token", True, f"{auth.mode}: " + "; ".join(parts))]
    lacking = [why for method, path, why in _scope_needs(app) if scopes and not scope_allows(scopes, method, path)]
    if lacking:
        fix = ("set zendesk.scope: read write (or add the resource's scope, e.g. hc:write)" if auth.mode !=
               "bearer" else "make a token with the scopes it lacks, or use zendesk.auth: client_credentials")
        checks.append(Check("zendesk scope", True, f"warning: the token's scope ({' '.join(scopes)}) cannot "
                                                   f"{'; cannot '.join(lacking)}", fix))
    return checks


def _scope_needs(app: App) -> list[tuple[str, str, str]]:
    """What the config asks of Zendesk: (method, path, in words)."""
    needs = [("GET", "/api/v2/incremental/tickets/cursor.json", "read tickets (csops sync, pull zendesk)"),
             ("GET", "/api/v2/organizations", "read organizations (csops sync, pull zendesk)")]
    if (app.config.resolve(app.config.kb.root) / "kb.yaml").exists():
        needs += [("GET", "/api/v2/help_center/articles", "read the Help Center (kb pull, kb gaps --help-center)"),
                  ("POST", "/api/v2/help_center/articles", "write to the Help Center, which kb publish needs "
                                                            "(kb/kb.yaml is here)")]
    return needs


def _help_center(app: App) -> Check:
    from connectors.zendesk import HelpCenter
    from kb.spec import load_spec

    root = app.config.resolve(app.config.kb.root)
    pg = app.config.kb.permission_group_id
    spec = None
    if (root / "kb.yaml").exists():
        try:
            spec = load_spec(root)
            pg = spec.permission_group_id if spec.permission_group_id is not None else pg
        except SourceError as exc:
            return Check("help center", False, str(exc), "run: kb check", EXIT_CONFIG)
    elif pg is None:  # a team that only syncs: kb publish is not set up, nothing to check
        return Check("help center", True, f"not used (no {root / 'kb.yaml'}; `csops init --kb` starts one)")
    try:
        hc = HelpCenter(zendesk_client(app, DOCTOR_POLICY))
        groups = hc.permission_groups()
        enabled, default = hc.locales() if spec is not None else ([], "")
    except ConnectorError as exc:
        return Check("help center", False, str(exc), "check the Zendesk credentials and that Guide is enabled",
                     EXIT_UNAVAILABLE)
    names = ", ".join(f"{g['id']} ({g['name']})" for g in groups)
    if pg is None:
        return Check("help center", False, "no permission_group_id for kb publish",
                     f"set permission_group_id in kb.yaml to one of: {names}", EXIT_CONFIG)
    if pg not in {g["id"] for g in groups}:
        return Check("help center", False, f"permission group {pg} does not exist", f"use one of: {names}",
                     EXIT_CONFIG)
    if spec is not None:
        from kb.publish import map_locales

        mapped = {k: v for k, v in map_locales(spec, enabled).items() if v in enabled}
        missing = [loc for loc in spec.locales if loc not in mapped]
        if missing:
            return Check("help center", False, f"kb.yaml locale {', '.join(missing)} is not enabled in the Help "
                                               f"Center (enabled: {', '.join(enabled)}; default {default})",
                         "map it in kb.yaml (help_center_locales: {en: en-us}) or enable the language in Guide",
                         EXIT_CONFIG)
        shown = ", ".join(f"{k} → {v}" for k, v in mapped.items())
        return Check("help center", True, f"permission group {pg} exists; locales {shown}")
    return Check("help center", True, f"permission group {pg} exists")


def _notify(app: App) -> list[Check]:
    """What each channel's kind can check without sending anything (a Slack webhook variable is set and names a
    Slack URL; csops notify --test sends)."""
    import os

    try:
        _, spec = app.load_rules()
    except SourceError:
        return []  # reported by the rules check
    return [Check(f"notify {channel.name}", f.ok, f.message, f.fix, EXIT_OK if f.ok else EXIT_CONFIG)
            for channel in spec.channels.values() for f in channel.doctor(os.environ)]


def _salesforce(app: App, fields: list[str], writeback: list[str]) -> list[Check]:
    out = []
    cfg = app.config.salesforce
    for url in dict.fromkeys(u for u in (cfg.login_url, cfg.instance_url) if u):
        down = unreachable(url)
        if down:
            return [Check("salesforce", False, down, "check salesforce.instance_url and login_url",
                          EXIT_UNAVAILABLE)]
    try:
        client = salesforce_client(app, DOCTOR_POLICY)
        client.describe()
        out.append(Check("salesforce", True, f"{client.login_base}: logged in ({client.mode}); API usage "
                                             f"{client.api_usage or 'unknown'}"))
        if client.mode == "password":
            out.append(Check("salesforce auth", True, f"warning: {SOAP_RETIREMENT}", SOAP_MIGRATION))
    except ConnectorError as exc:
        fix = login_fix(str(exc)) or "check salesforce.instance_url, the auth mode and its credentials"
        return [Check("salesforce", False, str(exc), fix, EXIT_UNAVAILABLE)]
    from csops.sf_checks import salesforce_findings

    try:
        rs, _ = app.load_rules()
    except SourceError:
        return out  # reported by the rules check
    for f in salesforce_findings(client, rs, app.config.salesforce.fields):
        out.append(Check("salesforce fields", f.ok, f.message, f.fix, EXIT_OK if f.ok else EXIT_CONFIG))
    return out
