"""Zendesk Help Center (Guide) emulation with its real rules.

Create needs title, locale, permission_group_id and user_segment_id (the last
may be null); ``PUT /articles/{id}`` changes metadata only and silently
ignores title, body and draft, which go through translations; ``DELETE``
archives; attachments are multipart; article HTML is sanitised (script,
``on*`` attributes, ``javascript:`` URLs removed).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from sandbox.server import Sandbox

from sandbox.server import json_response

HC = "/api/v2/help_center"
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ON_ATTR = re.compile(r"""\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_JS_URL = re.compile(r"""(\s(?:href|src)\s*=\s*)(["']?)\s*javascript:[^"'\s>]*\2""", re.IGNORECASE)
_DISALLOWED = re.compile(r"</?(?:form|input|button|object|embed|svg|math|link|meta|base)\b[^>]*>", re.IGNORECASE)


def sanitize(html: str) -> str:
    html = _SCRIPT.sub("", html)
    html = _ON_ATTR.sub("", html)
    html = _JS_URL.sub(r"\1\2\2", html)
    return _DISALLOWED.sub("", html)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class HelpCenterAPI:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.ids = itertools.count(360_100_000_000)
        self.permission_groups = [{"id": 1524, "name": "Admins", "built_in": True},
                                  {"id": 1525, "name": "Agents and managers", "built_in": True}]
        self.user_segments = [{"id": 2001, "name": "Signed-in users", "user_type": "signed_in_users"},
                              {"id": 2002, "name": "Agents and managers", "user_type": "staff"}]
        self.categories: dict[int, dict[str, Any]] = {}
        self.sections: dict[int, dict[str, Any]] = {}
        self.articles: dict[int, dict[str, Any]] = {}
        self.translations: dict[int, dict[str, dict[str, Any]]] = {}
        self.attachments: dict[int, dict[str, Any]] = {}
        self.blobs: dict[int, bytes] = {}
        self.writes = 0
        r = sb.route
        r("/api/v2/guide/permission_groups", "GET", self.list_permission_groups)
        r(f"{HC}/user_segments", "GET", self.list_user_segments)
        r(f"{HC}/categories", ["GET", "POST"], self.categories_endpoint)
        r(f"{HC}/categories/<int:cid>", ["GET", "PUT"], self.category_endpoint)
        r(f"{HC}/sections", "GET", self.list_sections)
        r(f"{HC}/categories/<int:cid>/sections", ["GET", "POST"], self.category_sections)
        r(f"{HC}/sections/<int:sid>", ["GET", "PUT"], self.section_endpoint)
        r(f"{HC}/articles", "GET", self.list_articles)
        r(f"{HC}/sections/<int:sid>/articles", ["GET", "POST"], self.section_articles)
        r(f"{HC}/articles/<int:aid>", ["GET", "PUT", "DELETE"], self.article_endpoint)
        r(f"{HC}/articles/<int:aid>/translations", ["GET", "POST"], self.article_translations)
        r(f"{HC}/articles/<int:aid>/translations/<locale>", ["GET", "PUT"], self.translation_endpoint)
        r(f"{HC}/articles/<int:aid>/attachments", ["GET", "POST"], self.article_attachments)
        r("/hc/article_attachments/<int:att_id>/<name>", "GET", self.attachment_content)

    # -- helpers ------------------------------------------------------------
    def guard(self, request: Request) -> Response | None:
        return self.sb.zendesk.guard(request)

    def _page(self, request: Request, items: list[dict[str, Any]], key: str) -> Response:
        size = min(int(request.args.get("page[size]", 30)), 100)
        after = int(request.args.get("page[after]", 0) or 0)
        items = sorted(items, key=lambda x: x["id"])
        start = next((i for i, x in enumerate(items) if x["id"] > after), len(items)) if after else 0
        page = items[start:start + size]
        has_more = start + size < len(items)
        base = request.host_url.rstrip("/") + request.path
        nxt = f"{base}?page%5Bsize%5D={size}&page%5Bafter%5D={page[-1]['id']}" if has_more and page else None
        return json_response({key: page, "meta": {"has_more": has_more,
                                                  "after_cursor": str(page[-1]["id"]) if page else None},
                              "links": {"next": nxt, "prev": None}})

    def _body(self, request: Request, key: str) -> dict[str, Any] | Response:
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict) or not isinstance(data.get(key), dict):
            return json_response({"error": "InvalidParameter", "description": f"{key} is required"}, 400)
        return dict(data[key])

    def _write(self) -> None:
        with self.sb.lock:
            self.writes += 1

    def _article_view(self, a: dict[str, Any], request: Request) -> dict[str, Any]:
        tr = self.translations[a["id"]][a["source_locale"]]
        return {**a, "title": tr["title"], "body": tr["body"], "draft": tr["draft"], "locale": a["source_locale"],
                "url": f"{request.host_url}api/v2/help_center/articles/{a['id']}.json",
                "html_url": f"{request.host_url}hc/{a['source_locale']}/articles/{a['id']}"}

    # -- permission groups and user segments --------------------------------
    def list_permission_groups(self, request: Request, args: dict[str, Any]) -> Response:
        return self.guard(request) or self._page(request, self.permission_groups, "permission_groups")

    def list_user_segments(self, request: Request, args: dict[str, Any]) -> Response:
        return self.guard(request) or self._page(request, self.user_segments, "user_segments")

    # -- categories and sections --------------------------------------------
    def categories_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if request.method == "GET":
            return self._page(request, list(self.categories.values()), "categories")
        body = self._body(request, "category")
        if isinstance(body, Response):
            return body
        if not body.get("name"):
            return json_response({"error": "RecordInvalid", "description": "Name: cannot be blank"}, 400)
        cid = next(self.ids)
        self.categories[cid] = {"id": cid, "name": body["name"], "description": body.get("description", ""),
                                "position": body.get("position", 0), "locale": body.get("locale", "ja"),
                                "source_locale": body.get("locale", "ja"), "created_at": now(), "updated_at": now()}
        self._write()
        return json_response({"category": self.categories[cid]}, 201)

    def category_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        cat = self.categories.get(args["cid"])
        if cat is None:
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        if request.method == "PUT":
            body = self._body(request, "category")
            if isinstance(body, Response):
                return body
            for k in ("name", "description", "position"):
                if k in body:
                    cat[k] = body[k]
            cat["updated_at"] = now()
            self._write()
        return json_response({"category": cat})

    def list_sections(self, request: Request, args: dict[str, Any]) -> Response:
        return self.guard(request) or self._page(request, list(self.sections.values()), "sections")

    def category_sections(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if args["cid"] not in self.categories:
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        if request.method == "GET":
            return self._page(request, [s for s in self.sections.values() if s["category_id"] == args["cid"]],
                              "sections")
        body = self._body(request, "section")
        if isinstance(body, Response):
            return body
        sid = next(self.ids)
        self.sections[sid] = {"id": sid, "category_id": args["cid"], "name": body.get("name", ""),
                              "description": body.get("description", ""), "position": body.get("position", 0),
                              "locale": body.get("locale", "ja"), "created_at": now(), "updated_at": now()}
        self._write()
        return json_response({"section": self.sections[sid]}, 201)

    def section_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        sec = self.sections.get(args["sid"])
        if sec is None:
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        if request.method == "PUT":
            body = self._body(request, "section")
            if isinstance(body, Response):
                return body
            for k in ("name", "description", "position", "category_id"):
                if k in body:
                    sec[k] = body[k]
            sec["updated_at"] = now()
            self._write()
        return json_response({"section": sec})

    # -- articles -----------------------------------------------------------
    def list_articles(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        live = [self._article_view(a, request) for a in self.articles.values() if not a["archived"]]
        return self._page(request, live, "articles")

    def section_articles(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if args["sid"] not in self.sections:
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        if request.method == "GET":
            return self._page(request, [self._article_view(a, request) for a in self.articles.values()
                                        if a["section_id"] == args["sid"] and not a["archived"]], "articles")
        body = self._body(request, "article")
        if isinstance(body, Response):
            return body
        problems = []
        if not body.get("title"):
            problems.append("Title: cannot be blank")
        if "user_segment_id" not in body and "user_segment_ids" not in body:
            problems.append("You must provide user_segment_id. Set to 'null' to make it visible to everyone")
        if "permission_group_id" not in body:
            problems.append("You must provide permission_group_id.")
        elif body["permission_group_id"] not in {g["id"] for g in self.permission_groups}:
            problems.append("Permission group does not exist")
        if problems:
            return json_response({"error": "RecordInvalid", "description": " ".join(problems)}, 400)
        aid = next(self.ids)
        locale = body.get("locale", "ja")
        self.articles[aid] = {"id": aid, "section_id": args["sid"], "source_locale": locale,
                              "label_names": list(body.get("label_names") or []),
                              "promoted": bool(body.get("promoted", False)), "position": body.get("position", 0),
                              "permission_group_id": body["permission_group_id"],
                              "user_segment_id": body.get("user_segment_id"), "archived": False,
                              "created_at": now(), "updated_at": now(), "edited_at": now()}
        self.translations[aid] = {locale: {"locale": locale, "title": body["title"],
                                           "body": sanitize(body.get("body") or ""),
                                           "draft": bool(body.get("draft", False)), "updated_at": now()}}
        self._write()
        return json_response({"article": self._article_view(self.articles[aid], request)}, 201)

    def article_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        art = self.articles.get(args["aid"])
        if art is None or (art["archived"] and request.method != "GET"):
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        if request.method == "DELETE":
            art["archived"] = True
            self._write()
            return Response("", 204)
        if request.method == "PUT":
            body = self._body(request, "article")
            if isinstance(body, Response):
                return body
            # Zendesk: metadata only; title, body and draft are silently ignored here (still 200).
            for k in ("section_id", "label_names", "promoted", "position", "permission_group_id",
                      "user_segment_id"):
                if k in body:
                    art[k] = body[k]
            art["updated_at"] = now()
            self._write()
        return json_response({"article": self._article_view(art, request)})

    def article_translations(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if args["aid"] not in self.articles:
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        trs = self.translations[args["aid"]]
        if request.method == "GET":
            items = [{"id": hash((args["aid"], loc)) & 0xFFFFFFF, **t} for loc, t in trs.items()]
            return json_response({"translations": items, "meta": {"has_more": False}, "links": {"next": None}})
        body = self._body(request, "translation")
        if isinstance(body, Response):
            return body
        loc = body.get("locale")
        if not loc or loc in trs:
            return json_response({"error": "RecordInvalid", "description": "Locale: has already been taken"
                                  if loc else "Locale: cannot be blank"}, 400)
        trs[loc] = {"locale": loc, "title": body.get("title", ""), "body": sanitize(body.get("body") or ""),
                    "draft": bool(body.get("draft", False)), "updated_at": now()}
        self._write()
        return json_response({"translation": trs[loc]}, 201)

    def translation_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        trs = self.translations.get(args["aid"])
        if trs is None or args["locale"] not in trs:
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        tr = trs[args["locale"]]
        if request.method == "PUT":
            body = self._body(request, "translation")
            if isinstance(body, Response):
                return body
            for k in ("title", "draft"):
                if k in body:
                    tr[k] = body[k]
            if "body" in body:
                tr["body"] = sanitize(body["body"] or "")
            tr["updated_at"] = now()
            self.articles[args["aid"]]["edited_at"] = now()
            self._write()
        return json_response({"translation": tr})

    # -- attachments --------------------------------------------------------
    def article_attachments(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if args["aid"] not in self.articles:
            return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)
        if request.method == "GET":
            items = [a for a in self.attachments.values() if a["article_id"] == args["aid"]]
            return json_response({"article_attachments": items})
        upload = request.files.get("file")
        if upload is None:
            return json_response({"error": "InvalidParameter", "description": "file is required (multipart)"}, 400)
        data = upload.read()
        if len(data) > 20 * 1024 * 1024:
            return json_response({"error": "FileTooLarge", "description": "20 MB per file"}, 413)
        att_id = next(self.ids)
        name = upload.filename or "file"
        self.attachments[att_id] = {
            "id": att_id, "article_id": args["aid"], "file_name": name, "size": len(data),
            "inline": request.form.get("inline", "false") == "true",
            "content_type": upload.mimetype or "application/octet-stream",
            "content_url": f"{request.host_url}hc/article_attachments/{att_id}/{name}",
            "sha256": hashlib.sha256(data).hexdigest(), "created_at": now()}
        self.blobs[att_id] = data
        self._write()
        return json_response({"article_attachment": self.attachments[att_id]}, 201)

    def attachment_content(self, request: Request, args: dict[str, Any]) -> Response:
        att = self.attachments.get(args["att_id"])
        if att is None:
            return json_response({"error": "RecordNotFound"}, 404)
        return Response(self.blobs[args["att_id"]], 200, content_type=att["content_type"])
