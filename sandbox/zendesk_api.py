"""Zendesk Support API emulation: cursor export, cursor-paginated organizations, auth.

The time-based incremental organization export (``GET /api/v2/incremental/organizations.json
?start_time=``; Zendesk API reference, "Incremental Exports") answers ``organizations``, ``count``,
``end_time``, ``next_page`` and ``end_of_stream``: up to 1000 items a page ordered by ``updated_at``,
items at ``end_time`` repeated on the next page, ``end_of_stream`` when the page is not full. It shares
the incremental endpoints' 10 requests/minute, refuses a ``start_time`` less than a minute ago, and
when a full page shares one timestamp, ``next_page`` does not advance (the infinite loop behind Airbyte
PR #31164): a client must detect it. Deleted organizations stay in the export with ``deleted_at``.
"""

from __future__ import annotations

import base64
import bisect
import json
import math
import random
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.data import make_ticket

if TYPE_CHECKING:
    from sandbox.server import Sandbox

from sandbox.web import json_response

ZENDESK_EXPORT_PER_MINUTE = 10
ZENDESK_PER_MINUTE = 700


def _encode(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(token: str) -> Any:
    pad = "=" * (-len(token) % 4)
    return json.loads(base64.urlsafe_b64decode(token + pad))


class ZendeskAPI:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self._keys: list[tuple[int, int]] = []
        self._dirty = True
        sb.route("/api/v2/incremental/tickets/cursor.json", "GET", self.export_tickets)
        sb.route("/api/v2/organizations", "GET", self.list_organizations)
        sb.route("/api/v2/organizations.json", "GET", self.list_organizations)
        sb.route("/api/v2/users/me.json", "GET", self.me)
        sb.route("/api/v2/incremental/organizations.json", "GET", self.export_organizations)
        sb.route("/api/v2/incremental/organizations", "GET", self.export_organizations)

    # -- helpers ------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        opts = self.sb.options
        ok = False
        if header.startswith("Basic "):
            try:
                user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                user, secret = "", ""
            ok = user == f"{opts.zendesk_email}/token" and secret == opts.zendesk_token
        elif header.startswith("Bearer "):
            return self.sb.oauth.check(header[7:], request)
        if not ok:
            return json_response({"error": "Couldn't authenticate you"}, 401,
                                 {"WWW-Authenticate": 'Basic realm="Web Password"'})
        return None

    def limited(self, bucket: str, real: int, plain: bool = False) -> Response | None:
        wait = self.sb.rate_limited(bucket, real)
        if wait is None:
            return None
        headers = {"Retry-After": str(max(1, math.ceil(wait)))}
        if plain:
            return Response("Too Many Requests", status=429, headers=headers, content_type="text/plain")
        return json_response({"error": "APIRateLimitExceeded",
                              "description": "Number of allowed API requests per minute exceeded"}, 429, headers)

    def guard(self, request: Request, bucket: str = "zendesk", real: int = ZENDESK_PER_MINUTE,
              plain: bool = False) -> Response | None:
        return self.authenticate(request) or self.limited(bucket, real, plain)

    def _sorted_keys(self) -> list[tuple[int, int]]:
        with self.sb.lock:
            if self._dirty:
                self._keys = sorted((t["generated_timestamp"], t["id"]) for t in self.sb.data.tickets.values())
                self._dirty = False
            return self._keys

    # -- endpoints ----------------------------------------------------------
    def me(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        return json_response({"user": {"id": 1, "email": self.sb.options.zendesk_email, "role": "admin",
                                       "name": "Sandbox Admin"}})

    def export_tickets(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request, "zendesk-export", ZENDESK_EXPORT_PER_MINUTE, plain=True)
        if denied:
            return denied
        q = request.args
        per_page = min(int(q.get("per_page", 1000)), 1000)
        if "cursor" in q and "start_time" in q:
            return json_response({"error": "InvalidPaginationParameter",
                                  "description": "Use either cursor or start_time, not both"}, 400)
        if "cursor" in q:
            try:
                pos = tuple(_decode(q["cursor"]))
            except ValueError:
                return json_response({"error": "InvalidPaginationParameter",
                                      "description": "Invalid cursor"}, 400)
        elif "start_time" in q:
            try:
                start = int(q["start_time"])
            except ValueError:
                return json_response({"error": "InvalidValue", "description": "start_time is invalid"}, 400)
            if start > time.time() - 60:
                return json_response({"error": "InvalidValue", "description":
                                      "Too recent start_time. Use a start_time older than one minute"}, 400)
            pos = (start, -1)
        else:
            return json_response({"error": "InvalidValue", "description": "start_time or cursor required"}, 400)
        keys = self._sorted_keys()
        i = bisect.bisect_right(keys, (int(pos[0]), int(pos[1])))
        page = keys[i:i + per_page]
        with self.sb.lock:
            tickets = [dict(self.sb.data.tickets[tid]) for _, tid in page]
        after = list(page[-1]) if page else [int(pos[0]), int(pos[1])]
        end = i + per_page >= len(keys)
        base = request.host_url.rstrip("/") + request.path
        after_cursor = _encode(after)
        return json_response({
            "tickets": tickets,
            "after_cursor": after_cursor,
            "after_url": f"{base}?cursor={after_cursor}",
            "before_cursor": _encode(list(page[0])) if page else None,
            "before_url": None,
            "end_of_stream": end,
        })

    def list_organizations(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        q = request.args
        try:
            size = int(q.get("page[size]", 100))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            return json_response({"error": "InvalidPaginationParameter",
                                  "description": "page[size] must be between 1 and 100"}, 400)
        with self.sb.lock:
            ids = sorted(i for i, o in self.sb.data.organizations.items() if not o.get("deleted_at"))
        start = 0
        if q.get("page[after]"):
            last = int(_decode(q["page[after]"]))
            start = bisect.bisect_right(ids, last)
        page_ids = ids[start:start + size]
        has_more = start + size < len(ids) or (self.sb.hostile_next is not None and bool(page_ids))
        with self.sb.lock:
            orgs = [dict(self.sb.data.organizations[i]) for i in page_ids]
        after = _encode(page_ids[-1]) if page_ids else None
        return json_response({
            "organizations": orgs,
            "meta": {"has_more": has_more, "after_cursor": after,
                     "before_cursor": _encode(page_ids[0]) if page_ids else None},
            "links": {"next": self.sb.next_link(request, f"page%5Bsize%5D={size}&page%5Bafter%5D={after}")
                      if has_more else None, "prev": None},
        })

    def export_organizations(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request, "zendesk-export", ZENDESK_EXPORT_PER_MINUTE, plain=True)
        if denied:
            return denied
        try:
            start = int(request.args["start_time"])
            per_page = min(int(request.args.get("per_page", 1000)), 1000)
        except (KeyError, ValueError):
            return json_response({"error": "InvalidValue", "description": "start_time is required"}, 400)
        if start > time.time() - 60:
            return json_response({"error": "InvalidValue",
                                  "description": "Too recent start_time. Use a start_time older than 1 minute"},
                                 400)
        # "any items that were created or changed within the minute prior to your request are excluded" (Zendesk,
        # Using the Incremental Export API): so the end_time a page gives is never a start_time refused next
        recent = time.time() - 60
        with self.sb.lock:
            stamped = ((_ts(o["updated_at"]), o["id"]) for o in self.sb.data.organizations.values())
            items = sorted(item for item in stamped if start <= item[0] <= recent)
            page = [dict(self.sb.data.organizations[i]) for _, i in items[:per_page]]
        end_time = _ts(page[-1]["updated_at"]) if page else start
        base = request.host_url.rstrip("/") + request.path
        return json_response({"organizations": page, "count": len(page), "end_time": end_time,
                              "next_page": f"{base}?start_time={end_time}&per_page={per_page}",
                              "end_of_stream": len(page) < per_page})

    def delete_organization(self, org_id: int) -> None:
        with self.sb.lock:
            org = self.sb.data.organizations[org_id]
            now = self._org_stamp()
            org.update(deleted_at=now, updated_at=now)

    def update_organization(self, org_id: int, **changes: Any) -> None:
        with self.sb.lock:
            org = self.sb.data.organizations[org_id]
            org.update(changes)
            org["updated_at"] = self._org_stamp()

    @staticmethod
    def _org_stamp() -> str:
        """An organization change's ``updated_at``: a minute back, so the export (which leaves out the last
        minute's changes, as Zendesk's does) has it at once."""
        return datetime.fromtimestamp(int(time.time()) - 61, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- in-process mutations for tests and the demo -------------------------
    def _stamp(self) -> int:
        latest = max((t["generated_timestamp"] for t in self.sb.data.tickets.values()), default=0)
        return max(int(time.time()) - 61, latest + 1)

    def update_tickets(self, ids: list[int], **changes: Any) -> None:
        with self.sb.lock:
            stamp = self._stamp()
            for tid in ids:
                t = self.sb.data.tickets[tid]
                t.update(changes)
                if changes.get("status") == "deleted":
                    for k in [k for k in t if k not in ("id", "status", "updated_at", "generated_timestamp",
                                                        "organization_id", "url")]:
                        del t[k]
                t["updated_at"] = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                t["generated_timestamp"] = stamp
            self._dirty = True

    def add_tickets(self, n: int, organization_id: int | None = None) -> list[int]:
        rng = random.Random(len(self.sb.data.tickets))
        with self.sb.lock:
            stamp = self._stamp()
            start = max(self.sb.data.tickets, default=0) + 1
            now = datetime.fromtimestamp(stamp, UTC)
            orgs = list(self.sb.data.organizations)
            for tid in range(start, start + n):
                org = organization_id if organization_id is not None else rng.choice(orgs)
                self.sb.data.tickets[tid] = make_ticket(tid, "open", org, now, now, rng)
            self._dirty = True
            return list(range(start, start + n))


def _ts(value: str) -> int:
    """Seconds of an organization's ``updated_at`` (always ``YYYY-MM-DDTHH:MM:SSZ`` here). fromisoformat, not
    strptime: the export reads every organization's on every call, 100,000 of them in the benches (2 s, 0.1 s)."""
    if len(value) != 20 or value[10] != "T" or value[-1] != "Z":
        raise ValueError(f"not a Zendesk time stamp: {value!r}")
    return int(datetime.fromisoformat(value).timestamp())
