"""Salesforce over simple-salesforce, with the one HTTP policy underneath.

simple-salesforce sets no timeout and does not retry; it accepts a requests
session, so it gets :class:`PolicySession` and with it our timeouts, retries and
call counts.  Login is done here (not by simple-salesforce) because its login
helpers build ``https://{domain}.salesforce.com`` URLs that cannot point at the
sandbox; the SOAP and OAuth exchanges are the same ones it would send.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import requests
from simple_salesforce import Salesforce, format_soql
from simple_salesforce.bulk2 import Operation
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceOperationError,
    SalesforceRefusedRequest,
)
from simple_salesforce.login import soap_login, token_login

from base.errors import InputError
from base.redact import redact, secret_field
from base.suggest import suggest
from connectors.http import (
    AuthenticationFailed,
    BudgetExhausted,
    CallStats,
    PolicySession,
    RequestRejected,
    RetryPolicy,
    ServiceUnavailable,
    mount_loopback,
)

log = logging.getLogger("csops.salesforce")
T = TypeVar("T")

COLLECTION_SIZE = 200
AUTH_MODES = ("password", "jwt", "client_credentials", "session")
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_FORBIDDEN_IN_WHERE = {"LIMIT", "ORDER", "GROUP", "HAVING", "OFFSET", "FOR", "WITH", "FROM", "SELECT",
                       "UPDATE", "TYPEOF", "USING", "UNION"}


@dataclass
class SalesforceConfig:
    instance_url: str | None = None
    login_url: str | None = None
    domain: str = "login"
    auth: str | None = None
    username: str | None = None
    password: str | None = secret_field()  # type: ignore[assignment]
    security_token: str | None = secret_field()  # type: ignore[assignment]
    consumer_key: str | None = None
    consumer_secret: str | None = secret_field()  # type: ignore[assignment]
    private_key_file: str | None = None
    session_id: str | None = secret_field()  # type: ignore[assignment]
    api_version: str = "60.0"
    object: str = "Account"
    fields: list[str] = field(default_factory=list)
    where: str | None = None
    bulk_threshold: int = 2000
    lookback_seconds: int = 300
    max_daily_usage_pct: float = 80.0
    timeout_seconds: float = 120.0

    @property
    def configured(self) -> bool:
        return bool(self.instance_url or self.username or self.consumer_key or self.session_id)

    def auth_mode(self) -> str:
        if self.auth:
            return self.auth
        if self.session_id:
            return "session"
        if self.private_key_file:
            return "jwt"
        if self.consumer_key and self.consumer_secret:
            return "client_credentials"
        return "password"


class BulkJobFailed(RequestRejected):
    """A Bulk API 2.0 job ended Failed or Aborted (or never ended)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 400)


class FieldError(InputError, RequestRejected):
    """A configured field does not exist or cannot be written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 400)


@dataclass
class RecordFailure:
    id: str
    status_code: str
    message: str
    fields: list[str]


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    failed: list[RecordFailure] = field(default_factory=list)
    api_calls: int = 0


@dataclass
class QueryPage:
    records: list[dict[str, Any]]
    done: bool
    total: int | None = None  # the query's totalSize (every page carries it)


def validate_where(where: str) -> str:
    """Check a user's WHERE filter cannot end or extend the statement; return it parenthesised."""
    outside, open_literal = _outside_literals(where)
    depth = 0
    for ch in outside:
        if ch == ";":
            raise RequestRejected("salesforce.where: ';' is not allowed in the filter", 400)
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            raise RequestRejected("salesforce.where: unbalanced ')' in the filter", 400)
    if open_literal:
        raise RequestRejected("salesforce.where: unterminated string literal in the filter", 400)
    if depth:
        raise RequestRejected("salesforce.where: unbalanced '(' in the filter", 400)
    bad = sorted({w.upper() for w in re.findall(r"\w+", outside)} & _FORBIDDEN_IN_WHERE)
    if bad:
        raise RequestRejected(f"salesforce.where: the filter may only hold conditions; '{bad[0]}' would "
                              "change the statement", 400)
    return f"({where})"


def _outside_literals(where: str) -> tuple[str, bool]:
    """``where`` with each string literal (quotes, escapes and all) blanked out, and whether one is left open."""
    out: list[str] = []
    quoted, i = False, 0
    while i < len(where):
        ch = where[i]
        step = 2 if quoted and ch == "\\" else 1
        if ch == "'":
            quoted = not quoted
        out.append(" " * len(where[i:i + step]) if quoted or ch == "'" else ch)
        i += step
    return "".join(out), quoted


def soql_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_sf_datetime(value: str) -> datetime:
    """A Salesforce datetime (``2026-11-01T01:00:00.000+0000``, ``…Z``, ``…+09:00``) with its offset; a value
    without one is a ValueError. ``fromisoformat`` (Python 3.11) reads them all, about 90 times faster than
    ``strptime``: a pull parses every record's ``SystemModstamp``."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"no time zone offset in Salesforce datetime {value!r}")
    return parsed


class _Prefetch:
    """One ``query more`` call run on a daemon thread (a run stopped meanwhile does not wait for it to exit)."""

    def __init__(self, call: Callable[[Callable[[Salesforce], Any], str], Any], url: str) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def fetch() -> None:
            try:
                self._value = call(lambda sf: sf.query_more(url, identifier_is_url=True), "query more")
            except BaseException as exc:  # raised again in the caller's thread
                self._error = exc

        self._thread = threading.Thread(target=fetch, name="salesforce-query-more", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


class SalesforceClient:
    def __init__(self, config: SalesforceConfig, policy: RetryPolicy | None = None,
                 stats: CallStats | None = None, private_key: str | None = None) -> None:
        self.config = config
        if not config.configured:
            raise AuthenticationFailed("salesforce: no credentials in csops.yaml (see the salesforce section "
                                       "of csops.example.yaml)")
        mode = config.auth_mode()
        if mode not in AUTH_MODES:
            raise AuthenticationFailed(f"salesforce.auth: unknown mode '{mode}'{suggest(mode, AUTH_MODES)}; "
                                       f"one of {', '.join(AUTH_MODES)}")
        self.mode = mode
        base = policy or RetryPolicy()
        # The login host and the org's instance are the only origins the credentials and the session go to.
        origins = [u for u in (self.login_base, config.instance_url) if u]
        self.session = PolicySession("salesforce", RetryPolicy(**{**base.__dict__,
                                                                 "read_timeout": config.timeout_seconds}), stats,
                                     origins=origins)
        self.session.hooks["response"].append(self._read_usage)
        self.session.final_answer = lambda r: b"<faultcode>" in r.content[:4000]
        self.session.idempotent_posts = ("/services/Soap/u/", "/services/oauth2/token", "/jobs/ingest")
        self._private_key = private_key
        for url in (config.instance_url, config.login_url):
            if url:
                mount_loopback(self.session, url)
        self.api_used: int | None = None
        self.api_total: int | None = None
        self._sf: Salesforce | None = None
        self._describe: dict[str, dict[str, Any]] | None = None
        self._calling = threading.RLock()  # one call at a time: query_pages fetches its next page on a thread

    # -- usage --------------------------------------------------------------
    def _read_usage(self, resp: requests.Response, *args: Any, **kwargs: Any) -> None:
        m = re.search(r"api-usage=(\d+)/(\d+)", resp.headers.get("Sforce-Limit-Info", ""))
        if m:
            self.api_used, self.api_total = int(m.group(1)), int(m.group(2))

    @property
    def api_usage(self) -> str | None:
        return f"{self.api_used}/{self.api_total}" if self.api_total else None

    def check_budget(self) -> None:
        if self.api_used is None or not self.api_total:
            return
        pct = 100.0 * self.api_used / self.api_total
        if pct >= self.config.max_daily_usage_pct:
            raise BudgetExhausted(
                f"salesforce: the org's daily API usage is {self.api_used}/{self.api_total} ({pct:.1f}%), past "
                f"the budget salesforce.max_daily_usage_pct={self.config.max_daily_usage_pct:g}; stopped with "
                "all state kept — the next run continues once the rolling 24 h window frees calls")

    # -- login --------------------------------------------------------------
    @property
    def login_base(self) -> str:
        if self.config.login_url:
            return self.config.login_url.rstrip("/")
        return f"https://{self.config.domain}.salesforce.com"

    def _login(self) -> Salesforce:
        cfg = self.config
        version = cfg.api_version
        try:
            if self.mode == "session":
                if not (cfg.session_id and cfg.instance_url):
                    raise AuthenticationFailed("salesforce: auth 'session' needs salesforce.session_id and "
                                               "salesforce.instance_url")
                session_id, instance = cfg.session_id, _host(cfg.instance_url)
            elif self.mode == "password":
                _warn_soap_login()
                if not (cfg.username and cfg.password):
                    raise AuthenticationFailed("salesforce: auth 'password' needs salesforce.username, "
                                               "salesforce.password and salesforce.security_token")
                body = _soap_login_body(cfg.username, cfg.password + (cfg.security_token or ""))
                session_id, instance = soap_login(
                    f"{self.login_base}/services/Soap/u/{version}", body,
                    {"content-type": "text/xml", "charset": "UTF-8", "SOAPAction": "login"}, None, self.session)
            elif self.mode == "client_credentials":
                if not cfg.login_url and cfg.domain in ("login", "test"):
                    raise AuthenticationFailed(
                        "salesforce: auth 'client_credentials' works only on the org's My Domain: set "
                        "salesforce.domain to '<mydomain>.my' (or salesforce.login_url to https://<mydomain>"
                        ".my.salesforce.com), not 'login' or 'test'")
                session_id, instance = token_login(
                    f"{self.login_base}/services/oauth2/token",
                    {"grant_type": "client_credentials", "client_id": cfg.consumer_key,
                     "client_secret": cfg.consumer_secret}, cfg.domain, cfg.consumer_key or "", None, None,
                    self.session)
            else:
                session_id, instance = token_login(
                    f"{self.login_base}/services/oauth2/token",
                    {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                     "assertion": self._jwt_assertion()}, cfg.domain, cfg.consumer_key or "", None, None,
                    self.session)
        except SalesforceAuthenticationFailed as exc:
            text = str(getattr(exc, "auth_message", exc))
            code = str(exc.code)
            if text.startswith(f"{code}:"):  # the SOAP fault repeats its code: "INVALID_LOGIN: INVALID_LOGIN: …"
                text = text[len(code) + 1:].strip()
            raise AuthenticationFailed(f"salesforce: login ({self.mode}) at {self.login_base} refused: "
                                       f"{exc.code}: {redact(text)}") from None
        if cfg.instance_url and _host(cfg.instance_url) != instance:
            mount_loopback(self.session, f"http://{instance}")
        self.session.bind(f"https://{instance}", "salesforce: the instance the login answered")
        # Plain dicts, not simple_salesforce's default OrderedDicts (the same keys in the same order): decoding a
        # 2,000-record page that way took twice as long, and json.dumps of each record a third longer.
        return Salesforce(session_id=session_id, instance=instance, session=self.session, version=version,
                          object_pairs_hook=None)

    def _jwt_assertion(self) -> str:
        import jwt

        cfg = self.config
        key = self._private_key
        if key is None:
            if not cfg.private_key_file:
                raise AuthenticationFailed("salesforce: auth 'jwt' needs salesforce.private_key_file")
            try:
                with open(cfg.private_key_file, encoding="utf-8") as fh:
                    key = fh.read()
            except OSError as exc:
                raise AuthenticationFailed(f"salesforce.private_key_file: cannot read it: {exc.strerror}") from None
        claims = {"iss": cfg.consumer_key, "sub": cfg.username, "aud": self.login_base,
                  "exp": int(time.time()) + 180}
        return str(jwt.encode(claims, key, algorithm="RS256"))

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            self._sf = self._login()
        return self._sf

    def call(self, fn: Callable[[Salesforce], T], what: str) -> T:
        """Run one simple-salesforce call: budget first, one re-login on an expired session."""
        with self._calling:
            return self._call(fn, what)

    def _call(self, fn: Callable[[Salesforce], T], what: str) -> T:
        self.check_budget()
        for attempt in (1, 2):
            try:
                return fn(self.sf)
            except SalesforceExpiredSession:
                if attempt == 2 or self.mode == "session":
                    raise AuthenticationFailed(f"salesforce: {what}: session invalid or expired "
                                               "(INVALID_SESSION_ID)") from None
                log.info("salesforce: session expired; logging in again")
                self._sf = None
            except SalesforceRefusedRequest as exc:
                text = str(exc.content)
                if "REQUEST_LIMIT_EXCEEDED" in text:
                    raise BudgetExhausted(f"salesforce: {what}: the org's daily API limit is exhausted "
                                          "(REQUEST_LIMIT_EXCEEDED); stopped with all state kept — the next run "
                                          "continues once the rolling 24 h window frees calls") from None
                raise RequestRejected(f"salesforce: {what} refused (403): {redact(text[:300])}", 403) from None
            except SalesforceError as exc:
                raise RequestRejected(f"salesforce: {what} failed ({exc.status}): "
                                      f"{redact(_error_text(exc.content))}", int(exc.status)) from None
            except SalesforceOperationError as exc:
                # Not a SalesforceError subclass (Bulk 2.0 load and job errors): it would escape the boundary.
                raise RequestRejected(f"salesforce: {what} failed: {redact(str(exc)[:300])}", 400) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # -- describe -----------------------------------------------------------
    def describe(self) -> dict[str, dict[str, Any]]:
        """Field metadata of the configured object, fetched once per client."""
        if self._describe is None:
            obj = self.config.object
            data = self.call(lambda sf: sf.restful(f"sobjects/{obj}/describe"), f"describe {obj}")
            self._describe = {f["name"]: f for f in (data or {}).get("fields", [])}
        return self._describe

    def check_fields(self, fields: list[str], writeback: list[str] = (),  # type: ignore[assignment]
                     where: str = "salesforce.fields") -> list[str]:
        """Canonical names of ``fields`` then of the other ``writeback`` fields (which must be updateable);
        errors name the field and suggest close ones."""
        known = self.describe()
        lower = {k.lower(): k for k in known}
        out, problems = [], []
        for name in list(fields) + [f for f in writeback if f not in fields]:
            if not _IDENT.match(name):
                problems.append(f"{where}: '{name}' is not a field name")
                continue
            canon = lower.get(name.lower())
            if canon is None:
                problems.append(f"{where}: {self.config.object} has no field '{name}'{suggest(name, known)}")
                continue
            if name in writeback and not known[canon].get("updateable"):
                problems.append(f"rules writeback: {self.config.object}.{canon} is not updateable "
                                "(read-only, or the integration user lacks edit access)")
            out.append(canon)
        if problems:
            raise FieldError("; ".join(problems))
        return list(dict.fromkeys(out))

    # -- read ---------------------------------------------------------------
    def query_pages(self, soql: str, include_deleted: bool = True) -> Iterator[QueryPage]:
        """The query's result, a page (up to 2,000 records) at a time. While the caller handles a page, the next one
        is already being fetched (on a thread, one call at a time on this client): a pull of 100,000 accounts
        otherwise waits for Salesforce 50 times between its own work. An error of that call is raised where the
        page would have been returned."""
        data = self.call(lambda sf: sf.query(soql, include_deleted=include_deleted), "query")
        while True:
            records = data.get("records") or []
            for r in records:
                r.pop("attributes", None)
            done = bool(data.get("done", True))
            url = None if done else data.get("nextRecordsUrl")
            following = _Prefetch(self.call, url) if url else None
            yield QueryPage(records, done, data.get("totalSize"))
            if following is None:
                return
            data = following.result()

    def build_query(self, fields: list[str], since: datetime | None = None, where: str | None = None) -> str:
        cols = ["Id", "SystemModstamp", "IsDeleted"] + [f for f in fields if f not in
                                                         ("Id", "SystemModstamp", "IsDeleted")]
        for c in cols:
            if not _IDENT.match(c):
                raise FieldError(f"salesforce.fields: '{c}' is not a field name")
        if not _IDENT.match(self.config.object):
            raise FieldError(f"salesforce.object: '{self.config.object}' is not an object name")
        conds = []
        if since is not None:
            conds.append(f"SystemModstamp >= {soql_datetime(since)}")
        if where:
            conds.append(validate_where(where))
        text = f"SELECT {', '.join(cols)} FROM {self.config.object}"
        if conds:
            text += " WHERE " + " AND ".join(conds)
        return text + " ORDER BY SystemModstamp ASC, Id ASC"

    def formula_query(self, fields: list[str]) -> str:
        """Id and ``fields`` of every live record the filter selects (formula fields, re-read each run)."""
        for c in [*fields, self.config.object]:
            if not _IDENT.match(c):
                raise FieldError(f"salesforce.fields: '{c}' is not a field name")
        text = f"SELECT Id, {', '.join(fields)} FROM {self.config.object}"
        if self.config.where:
            text += f" WHERE {validate_where(self.config.where)}"
        return text + " ORDER BY Id ASC"

    # -- write --------------------------------------------------------------
    def update(self, changes: dict[str, dict[str, Any]], lock_retries: int = 3,
               sobject: str | None = None) -> WriteResult:
        """Write ``{id: {field: value}}``: sObject Collections in 200s, or Bulk API 2.0 above the threshold."""
        result = WriteResult()
        sobject = sobject or self.config.object
        if not changes:
            return result
        if len(changes) > self.config.bulk_threshold:
            return self._bulk_update(changes, sobject, lock_retries)
        pending = dict(changes)
        for attempt in range(lock_retries + 1):
            locked: dict[str, dict[str, Any]] = {}
            ids = list(pending)
            for start in range(0, len(ids), COLLECTION_SIZE):
                chunk = ids[start:start + COLLECTION_SIZE]
                records = [{"attributes": {"type": sobject}, "id": i, **pending[i]} for i in chunk]
                body = {"allOrNone": False, "records": records}
                def patch(sf: Salesforce, b: dict[str, Any] = body) -> Any:
                    return sf.restful("composite/sobjects", method="PATCH", json=b)
                answer = self.call(patch, "update records")
                result.api_calls += 1
                if not isinstance(answer, list) or len(answer) != len(chunk):
                    raise ServiceUnavailable("salesforce: composite/sobjects answered with "
                                             f"{len(answer) if isinstance(answer, list) else 'no'} results for "
                                             f"{len(chunk)} records")
                for rec_id, item in zip(chunk, answer, strict=True):
                    if item.get("success"):
                        result.written.append(rec_id)
                        continue
                    errors = item.get("errors") or [{}]
                    first = errors[0]
                    code = str(first.get("statusCode", "UNKNOWN"))
                    if code == "UNABLE_TO_LOCK_ROW" and attempt < lock_retries:
                        locked[rec_id] = pending[rec_id]
                        continue
                    result.failed.append(RecordFailure(rec_id, code, str(first.get("message", "")),
                                                       list(first.get("fields") or [])))
            if not locked:
                break
            log.info("salesforce: %d records locked (UNABLE_TO_LOCK_ROW); retrying them", len(locked))
            time.sleep(min(4.0, 0.5 * 2 ** attempt))
            pending = locked
        return result

    def _bulk_update(self, changes: dict[str, dict[str, Any]], sobject: str, lock_retries: int) -> WriteResult:
        """One Bulk API 2.0 job, step by step, each step renewing an expired session and following the same
        job id: a job belongs to the user, not the session, and a second job would write every record twice."""
        before = self.session.stats.snapshot().get("salesforce", 0)
        created = self.call(lambda sf: self._bulk2(sf, sobject).create_job(Operation.update), "bulk: create job")
        job_id = str(created["id"])
        log.info("salesforce: Bulk API 2.0 job %s for %d records", job_id, len(changes))
        data = _bulk_csv(changes)
        self.call(lambda sf: self._bulk2(sf, sobject).upload_job_data(job_id, data), f"bulk job {job_id}: upload")
        self.call(lambda sf: self._bulk2(sf, sobject).close_job(job_id), f"bulk job {job_id}: close")
        info = self._wait_for_job(job_id, sobject)
        if info.get("state") != "JobComplete":
            raise BulkJobFailed(
                f"salesforce: Bulk API 2.0 job {job_id} ended {info.get('state')}: "
                f"{redact(str(info.get('errorMessage') or 'no errorMessage'))} "
                f"({info.get('numberRecordsProcessed', 0)} records processed; the next run writes what is still "
                "missing)")
        result = WriteResult()
        locked: dict[str, dict[str, Any]] = {}
        if int(info.get("numberRecordsFailed") or 0):
            text = self.call(lambda sf: self._bulk2(sf, sobject).get_ingest_results(job_id, "failedResults"),
                             f"bulk job {job_id}: failed results")
            for row in csv.DictReader(io.StringIO(text)):
                code, _, message = (row.get("sf__Error") or "UNKNOWN:").partition(":")
                rid = row.get("sf__Id") or row.get("Id") or ""
                if code == "UNABLE_TO_LOCK_ROW" and lock_retries > 0 and rid in changes:
                    locked[rid] = changes[rid]
                else:
                    result.failed.append(RecordFailure(rid, code, message, []))
        failed_ids = {f.id for f in result.failed} | set(locked)
        result.written = [i for i in changes if i not in failed_ids]
        result.api_calls = self.session.stats.snapshot().get("salesforce", 0) - before
        if locked:
            log.info("salesforce: %d records locked (UNABLE_TO_LOCK_ROW) in job %s; retrying them", len(locked),
                     job_id)
            again = self.update(locked, lock_retries - 1, sobject)
            result.written += again.written
            result.failed += again.failed
            result.api_calls += again.api_calls
        return result

    @staticmethod
    def _bulk2(sf: Salesforce, sobject: str) -> Any:
        """simple-salesforce's Bulk 2.0 client for ``sobject``, bound to ``sf``'s (current) session.

        Its job-level calls (create, upload, close, poll, results), which csops drives itself to retry locked rows
        and keep the job id across a session refresh, are only on this client: the public SFBulk2Type runs a whole
        job in one call."""
        return getattr(sf.bulk2, sobject)._client  # noqa: SLF001  (simple-salesforce has no public handle on it)

    def _wait_for_job(self, job_id: str, sobject: str, timeout: float = 3600.0) -> dict[str, Any]:
        """Poll the job until it ends (JobComplete, Failed, Aborted)."""
        deadline, delay = time.monotonic() + timeout, 0.05
        while True:
            info: dict[str, Any] = self.call(lambda sf: self._bulk2(sf, sobject).get_job(job_id, False),
                                             f"bulk job {job_id}: poll")
            if info.get("state") in ("JobComplete", "Failed", "Aborted"):
                return info
            if time.monotonic() > deadline:
                raise BulkJobFailed(f"salesforce: Bulk API 2.0 job {job_id} still {info.get('state')} after "
                                    f"{timeout:.0f} s; it keeps running in Salesforce (Setup > Bulk Data Load Jobs)")
            time.sleep(delay)
            delay = min(2.0, delay * 2)

    def query_records(self, soql: str) -> list[dict[str, Any]]:
        """Every record a query returns, following ``nextRecordsUrl``."""
        return [r for page in self.query_pages(soql, include_deleted=False) for r in page.records]

    def create(self, sobject: str, records: list[dict[str, Any]]) -> list[CreateOutcome]:
        """Insert through sObject Collections (``POST composite/sobjects``, 200 a call), one outcome per record.

        Every result is read: a 200 can carry per-record failures.  A POST whose
        answer is lost is not sent again (the HTTP policy refuses), so callers
        find what was created by a key before creating again.
        """
        out: list[CreateOutcome] = []
        for start in range(0, len(records), COLLECTION_SIZE):
            chunk = records[start:start + COLLECTION_SIZE]
            body = {"allOrNone": False, "records": [{"attributes": {"type": sobject}, **r} for r in chunk]}

            def post(sf: Salesforce, b: dict[str, Any] = body) -> Any:
                return sf.restful("composite/sobjects", method="POST", json=b)
            answer = self.call(post, f"create {sobject} records")
            if not isinstance(answer, list) or len(answer) != len(chunk):
                raise ServiceUnavailable(f"salesforce: composite/sobjects answered with "
                                         f"{len(answer) if isinstance(answer, list) else 'no'} results for "
                                         f"{len(chunk)} new records")
            for item in answer:
                first = (item.get("errors") or [{}])[0] if not item.get("success") else {}
                out.append(CreateOutcome(item.get("id") if item.get("success") else None,
                                         str(first.get("statusCode", "")), str(first.get("message", ""))))
        return out

    def current_values(self, ids: Iterable[str], fields: Iterable[str], sobject: str | None = None
                       ) -> dict[str, dict[str, Any]]:
        """What Salesforce holds now for these records' fields, 200 records a query; a deleted record is absent."""
        sobject = sobject or self.config.object
        cols = sorted({"Id", *fields})
        for name in (*cols, sobject):
            if not _IDENT.match(name):
                raise FieldError(f"'{name}' is not a field or object name")
        wanted = sorted(set(ids))
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), COLLECTION_SIZE):
            values = ", ".join(format_soql("{}", i) for i in wanted[start:start + COLLECTION_SIZE])
            for rec in self.query_records(f"SELECT {', '.join(cols)} FROM {sobject} WHERE Id IN ({values})"):
                out[str(rec["Id"])] = {c: rec.get(c) for c in cols if c != "Id"}
        return out

    def user_names(self, ids: set[str]) -> dict[str, str | None]:
        """``User.Name`` of each of these User Ids (None for an Id that is no User: a queue, a deleted record),
        200 Ids per query so the GET URI stays under the REST API's 16,384 bytes (414 URI Too Long beyond)."""
        users = sorted(i for i in ids if i.startswith("005"))
        names: dict[str, str | None] = dict.fromkeys(sorted(ids))
        for start in range(0, len(users), COLLECTION_SIZE):
            values = ", ".join(format_soql("{}", u) for u in users[start:start + COLLECTION_SIZE])
            for r in self.query_records(f"SELECT Id, Name FROM User WHERE Id IN ({values})"):
                uid, name = str(r.get("Id") or ""), r.get("Name")
                if uid in names and isinstance(name, str) and name.strip():
                    names[uid] = name
        return names

    def inactive_users(self, ids: set[str]) -> set[str]:
        """Which of these User Ids are inactive (queue Ids, 00G…, are never inactive)."""
        users = sorted(i for i in ids if i.startswith("005"))
        inactive: set[str] = set()
        for start in range(0, len(users), COLLECTION_SIZE):
            values = ", ".join(format_soql("{}", u) for u in users[start:start + COLLECTION_SIZE])
            inactive |= {str(r["Id"]) for r in self.query_records(f"SELECT Id, IsActive FROM User WHERE Id IN "
                                                                  f"({values})") if not r.get("IsActive")}
        return inactive


@dataclass
class CreateOutcome:
    id: str | None
    status_code: str = ""
    message: str = ""


SOAP_RETIREMENT = (
    "salesforce.auth 'password' logs in with SOAP login(), which Salesforce retires in Summer '27 (available "
    "only up to API 64.0, and off by default in orgs created from Winter '26)")
SOAP_MIGRATION = (
    "move to OAuth: create a connected app (or External Client App) for the integration user; for cron, "
    "upload a certificate and set auth: jwt, consumer_key and private_key_file, or enable the client "
    "credentials flow with a run-as user and set auth: client_credentials, consumer_key, consumer_secret "
    "and domain: <mydomain>.my; then run csops doctor")
_soap_warned: list[bool] = []


def _warn_soap_login() -> None:
    """Once per process: the sync log carries the retirement date and the way out."""
    if not _soap_warned:
        _soap_warned.append(True)
        log.warning("%s; %s", SOAP_RETIREMENT, SOAP_MIGRATION)


def _bulk_csv(changes: dict[str, dict[str, Any]]) -> str:
    columns = sorted({k for values in changes.values() for k in values})
    out = io.StringIO()
    writer = csv.DictWriter(out, ["Id", *columns], lineterminator="\n")
    writer.writeheader()
    for i, v in changes.items():
        writer.writerow({"Id": i, **{c: _bulk_cell(v[c]) if c in v else "" for c in columns}})
    return out.getvalue()


def _bulk_cell(value: Any) -> str:
    """Bulk API 2.0 CSV: an empty cell means "leave unchanged"; ``#N/A`` sets null."""
    if value is None:
        return "#N/A"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _error_text(content: Any) -> str:
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return "; ".join(f"{c.get('errorCode')}: {c.get('message')}" for c in content)
    return str(content)[:300]


def _host(url: str) -> str:
    return urlsplit(url).netloc


def _soap_login_body(username: str, password: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8" ?>'
            '<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">'
            "<env:Header><urn:CallOptions><urn:client>csops</urn:client>"
            "<urn:defaultNamespace>sf</urn:defaultNamespace></urn:CallOptions></env:Header>"
            '<env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com">'
            f"<n1:username>{escape(username)}</n1:username><n1:password>{escape(password)}</n1:password>"
            "</n1:login></env:Body></env:Envelope>")
