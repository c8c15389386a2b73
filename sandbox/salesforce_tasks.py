"""Salesforce Task (and the Users who own records) for the sandbox.

Facts encoded (Salesforce Object Reference: Task; REST API Developer Guide:
sObject Collections; the "operation performed with inactive user" help
articles): a Task is created with ``POST /composite/sobjects`` (≤ 200 records,
``attributes.type`` on each, no ``id``; results in request order, a failed
record has no id and ``success: false``); ``OwnerId`` must be an active User
(``INACTIVE_OWNER_OR_USER``: "operation performed with inactive user") or a
queue that takes Tasks; an absent ``OwnerId`` makes the calling user the
owner; ``WhatId`` must be an existing record (``INVALID_CROSS_REFERENCE_KEY``);
``Subject`` ≤ 255 characters, ``Description`` a long text area ≤ 32,000 that
SOQL cannot filter on; ``Status`` and ``Priority`` are restricted picklists
(``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``); ``ActivityDate`` is a date
(``YYYY-MM-DD``, no time); ``IsClosed`` is read-only and follows ``Status``.

Accounts get an ``OwnerId`` here, assigned round-robin over the sandbox's CSMs,
one of whom is inactive (a CSM who left), so tests meet that case naturally.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox import soql
from sandbox.data import sf_datetime, sf_id
from sandbox.web import json_response

if TYPE_CHECKING:
    from sandbox.server import Sandbox

API_USER = "0055g00000SandBAAA"
FALLBACK_USER = sf_id("005", 1)
CSMS = [sf_id("005", n) for n in (2, 3, 4)]
INACTIVE_CSM = sf_id("005", 5)
TASK_QUEUE = sf_id("00G", 1)
#: User.Name is the person's full name (a read-only concatenation of FirstName and LastName, Japanese order in a
#: ja locale); a name from Salesforce is remote data like any other.
USER_NAMES = {API_USER: "連携ユーザー", FALLBACK_USER: "CS Ops 共有", CSMS[0]: "佐藤 花子", CSMS[1]: "鈴木 一郎",
              CSMS[2]: "高橋 美咲", INACTIVE_CSM: "田中 健"}
STATUSES = {"Not Started": False, "In Progress": False, "Waiting on someone else": False, "Deferred": False,
            "Completed": True}
PRIORITIES = ("High", "Normal", "Low")
# name: (type, createable/updateable, length, filterable)
FIELDS: dict[str, tuple[str, bool, int, bool]] = {
    "Id": ("id", False, 18, True),
    "Subject": ("string", True, 255, True),
    "WhatId": ("reference", True, 18, True),
    "OwnerId": ("reference", True, 18, True),
    "ActivityDate": ("date", True, 0, True),
    "Status": ("picklist", True, 40, True),
    "Priority": ("picklist", True, 40, True),
    "Description": ("textarea", True, 32000, False),
    "IsClosed": ("boolean", False, 0, True),
    "CSOps_Alert_Key__c": ("string", True, 255, True),
    "CreatedDate": ("datetime", False, 0, True),
    "SystemModstamp": ("datetime", False, 0, True),
    "IsDeleted": ("boolean", False, 0, True),
}
_CANON = {k.lower(): k for k in FIELDS}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _error(code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    return [{"statusCode": code, "message": message, "fields": fields or []}]


def _field_errors(key: str, value: Any) -> list[dict[str, Any]]:
    """What Salesforce answers to one field of a Task create or update: unknown, read-only, wrong type, too long,
    not a date, not in a restricted picklist; [] when it takes it."""
    name = _CANON.get(key.lower())
    if name is None:
        return _error("INVALID_FIELD", f"No such column '{key}' on sobject of type Task", [key])
    kind, writable, length, _ = FIELDS[name]
    if not writable:
        return _error("INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to create/update fields: {name}.", [name])
    if value is None:
        return []
    if kind in ("string", "textarea", "picklist", "reference") and not isinstance(value, str):
        return _error("INVALID_TYPE_ON_FIELD_IN_RECORD", f"{name}: value not of required type: {value}", [name])
    if length and isinstance(value, str) and len(value) > length and kind != "reference":
        return _error("STRING_TOO_LONG", f"{name}: data value too large (max length={length})", [name])
    if name == "ActivityDate" and not (isinstance(value, str) and _DATE.match(value)):
        return _error("INVALID_TYPE_ON_FIELD_IN_RECORD", f"Due Date: value not of required type: {value}", [name])
    if (name == "Status" and value not in STATUSES) or (name == "Priority" and value not in PRIORITIES):
        return _error("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                      f"{name}: bad value for restricted picklist field: {value}", [name])
    return []


class TaskAPI:
    """The Task sObject: create through Collections POST, update through PATCH, query through SOQL."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.tasks: dict[str, dict[str, Any]] = {}
        self.users = {API_USER: True, FALLBACK_USER: True, INACTIVE_CSM: False, **dict.fromkeys(CSMS, True)}
        self.queues = {TASK_QUEUE}
        self.create_calls = 0
        self.status_writes: list[tuple[str, str]] = []  # (Task Id, Status) of every update that set Status
        self.hold_after_create = False
        self.users_look_active = False  # the User query answers from before a deactivation
        self.held = threading.Event()
        self._release = threading.Event()
        owners = [*CSMS, INACTIVE_CSM]
        for i, account_id in enumerate(sorted(sb.data.accounts)):
            sb.data.accounts[account_id]["OwnerId"] = owners[i % len(owners)]
        sf = sb.salesforce
        sf.other_objects["task"] = self
        sf.other_objects["user"] = UserObject(self)
        sb.route("/services/data/<version>/composite/sobjects", "POST", self.create)

    # -- test hooks ------------------------------------------------------------
    def hold(self) -> None:
        """Answer the next create only after :meth:`release` (the Tasks exist meanwhile)."""
        self.hold_after_create = True
        self.held.clear()
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    def open_tasks(self) -> list[dict[str, Any]]:
        return [t for t in self.tasks.values() if not t["IsClosed"]]

    # -- SOQL --------------------------------------------------------------------
    @staticmethod
    def canonical(name: str) -> str | None:
        return _CANON.get(name.lower())

    def check_query(self, q: soql.Query) -> soql.SoqlError | None:
        for name in q.where_fields:
            if not FIELDS[name][3]:
                return soql.SoqlError("INVALID_FIELD", f"field '{name}' can not be filtered in a query call")
        return None

    def rows(self) -> list[dict[str, Any]]:
        return list(self.tasks.values())

    @staticmethod
    def record(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        rec: dict[str, Any] = {"attributes": {"type": "Task", "url": f"/services/data/v60.0/sobjects/Task/{row['Id']}"}}
        rec.update({f: row.get(f) for f in fields})
        return rec

    # -- writes ------------------------------------------------------------------
    def _validate(self, values: dict[str, Any], creating: bool) -> list[dict[str, Any]]:
        """Salesforce's answer to the first field it refuses (as it reports one error per record), or []."""
        for key, value in values.items():
            errors = _field_errors(key, value)
            if errors:
                return errors
        return self._reference_errors(values, creating)

    def _reference_errors(self, values: dict[str, Any], creating: bool) -> list[dict[str, Any]]:
        what = values.get("WhatId")
        if creating or "WhatId" in values:
            row = self.sb.data.accounts.get(str(what))
            if what is not None and (row is None or row.get("IsDeleted")):
                return _error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["WhatId"])
        owner = values.get("OwnerId", API_USER if creating else None)
        if owner is None or owner in self.queues:
            return []
        if owner not in self.users:
            return _error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["OwnerId"])
        if not self.users[owner]:
            return _error("INACTIVE_OWNER_OR_USER", "operation performed with inactive user", ["OwnerId"])
        return []

    def _insert(self, rec: Any) -> dict[str, Any]:
        if not isinstance(rec, dict) or str((rec.get("attributes") or {}).get("type", "")).lower() != "task":
            return {"success": False, "errors": _error("INVALID_TYPE", "attributes.type must be Task here")}
        if "id" in rec or "Id" in rec:
            return {"success": False, "errors": _error("INVALID_FIELD", "cannot specify Id in an insert call",
                                                       ["Id"])}
        values: dict[str, Any] = {_CANON.get(k.lower()) or k: v for k, v in rec.items() if k != "attributes"}
        errors = self._validate(values, creating=True)
        if errors:
            return {"success": False, "errors": errors}
        stamp = sf_datetime(datetime.now(UTC))
        task_id = sf_id("00T", 500_000 + len(self.tasks))
        row = {name: None for name in FIELDS} | {"Status": "Not Started", "Priority": "Normal",
                                                 "OwnerId": API_USER} | values
        row.update(Id=task_id, IsClosed=STATUSES[row["Status"]], CreatedDate=stamp, SystemModstamp=stamp,
                   IsDeleted=False)
        self.tasks[task_id] = row
        return {"id": task_id, "success": True, "errors": []}

    def create(self, request: Request, args: dict[str, Any]) -> Response:
        sf = self.sb.salesforce
        denied = sf.guard(request)
        if denied:
            return denied
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            return json_response([{"errorCode": "JSON_PARSER_ERROR", "message": "records is required"}], 400)
        if len(body["records"]) > 200:
            return json_response([{"errorCode": "EXCEEDED_ID_LIMIT", "message": "record limit reached. cannot "
                                   "submit more than 200 records into this call"}], 400)
        with self.sb.lock:
            self.create_calls += 1
            before = dict(self.tasks)
            results = [self._insert(r) for r in body["records"]]
            if body.get("allOrNone") and any(not r["success"] for r in results):
                self.tasks = before
                results = [r if not r["success"] else {"success": False, "errors": _error(
                    "ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all records were valid "
                    "and the request was using AllOrNone header")} for r in results]
            held, self.hold_after_create = self.hold_after_create, False
        if held:
            self.held.set()
            self._release.wait(timeout=30)
        return sf.ok(results)

    def update(self, rec: dict[str, Any]) -> list[dict[str, Any]]:
        """One record of a Collections PATCH; the errors (empty when it worked)."""
        row = self.tasks.get(str(rec.get("id")))
        if row is None or row["IsDeleted"]:
            return _error("ENTITY_IS_DELETED", "entity is deleted")
        values: dict[str, Any] = {_CANON.get(k.lower()) or k: v for k, v in rec.items()
                                  if k not in ("attributes", "id", "Id")}
        errors = self._validate(values, creating=False)
        if errors:
            return errors
        row.update(values)
        if "Status" in values:
            self.status_writes.append((row["Id"], values["Status"]))
        row["IsClosed"] = STATUSES[row["Status"]]
        row["SystemModstamp"] = sf_datetime(datetime.now(UTC))
        return []


class UserObject:
    """``SELECT Id, IsActive FROM User WHERE Id IN (...)``: the owners' state, for assigning before creating."""

    fields = ("Id", "Name", "IsActive", "IsDeleted")

    def __init__(self, tasks: TaskAPI) -> None:
        self.tasks = tasks

    def canonical(self, name: str) -> str | None:
        return next((f for f in self.fields if f.lower() == name.lower()), None)

    def check_query(self, q: soql.Query) -> soql.SoqlError | None:
        return None

    def rows(self) -> list[dict[str, Any]]:
        return [{"Id": uid, "Name": USER_NAMES.get(uid, f"CSM {uid[-6:-3]}"),
                 "IsActive": active or self.tasks.users_look_active, "IsDeleted": False}
                for uid, active in self.tasks.users.items()]

    @staticmethod
    def record(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        rec: dict[str, Any] = {"attributes": {"type": "User", "url": f"/services/data/v60.0/sobjects/User/{row['Id']}"}}
        rec.update({f: row.get(f) for f in fields})
        return rec
