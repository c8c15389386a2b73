"""Salesforce REST emulation: login (SOAP and OAuth), describe, query/queryAll with paging,
sObject Collections PATCH, Bulk API 2.0 ingest, ``Sforce-Limit-Info`` and the daily limit.

Field behaviour, each as strict as Salesforce (sources checked before encoding them):

- Field names are case-insensitive in SOQL, describe and writes; records come back keyed by the describe
  spelling (SOQL and SOSL reference, "Case sensitivity"; REFERENCE.md "Salesforce facts").
- A multi-select picklist stores its values deduplicated and in the order they are defined in Setup, not
  the order written: SOQL and the API return that order (Salesforce Help 000231088, "Multi-Select Picklist
  Value Ordering Behavior (UI vs SOQL)").
- A restricted picklist (``restrictedPicklist: true`` in describe) rejects any other value with
  ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``; text longer than ``length`` gives ``STRING_TOO_LONG``; a
  number with more integer digits than ``precision - scale`` gives ``NUMBER_OUTSIDE_VALID_RANGE``; numbers
  are stored as sent, not rounded to ``scale`` (Help 000212661).
- Bulk API 2.0 ingest: create (``Open``) → PUT CSV to ``…/batches`` (201) → PATCH ``UploadComplete`` →
  ``InProgress`` → ``JobComplete``, ``Failed`` (with ``errorMessage``) or ``Aborted`` (Bulk API 2.0 guide,
  "Job States"). A job belongs to the user who created it, not to the session: after a 401
  ``INVALID_SESSION_ID`` the same user logs in again and follows the same job id. ``expire_at_job_step``
  expires every session when a job reaches a step (upload, close, poll, results); ``end_next_job`` makes
  the next job end ``Failed``/``Aborted``; ids in ``lock_once`` fail once with ``UNABLE_TO_LOCK_ROW``.
- A formula field (describe ``calculated: true``, ``updateable: false``) is computed when read, so its
  value changes without ``SystemModstamp`` moving (heroku/roadmap #319; estuary/connectors PR #3414).
- Every accepted update (sObject Collections or Bulk API 2.0), csops's own included, moves ``LastModifiedDate``
  and ``SystemModstamp`` to the time of the write (SOAP API Developer Guide, "System Fields": ``LastModifiedDate``
  when a user last modified the record, ``SystemModstamp`` when a user or an automated process did), so an
  incremental pull reads the accounts csops wrote again.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from werkzeug.wrappers import Request, Response

from sandbox import soql
from sandbox.data import sf_datetime

if TYPE_CHECKING:
    from sandbox.server import Sandbox

from sandbox.web import json_response

API = "/services/data/<version>"
#: "the maximum length for the combined URI and headers is 16,384 bytes ... If the URI itself exceeds this limit,
#: the request returns a 414 URI Too Long error" (Salesforce Help 000386264; REFERENCE.md 2026-12-07)
MAX_URI_BYTES = 16_384

# name: (type, updateable, length)
FIELDS: dict[str, tuple[str, bool, int]] = {
    "Id": ("id", False, 18),
    "Name": ("string", True, 255),
    "Type": ("picklist", True, 255),
    "Product__c": ("multipicklist", True, 4099),  # an account may onboard several products
    "Contract_Start_Date__c": ("date", True, 0),
    "Kickoff_Date__c": ("date", True, 0),
    "Setup_Completed_Date__c": ("date", True, 0),
    "Training_Completed_Date__c": ("date", True, 0),
    "Go_Live_Date__c": ("date", True, 0),
    "Last_Login__c": ("datetime", True, 0),
    "Licensed_Users__c": ("double", True, 0),
    "Active_End_Users__c": ("double", True, 0),
    "Active_Admins__c": ("double", True, 0),
    "Annual_Revenue_JPY__c": ("currency", True, 0),
    "Onboarding_Status__c": ("picklist", True, 255),
    "Expense_Onboarding_Status__c": ("picklist", True, 255),  # a per-product writeback field (経費精算)
    "Onboarding_Phase__c": ("string", True, 255),
    "Days_Overdue__c": ("double", True, 0),
    "Health_Score__c": ("double", True, 0),
    "Health_Band__c": ("string", True, 40),
    "Customer_Tier__c": ("string", True, 40),
    "Onboarding_Alerts__c": ("multipicklist", True, 4099),
    "Evaluated_On__c": ("date", True, 0),
    "Contract_Age_Days__c": ("double", False, 0),
    "OwnerId": ("reference", True, 18),
    "SystemModstamp": ("datetime", False, 0),
    "LastModifiedDate": ("datetime", False, 0),
    "IsDeleted": ("boolean", False, 0),
}
#: picklist and multi-select values in their Setup (definition) order, and whether the list is restricted.
PICKLISTS: dict[str, tuple[list[str], bool]] = {
    "Product__c": (["勤怠管理", "経費精算", "Analytics"], True),
    # Account.Type, a standard picklist (not restricted); "Former Customer" is a value orgs commonly add.
    "Type": (["Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
              "Installation Partner", "Technology Partner", "Former Customer", "Other"], False),
    "Onboarding_Status__c": (["未開始", "順調", "オンボ滞留", "解約見込", "オンボ完了", "対象外"], True),
    "Expense_Onboarding_Status__c": (["未開始", "順調", "オンボ滞留", "解約見込", "オンボ完了", "対象外"], True),
    # Deliberately not the order the team's rule file lists its alerts in.
    "Onboarding_Alerts__c": (["urgent_tickets", "onboarding_stalled", "no_login_14d", "usage_anomaly",
                              "setup_not_done_30d", "onboarding_churn_risk"], True),
}
#: formula fields: the formula as describe shows it, and how the sandbox computes it when a record is read.
FORMULAS: dict[str, tuple[str, Callable[[dict[str, Any], date], Any]]] = {
    "Contract_Age_Days__c": ("TODAY() - Contract_Start_Date__c",
                             lambda row, today: None if not row.get("Contract_Start_Date__c") else
                             float((today - date.fromisoformat(row["Contract_Start_Date__c"])).days)),
}
#: number fields: (precision, scale) as describe gives them.
NUMBERS: dict[str, tuple[int, int]] = {
    "Licensed_Users__c": (18, 0), "Active_End_Users__c": (18, 0), "Active_Admins__c": (18, 0),
    "Annual_Revenue_JPY__c": (18, 0), "Days_Overdue__c": (5, 0), "Health_Score__c": (5, 2),
    "Contract_Age_Days__c": (18, 0),
}
_CANON = {k.lower(): k for k in FIELDS}
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


def _oauth_error(code: str, description: str) -> Response:
    return json_response({"error": code, "error_description": description}, 400)


def sf_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response([{"message": message, "errorCode": code}], status, headers)


@dataclass
class _Cursor:
    """A query's result behind its locator: its rows as they were when it ran, made into records a page at a
    time."""

    rows: list[dict[str, Any]]
    record: Callable[[dict[str, Any]], dict[str, Any]]

    def page(self, offset: int, batch: int) -> list[dict[str, Any]]:
        return [self.record(r) for r in self.rows[offset:offset + batch]]


class SalesforceAPI:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.sessions: set[str] = set()
        self.used = 0
        self.cursors: dict[str, _Cursor] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.writes: Counter[str] = Counter()
        self.field_writes: Counter[tuple[str, str]] = Counter()
        # Every Account field update received (record id, field, value as sent, whether it was applied), in order.
        self.received: list[tuple[str, str, Any, bool]] = []
        self.reject: dict[str, tuple[str, str]] = {}
        self.lock_once: set[str] = set()
        self.expire_at_job_step: set[str] = set()
        self.end_next_job: tuple[str, str] | None = None
        # Other sObjects, each in its own module (sandbox/salesforce_tasks.py): lower-case name → emulator.
        self.other_objects: dict[str, Any] = {}
        self.consumer_key = sb.options.sf_consumer_key
        self.consumer_secret = sb.options.sf_consumer_secret
        self.org_id = "00D5g00000SandB"
        # Calls other integrations make between ours: counted after our answer, so our last
        # Sforce-Limit-Info reading is stale, as in a shared org.
        self.background_usage_per_call = 0
        self._pending_background = 0
        sb.route("/services/Soap/u/<version>", "POST", self.soap_login)
        sb.route("/services/oauth2/token", "POST", self.oauth_token)
        sb.route(f"{API}/sobjects/<sobject>/describe", "GET", self.describe)
        sb.route(f"{API}/sobjects/<sobject>/describe/", "GET", self.describe)
        sb.route(f"{API}/query", "GET", self.query)
        sb.route(f"{API}/query/", "GET", self.query)
        sb.route(f"{API}/queryAll", "GET", self.query_all)
        sb.route(f"{API}/queryAll/", "GET", self.query_all)
        sb.route(f"{API}/query/<locator>", "GET", self.query_more)
        sb.route(f"{API}/queryAll/<locator>", "GET", self.query_more)
        sb.route(f"{API}/composite/sobjects", "PATCH", self.collections_update)
        sb.route(f"{API}/limits", "GET", self.limits)
        sb.route(f"{API}/limits/", "GET", self.limits)
        sb.route(f"{API}/jobs/ingest", "POST", self.job_create)
        sb.route(f"{API}/jobs/ingest/", "POST", self.job_create)
        sb.route(f"{API}/jobs/ingest/<job_id>/batches", "PUT", self.job_upload)
        sb.route(f"{API}/jobs/ingest/<job_id>", ["PATCH", "GET"], self.job_state)
        sb.route(f"{API}/jobs/ingest/<job_id>/", ["PATCH", "GET"], self.job_state)
        sb.route(f"{API}/jobs/ingest/<job_id>/<kind>", "GET", self.job_results)
        sb.route(f"{API}/jobs/ingest/<job_id>/<kind>/", "GET", self.job_results)

    # -- usage and auth -----------------------------------------------------
    @property
    def usage(self) -> str:
        return f"{self.used}/{self.sb.options.sf_daily_limit}"

    def _limit_headers(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.usage}"}

    def guard(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        token = header.split(" ", 1)[1] if " " in header else ""
        if token not in self.sessions:
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        with self.sb.lock:
            self.used += self._pending_background
            self._pending_background = 0
            if self.used >= self.sb.options.sf_daily_limit:
                return sf_error(403, "REQUEST_LIMIT_EXCEEDED",
                                f"TotalRequests Limit exceeded. ({self.usage})", self._limit_headers())
            self.used += 1
            self._pending_background = self.background_usage_per_call
        return None

    def ok(self, data: Any, status: int = 200) -> Response:
        return json_response(data, status, self._limit_headers())

    def new_session(self) -> str:
        token = f"{self.org_id}!{secrets.token_urlsafe(40)}"
        self.sessions.add(token)
        return token

    def expire_sessions(self) -> None:
        self.sessions.clear()

    def soap_login(self, request: Request, args: dict[str, Any]) -> Response:
        try:
            root = ElementTree.fromstring(request.get_data())
        except ElementTree.ParseError:
            return self._soap_fault("INVALID_LOGIN", "Invalid request")
        user = next((e.text for e in root.iter() if e.tag.endswith("username")), "")
        password = next((e.text for e in root.iter() if e.tag.endswith("password")), "")
        opts = self.sb.options
        if user != opts.sf_username or password != opts.sf_password + opts.sf_security_token:
            return self._soap_fault("INVALID_LOGIN",
                                    "INVALID_LOGIN: Invalid username, password, security token; or user locked out.")
        session = self.new_session()
        server = f"{request.host_url.rstrip('/')}/services/Soap/u/{args['version']}/{self.org_id}"
        body = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
                'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">'
                f"<soapenv:Body><loginResponse><result><serverUrl>{server}</serverUrl>"
                f"<sessionId>{session}</sessionId><userId>0055g00000SandBAAA</userId>"
                "</result></loginResponse></soapenv:Body></soapenv:Envelope>")
        return Response(body, 200, content_type="text/xml; charset=utf-8")

    @staticmethod
    def _soap_fault(code: str, message: str) -> Response:
        body = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
                'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
                f"<faultcode>sf:{code}</faultcode><faultstring>{message}</faultstring><detail>"
                f"<sf:LoginFault><sf:exceptionCode>{code}</sf:exceptionCode>"
                f"<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail>"
                "</soapenv:Fault></soapenv:Body></soapenv:Envelope>")
        return Response(body, 500, content_type="text/xml; charset=utf-8")

    def oauth_token(self, request: Request, args: dict[str, Any]) -> Response:
        """``POST /services/oauth2/token`` for the client credentials, JWT bearer and password grants.

        Errors as Salesforce answers them (400, ``{"error", "error_description"}``; Help "OAuth 2.0
        Authorization Errors", RFC 7523): an unknown consumer key ``invalid_client_id`` "client identifier
        invalid"; a wrong consumer secret ``invalid_client`` "invalid client credentials"; a JWT whose
        ``aud`` is not the login host ``invalid_grant`` "audience is invalid", for a user who has not
        approved the app ``invalid_grant`` "user hasn't approved this consumer", expired or malformed
        ``invalid_grant`` "invalid assertion"; any other grant ``unsupported_grant_type``.
        """
        form = request.form
        grant = form.get("grant_type", "")
        if grant == "client_credentials":
            if form.get("client_id") != self.consumer_key:
                return _oauth_error("invalid_client_id", "client identifier invalid")
            if form.get("client_secret") != self.consumer_secret:
                return _oauth_error("invalid_client", "invalid client credentials")
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            problem = self._jwt_problem(form.get("assertion", ""), request.host_url.rstrip("/"))
            if problem:
                return _oauth_error(*problem)
        elif grant == "password":
            opts = self.sb.options
            if not (form.get("username") == opts.sf_username and
                    form.get("password") == opts.sf_password + opts.sf_security_token):
                return _oauth_error("invalid_grant", "authentication failure")
        else:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        return json_response({"access_token": self.new_session(), "instance_url": request.host_url.rstrip("/"),
                              "id": f"{request.host_url}id/{self.org_id}/0055g00000SandBAAA",
                              "token_type": "Bearer", "issued_at": str(int(datetime.now().timestamp() * 1000)),
                              "signature": "sandbox"})

    def _jwt_problem(self, assertion: str, host: str) -> tuple[str, str] | None:
        """Why a JWT bearer assertion is refused (the sandbox holds no certificate: claims, not signature)."""
        try:
            payload = assertion.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            expires = float(claims.get("exp", 0))
        except (IndexError, ValueError, TypeError, AttributeError):
            return ("invalid_grant", "invalid assertion")
        if claims.get("iss") != self.consumer_key:
            return ("invalid_client_id", "client identifier invalid")
        if claims.get("aud") not in (host, "https://login.salesforce.com", "https://test.salesforce.com"):
            return ("invalid_grant", "audience is invalid")
        if expires < datetime.now(UTC).timestamp():
            return ("invalid_grant", "invalid assertion")
        if claims.get("sub") != self.sb.options.sf_username:
            return ("invalid_grant", "user hasn't approved this consumer")
        return None

    # -- describe and query -------------------------------------------------
    def _check_object(self, sobject: str) -> Response | None:
        if sobject.lower() != "account":
            return sf_error(404, "NOT_FOUND", f"The requested resource does not exist: {sobject}")
        return None

    def describe(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request) or self._check_object(args["sobject"])
        if denied:
            return denied
        fields = [describe_field(name) for name in FIELDS]
        return self.ok({"name": "Account", "label": "Account", "updateable": True, "queryable": True,
                        "fields": fields})

    def limits(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        limit = self.sb.options.sf_daily_limit
        return self.ok({"DailyApiRequests": {"Max": limit, "Remaining": limit - self.used}})

    def query(self, request: Request, args: dict[str, Any]) -> Response:
        return self._run_query(request, args, include_deleted=False)

    def query_all(self, request: Request, args: dict[str, Any]) -> Response:
        return self._run_query(request, args, include_deleted=True)

    def _run_query(self, request: Request, args: dict[str, Any], include_deleted: bool) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if len(request.path.encode()) + 1 + len(request.query_string) > MAX_URI_BYTES:
            return sf_error(414, "URI_TOO_LONG", "URI Too Long", self._limit_headers())
        text = request.args.get("q", "")
        m = re.search(r"(?i)\bFROM\s+(\w+)", text)
        other = self.other_objects.get(m.group(1).lower()) if m else None
        try:
            q = soql.parse(text, other.canonical if other else lambda n: _CANON.get(n.lower()))
            problem = other.check_query(q) if other else None
            if problem:
                raise problem
        except soql.SoqlError as exc:
            return sf_error(400, exc.code, exc.message, self._limit_headers())
        if q.sobject.lower() != "account" and other is None:
            return sf_error(400, "INVALID_TYPE", f"sObject type '{q.sobject}' is not supported.",
                            self._limit_headers())
        with self.sb.lock:
            source = other.rows() if other else self.sb.data.accounts.values()
            # A copy of each row as it is now: a later page answers with the values of the query's time, however
            # the records change in between, as a materialised result would. Only a page's records are built when
            # it is asked for (Salesforce answers the first page of a large query without the others ready).
            rows = [dict(r) for r in source if (include_deleted or not r["IsDeleted"]) and
                    (q.where is None or q.where(r))]
            for name, desc in reversed(q.order):
                rows.sort(key=soql.field_key(name), reverse=desc)
            if q.limit is not None:
                rows = rows[:q.limit]
        today = self.sb.today
        records = _Cursor(rows, (lambda r: other.record(r, q.fields)) if other else
                          (lambda r: self._record(r, q.fields, today)))
        batch = 2000
        m = re.search(r"batchSize=(\d+)", request.headers.get("Sforce-Query-Options", ""))
        if m:
            batch = max(200, min(2000, int(m.group(1))))
        locator = f"01g{secrets.token_hex(6)}"
        self.cursors[locator] = records
        return self.ok(self._page(args["version"], "queryAll" if include_deleted else "query", locator, 0, batch))

    def query_more(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        locator, _, rest = args["locator"].partition("-")
        offset, _, batch = rest.partition(".")
        if locator not in self.cursors:
            return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator", self._limit_headers())
        kind = "queryAll" if "/queryAll/" in request.path else "query"
        return self.ok(self._page(args["version"], kind, locator, int(offset or 0), int(batch or 2000)))

    def _page(self, version: str, kind: str, locator: str, offset: int, batch: int) -> dict[str, Any]:
        records = self.cursors[locator]
        page = records.page(offset, batch)
        done = offset + batch >= len(records.rows)
        out: dict[str, Any] = {"totalSize": len(records.rows), "done": done, "records": page}
        if not done:
            out["nextRecordsUrl"] = f"/services/data/{version}/{kind}/{locator}-{offset + batch}.{batch}"
        else:
            self.cursors.pop(locator, None)
        return out

    @staticmethod
    def _record(row: dict[str, Any], fields: list[str], today: date) -> dict[str, Any]:
        """A record as the API returns it; formula fields computed for ``today``, the query's day (their change
        moves no SystemModstamp)."""
        rec: dict[str, Any] = {"attributes": {"type": "Account",
                                              "url": f"/services/data/v60.0/sobjects/Account/{row['Id']}"}}
        for f in fields:
            rec[f] = FORMULAS[f][1](row, today) if f in FORMULAS else row.get(f)
        return rec

    # -- writes -------------------------------------------------------------
    def _apply(self, rec_id: str, values: dict[str, Any], locked_roll: bool) -> list[dict[str, Any]]:
        """Apply one record's update; the errors list (empty when it worked)."""
        errors = self._apply_values(rec_id, values, locked_roll)
        self.received.extend((rec_id, k, v, not errors) for k, v in values.items())
        return errors

    def _apply_values(self, rec_id: str, values: dict[str, Any], locked_roll: bool) -> list[dict[str, Any]]:
        if not isinstance(rec_id, str) or not _ID.match(rec_id):
            return [{"statusCode": "MALFORMED_ID", "message": f"Account ID: id value of incorrect type: {rec_id}",
                     "fields": ["Id"]}]
        row = self.sb.data.accounts.get(rec_id)
        if row is None or row["IsDeleted"]:
            return [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}]
        if locked_roll or rec_id in self.lock_once:
            self.lock_once.discard(rec_id)
            return [{"statusCode": "UNABLE_TO_LOCK_ROW",
                     "message": "unable to obtain exclusive access to this record or 1 records: " + rec_id,
                     "fields": []}]
        if rec_id in self.reject:
            code, message = self.reject[rec_id]
            return [{"statusCode": code, "message": message, "fields": []}]
        clean: dict[str, Any] = {}
        for key, value in values.items():
            name = _CANON.get(key.lower())
            if name is None:
                return [{"statusCode": "INVALID_FIELD", "message": f"No such column '{key}' on sobject of type "
                         "Account", "fields": [key]}]
            kind, updateable, length = FIELDS[name]
            if not updateable:
                return [{"statusCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
                         "message": f"Unable to create/update fields: {name}. Please check the security settings "
                         "of this field and verify that it is read/write for your profile or permission set.",
                         "fields": [name]}]
            problem = _type_problem(kind, value, length) or _value_problem(name, value)
            if problem:
                return [{"statusCode": problem[0], "message": f"{name}: {problem[1]}", "fields": [name]}]
            clean[name] = _stored(name, kind, value)
        stamp = sf_datetime(datetime.now(UTC))
        row.update(clean)
        row["SystemModstamp"] = stamp
        row["LastModifiedDate"] = stamp
        self.writes[rec_id] += 1
        for name in clean:
            self.field_writes[(rec_id, name)] += 1
        return []

    def collections_update(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            return sf_error(400, "JSON_PARSER_ERROR", "records is required", self._limit_headers())
        records = body["records"]
        if len(records) > 200:
            return sf_error(400, "EXCEEDED_ID_LIMIT",
                            "record limit reached. cannot submit more than 200 records into this call",
                            self._limit_headers())
        all_or_none = bool(body.get("allOrNone", False))
        results: list[dict[str, Any]] = []
        with self.sb.lock:
            snapshot = {str(r.get("id")): dict(self.sb.data.accounts[r["id"]]) for r in records
                        if isinstance(r, dict) and r.get("id") in self.sb.data.accounts} if all_or_none else {}
            for rec in records:
                other = self.other_objects.get(str(((rec.get("attributes") or {}) if isinstance(rec, dict) else {})
                                                   .get("type", "")).lower())
                if other is not None:
                    errors = other.update(rec)
                    results.append({"id": rec.get("id"), "success": True, "errors": []} if not errors
                                   else {"success": False, "errors": errors})
                    continue
                if not isinstance(rec, dict) or (rec.get("attributes") or {}).get("type") != "Account":
                    results.append({"success": False, "errors": [{"statusCode": "INVALID_TYPE",
                                    "message": "attributes.type is required", "fields": []}]})
                    continue
                values = {k: v for k, v in rec.items() if k not in ("attributes", "id", "Id")}
                locked = bool(self.sb.fail_rate) and self.sb.rng.random() < self.sb.fail_rate / 4
                errors = self._apply(rec.get("id") or rec.get("Id", ""), values, locked)
                results.append({"id": rec.get("id"), "success": True, "errors": []} if not errors
                               else {"success": False, "errors": errors})
            if all_or_none and any(not r["success"] for r in results):
                for rid, row in snapshot.items():
                    self.sb.data.accounts[rid] = row
                results = [r if not r["success"] else
                           {"success": False, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                                                          "message": "Record rolled back because not all records "
                                                          "were valid and the request was using AllOrNone header",
                                                          "fields": []}]} for r in results]
        return self.ok(results)

    # -- Bulk API 2.0 ingest ------------------------------------------------
    def _job_step(self, request: Request, step: str) -> Response | None:
        """The guard, after expiring every session when a job reaches ``step`` (once per arming)."""
        if step in self.expire_at_job_step:
            self.expire_at_job_step.discard(step)
            self.expire_sessions()
        return self.guard(request)

    def job_create(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        body = request.get_json(force=True, silent=True) or {}
        if body.get("operation") != "update" or str(body.get("object", "")).lower() != "account":
            return sf_error(400, "INVALIDJOB", "the sandbox supports update jobs on Account",
                            self._limit_headers())
        job_id = f"750{secrets.token_hex(6)}"
        self.jobs[job_id] = {"id": job_id, "operation": "update", "object": "Account", "state": "Open",
                             "contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF",
                             "data": "", "results": [], "numberRecordsProcessed": 0, "numberRecordsFailed": 0}
        return self.ok(self._job_view(job_id))

    def _job_view(self, job_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.jobs[job_id].items() if k not in ("data", "results")}

    def job_upload(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self._job_step(request, "upload")
        if denied:
            return denied
        job = self.jobs.get(args["job_id"])
        if job is None or job["state"] != "Open":
            return sf_error(400, "INVALIDJOBSTATE", "Job is not open", self._limit_headers())
        job["data"] += request.get_data(as_text=True)
        return Response("", 201, headers=self._limit_headers())

    def job_state(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self._job_step(request, "close" if request.method == "PATCH" else "poll")
        if denied:
            return denied
        job = self.jobs.get(args["job_id"])
        if job is None:
            return sf_error(404, "NOT_FOUND", "job not found", self._limit_headers())
        if request.method == "PATCH":
            state = (request.get_json(force=True, silent=True) or {}).get("state")
            if state == "UploadComplete" and job["state"] == "Open":
                job["state"] = "UploadComplete"
            elif state == "Aborted" and job["state"] in ("Open", "UploadComplete", "InProgress"):
                job["state"] = "Aborted"
            else:
                return sf_error(400, "INVALIDJOBSTATE", f"Job state {job['state']} cannot change to {state}",
                                self._limit_headers())
        elif job["state"] == "UploadComplete":
            job["state"] = "InProgress"  # seen processing at least once, as a real poll would
        elif job["state"] == "InProgress":
            self._finish(job)
        return self.ok(self._job_view(job["id"]))

    def _finish(self, job: dict[str, Any]) -> None:
        ending, self.end_next_job = self.end_next_job, None
        if ending is None:
            self._process(job)
            return
        state, message = ending
        job["state"] = state
        if state == "Aborted":  # records processed before the abort stay processed; here: half of them
            rows = job["data"].splitlines(keepends=True)
            job["data"] = "".join(rows[:1 + (len(rows) - 1) // 2])
            self._process(job)
            job["state"] = "Aborted"
        else:
            job["errorMessage"] = message

    def _process(self, job: dict[str, Any]) -> None:
        reader = csv.DictReader(io.StringIO(job["data"]))
        with self.sb.lock:
            for row in reader:
                rec_id = row.get("Id") or row.get("id") or ""
                values: dict[str, Any] = {}
                for k, v in row.items():
                    if k.lower() == "id" or v == "":
                        continue  # Bulk 2.0: an empty cell leaves the field unchanged; #N/A sets null
                    values[k] = None if v == "#N/A" else _from_csv(k, v)
                errors = self._apply(rec_id, values, False)
                job["results"].append((row, errors))
            job["numberRecordsProcessed"] = len(job["results"])
            job["numberRecordsFailed"] = sum(1 for _, e in job["results"] if e)
            job["state"] = "JobComplete"

    def job_results(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self._job_step(request, "results")
        if denied:
            return denied
        job = self.jobs.get(args["job_id"])
        if job is None:
            return sf_error(404, "NOT_FOUND", "job not found", self._limit_headers())
        failed = args["kind"] == "failedResults"
        out = io.StringIO()
        rows = [(r, e) for r, e in job["results"] if bool(e) == failed]
        cols = list(rows[0][0].keys()) if rows else ["Id"]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow((["sf__Id", "sf__Error"] if failed else ["sf__Id", "sf__Created"]) + cols)
        for row, errors in rows:
            tag = f"{errors[0]['statusCode']}:{errors[0]['message']}" if failed else "false"
            writer.writerow([row.get("Id", ""), tag] + [row.get(c, "") for c in cols])
        return Response(out.getvalue(), 200, headers=self._limit_headers(), content_type="text/csv")


def describe_field(name: str) -> dict[str, Any]:
    """One field as ``sobjects/Account/describe`` shows it (the keys csops and real clients read)."""
    kind, updateable, length = FIELDS[name]
    values, restricted = PICKLISTS.get(name, ([], False))
    precision, scale = NUMBERS.get(name, (0, 0))
    return {"name": name, "type": kind, "updateable": updateable, "createable": updateable, "length": length,
            "label": name.replace("__c", "").replace("_", " "), "nillable": name != "Id",
            "custom": name.endswith("__c"), "calculated": name in FORMULAS,
            "calculatedFormula": FORMULAS[name][0] if name in FORMULAS else None,
            "precision": precision, "scale": scale, "restrictedPicklist": restricted,
            "picklistValues": [{"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v}
                               for v in values]}


def _from_csv(name: str, value: str) -> Any:
    kind = FIELDS.get(_CANON.get(name.lower(), ""), ("string", True, 0))[0]
    if kind in ("double", "currency"):
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean":
        return value.lower() == "true"
    return value


def _type_problem(kind: str, value: Any, length: int) -> tuple[str, str] | None:
    if value is None:
        return None
    if kind in ("double", "currency"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ("INVALID_TYPE_ON_FIELD_IN_RECORD", f"value not of required type: {value}")
    elif kind == "date":
        if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            return ("INVALID_TYPE_ON_FIELD_IN_RECORD", f"value not of required type: {value}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            return ("INVALID_TYPE_ON_FIELD_IN_RECORD", f"value not of required type: {value}")
    elif kind in ("string", "picklist", "multipicklist"):
        if not isinstance(value, str):
            return ("INVALID_TYPE_ON_FIELD_IN_RECORD", f"value not of required type: {value}")
        if length and len(value) > length:
            return ("STRING_TOO_LONG", f"data value too large: {value[:40]}… (max length={length})")
    return None


def _value_problem(name: str, value: Any) -> tuple[str, str] | None:
    """Restricted picklist values and number precision, checked after the type."""
    if value is None or value == "":
        return None
    if name in PICKLISTS:
        allowed, restricted = PICKLISTS[name]
        given = str(value).split(";") if FIELDS[name][0] == "multipicklist" else [str(value)]
        bad = [v for v in given if v not in allowed]
        if restricted and bad:
            return ("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f"bad value for restricted picklist field: {bad[0]}")
    if name in NUMBERS and isinstance(value, int | float):
        precision, scale = NUMBERS[name]
        if abs(value) >= 10 ** (precision - scale):
            return ("NUMBER_OUTSIDE_VALID_RANGE", f"value outside of valid range on numeric field: {value}")
    return None


def _stored(name: str, kind: str, value: Any) -> Any:
    """The value as Salesforce keeps it: numbers as floats, multi-select deduplicated in definition order."""
    if value is None:
        return None
    if kind in ("double", "currency"):
        return float(value)
    if kind == "multipicklist":
        given = set(str(value).split(";")) - {""}
        if not given:
            return None
        order = PICKLISTS.get(name, ([], False))[0]
        return ";".join([v for v in order if v in given] + sorted(given - set(order)))
    return value
