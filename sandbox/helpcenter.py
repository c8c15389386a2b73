"""Zendesk Help Center (Guide) emulation with its real rules.

Sources (Zendesk's API reference and help, checked before encoding each rule):

- Articles (developer.zendesk.com/api-reference/help_center/help-center-api/articles/): create needs
  title, locale, permission_group_id and user_segment_id (the last may be null); a create e-mails the
  section's subscribers unless the JSON's root (not the "article" object) has ``"notify_subscribers": false``
  (Create Article; zenpy #652 tested both); ``PUT /articles/{id}``
  changes metadata only and silently ignores title, body and draft, which go through translations;
  ``DELETE`` archives; article HTML is sanitised (script, ``on*`` attributes, ``javascript:`` URLs).
- Locales (``GET /api/v2/help_center/locales`` → ``{"locales": [...], "default_locale": ...}``): only
  enabled locales are accepted (``en-us``, not ``en``) when creating an article, a category, a section or
  any translation ("the locale you specify must be enabled in the current Help Center").
- Translations (…/help-center-api/translations/): categories and sections keep their name and
  description in translations (``title`` and ``body``): ``POST /categories/{id}/translations``,
  ``PUT …/translations/{locale}``, the same for sections.  Creating a translation whose locale exists is a
  400 ("must be different from any existing translation"); updating one that does not exist is a 404.
  ``PUT /categories/{id}`` and ``PUT /sections/{id}`` change metadata (position, category) and ignore
  name and description (csops issue 13, REFERENCE.md "Zendesk Help Center facts").
- "Any translated article must also have parent pages (section and category) translated in the same
  language" (Zendesk help 4707428787354): the public page ``/hc/{locale}/articles/{id}`` answers 404
  otherwise.  ``GET /api/v2/help_center/{locale}/articles`` lists each article's translation in that locale.
- Article attachments (…/help-center-api/article_attachments/): multipart, 20 MB each; ``inline`` is false by
  default (a block attachment, listed under the article; ``locale`` can only be set on inline ones); an inline
  attachment belongs to one article translation (its ``locale``), and one no longer embedded in that
  translation's body is deleted when the body is saved, so an image used by two articles (or two
  translations) must be attached to each. ``GET …/attachments/block`` lists the block ones,
  ``DELETE /api/v2/help_center/articles/attachments/{id}`` deletes one.
- Content blocks (…/help-center-api/content-blocks-limitations/): the Articles API returns a body with each
  content block converted to inline text and no trace of the block; a body written back has no placeholder for
  one, so the blocks are replaced by that text (unlinked); updating other properties leaves them.
- Guide limits (support.zendesk.com 4408831783962, "Guide product limits"): at most 25 content tags per article and
  200 per account; article attachments 20 MB each; 5 levels of sections (Enterprise). User segments
  (…/help-center-api/user_segments/): "users on Enterprise plans may specify an array of ids in the
  user_segment_ids property"; other plans set one ``user_segment_id``.
- Redirect Rules (…/help-center-api/redirect_rules/): ``POST /api/v2/guide/redirect_rules`` sets the rule for
  ``redirect_from`` (a path beginning with '/', an article's without its slug; created or updated, 204),
  ``redirect_to`` begins with https://, http:// or /, ``redirect_status`` one of 301 302 303 307 308; 50,000 per
  brand; a rule takes effect only where the URL answers 404 (an archived or deleted article).
- A request to a brand host may be redirected to the primary subdomain (``redirect_hosts``);
  requests drops the Authorization header on such a cross-host redirect.
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

from sandbox.web import json_response

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


def not_found() -> Response:
    return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)


def invalid(description: str) -> Response:
    return json_response({"error": "RecordInvalid", "description": description}, 400)


class HelpCenterAPI:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.ids = itertools.count(360_100_000_000)
        self.locales = ["ja", "en-us"]
        self.default_locale = "ja"
        self.redirect_hosts: set[str] = set()
        self.permission_groups = [{"id": 1524, "name": "Admins", "built_in": True},
                                  {"id": 1525, "name": "Agents and managers", "built_in": True}]
        self.user_segments = [{"id": 2001, "name": "Signed-in users", "user_type": "signed_in_users",
                               "built_in": True},
                              {"id": 2002, "name": "Agents and managers", "user_type": "staff", "built_in": True}]
        # Guide Enterprise: more than one user segment per article, nested sections.
        self.enterprise = False
        self.content_tags: dict[str, dict[str, Any]] = {}
        self.redirect_rules: dict[str, dict[str, Any]] = {}  # redirect_from → rule
        # Guide content blocks (name → HTML), and each translation body written through the API that replaced
        # the blocks it held with their text (article id, locale, block names).
        self.content_blocks: dict[str, str] = {}
        self.blocks_replaced: list[tuple[int, str, list[str]]] = []
        self.categories: dict[int, dict[str, Any]] = {}
        self.sections: dict[int, dict[str, Any]] = {}
        self.articles: dict[int, dict[str, Any]] = {}
        # Translations of categories, sections and articles: id → locale → {title, body, …}.
        self.translations: dict[int, dict[str, dict[str, Any]]] = {}
        self.attachments: dict[int, dict[str, Any]] = {}
        self.blobs: dict[int, bytes] = {}
        self.writes = 0
        # Create Article's root "notify_subscribers" as received (absent: None), and the articles whose creation
        # e-mailed the section's followers (it does unless the root says false; inside "article" it is ignored).
        self.notify_received: dict[int, Any] = {}
        self.notified: list[int] = []
        r = sb.route
        r("/api/v2/guide/permission_groups", "GET", self.list_permission_groups)
        r(f"{HC}/user_segments", "GET", self.list_user_segments)
        r(f"{HC}/locales", "GET", self.list_locales)
        r("/api/v2/guide/content_tags", ["GET", "POST"], self.content_tags_endpoint)
        r("/api/v2/guide/redirect_rules", ["GET", "POST"], self.redirect_rules_endpoint)
        r("/api/v2/guide/redirect_rules/<rule_id>", ["GET", "DELETE"], self.redirect_rule_endpoint)
        r(f"{HC}/categories", ["GET", "POST"], self.categories_endpoint)
        r(f"{HC}/categories/<int:cid>", ["GET", "PUT"], self.category_endpoint)
        r(f"{HC}/categories/<int:oid>/translations", ["GET", "POST"], self.container_translations)
        r(f"{HC}/categories/<int:oid>/translations/<locale>", ["GET", "PUT"], self.container_translation)
        r(f"{HC}/sections", "GET", self.list_sections)
        r(f"{HC}/categories/<int:cid>/sections", ["GET", "POST"], self.category_sections)
        r(f"{HC}/sections/<int:sid>", ["GET", "PUT"], self.section_endpoint)
        r(f"{HC}/sections/<int:oid>/translations", ["GET", "POST"], self.container_translations)
        r(f"{HC}/sections/<int:oid>/translations/<locale>", ["GET", "PUT"], self.container_translation)
        r(f"{HC}/articles", "GET", self.list_articles)
        r(f"{HC}/<locale>/articles", "GET", self.list_articles)
        r(f"{HC}/sections/<int:sid>/articles", ["GET", "POST"], self.section_articles)
        r(f"{HC}/articles/<int:aid>", ["GET", "PUT", "DELETE"], self.article_endpoint)
        r(f"{HC}/articles/<int:aid>/translations", ["GET", "POST"], self.article_translations)
        r(f"{HC}/articles/<int:aid>/translations/<locale>", ["GET", "PUT"], self.translation_endpoint)
        r(f"{HC}/articles/<int:aid>/attachments", ["GET", "POST"], self.article_attachments)
        r(f"{HC}/articles/<int:aid>/attachments/block", "GET", self.block_attachments)
        r(f"{HC}/articles/attachments/<int:att_id>", ["GET", "DELETE"], self.attachment_endpoint)
        r("/hc/article_attachments/<int:att_id>/<name>", "GET", self.attachment_content)
        r("/hc/<locale>/articles/<int:aid>", "GET", self.article_page)

    # -- helpers ------------------------------------------------------------
    def guard(self, request: Request) -> Response | None:
        host = request.host.rsplit(":", 1)[0]
        if host in self.redirect_hosts:  # a brand host: Zendesk answers with the primary subdomain
            port = request.host.rsplit(":", 1)[1] if ":" in request.host else "80"
            target = f"http://127.0.0.1:{port}{request.full_path.rstrip('?')}"
            return Response("", 301, headers={"Location": target})
        return self.sb.zendesk.guard(request)

    def _page(self, request: Request, items: list[dict[str, Any]], key: str) -> Response:
        size = min(int(request.args.get("page[size]", 30)), 100)
        after = int(request.args.get("page[after]", 0) or 0)
        items = sorted(items, key=lambda x: x["id"])
        start = next((i for i, x in enumerate(items) if x["id"] > after), len(items)) if after else 0
        page = items[start:start + size]
        has_more = start + size < len(items) or (self.sb.hostile_next is not None and bool(page))
        nxt = self.sb.next_link(request, f"page%5Bsize%5D={size}&page%5Bafter%5D={page[-1]['id']}") \
            if has_more and page else None
        return json_response({key: page, "meta": {"has_more": has_more,
                                                  "after_cursor": str(page[-1]["id"]) if page else None},
                              "links": {"next": nxt, "prev": None}})

    def _body(self, request: Request, key: str) -> dict[str, Any] | Response:
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict) or not isinstance(data.get(key), dict):
            return json_response({"error": "InvalidParameter", "description": f"{key} is required"}, 400)
        return dict(data[key])

    def _locale(self, body: dict[str, Any]) -> str | Response:
        """The request's locale (the Help Center's default when absent); 400 when it is not enabled."""
        loc = body.get("locale") or self.default_locale
        if loc not in self.locales:
            return json_response({"error": "InvalidLocale", "description": f"Locale {loc!r} is not enabled in this "
                                  f"Help Center (enabled: {', '.join(self.locales)})"}, 400)
        return str(loc)

    def _write(self) -> None:
        with self.sb.lock:
            self.writes += 1

    def _article_fields(self, body: dict[str, Any]) -> dict[str, Any] | Response:
        """The article metadata in a create or update, checked as Zendesk checks it: the section, permission group,
        user segments and content tags exist; user_segment_ids (an array) only on Guide Enterprise (at most 10)."""
        out: dict[str, Any] = {k: body[k] for k in ("label_names", "promoted", "position", "comments_disabled")
                               if k in body}
        if "section_id" in body:
            if body["section_id"] not in self.sections:
                return invalid("Section does not exist")
            out["section_id"] = body["section_id"]
        if "permission_group_id" in body:
            if body["permission_group_id"] not in {g["id"] for g in self.permission_groups}:
                return invalid("Permission group does not exist")
            out["permission_group_id"] = body["permission_group_id"]
        segments = self._segments(body)
        if isinstance(segments, Response):
            return segments
        if segments is not None:
            out["user_segment_ids"] = segments
            out["user_segment_id"] = segments[0] if len(segments) == 1 else None
        if "content_tag_ids" in body:
            tags = body["content_tag_ids"] or []
            if not isinstance(tags, list) or any(t not in self.content_tags for t in tags):
                return invalid("Content tags: must be ids of existing content tags")
            if len(set(tags)) > self.MAX_TAGS_PER_ARTICLE:
                return json_response({"error": "UnprocessableEntity", "description": (
                    f"content_tag_ids: at most {self.MAX_TAGS_PER_ARTICLE} content tags per article")}, 422)
            out["content_tag_ids"] = list(dict.fromkeys(tags))
        return out

    def _segments(self, body: dict[str, Any]) -> list[int] | Response | None:
        if "user_segment_ids" in body:
            ids = body["user_segment_ids"]
            if not isinstance(ids, list):
                return invalid("User segment ids: must be a list")
            if not self.enterprise:
                return json_response({"error": "UnprocessableEntity", "description": (
                    "user_segment_ids: an array of user segments per article requires Guide Enterprise; set "
                    "user_segment_id")}, 422)
        elif "user_segment_id" in body:
            ids = [] if body["user_segment_id"] is None else [body["user_segment_id"]]
        else:
            return None
        if any(i not in {s["id"] for s in self.user_segments} for i in ids):
            return invalid("User segment does not exist")
        if len(ids) > 10:
            return json_response({"error": "UnprocessableEntity",
                                  "description": "user_segment_ids: at most 10 user segments per article"}, 422)
        return list(dict.fromkeys(ids))

    def _article_view(self, a: dict[str, Any], request: Request, locale: str | None = None) -> dict[str, Any]:
        """Votes and outdated flags as the Articles API gives them: ``vote_sum`` is ups minus downs (each vote
        is +1 or -1), ``vote_count`` the number of votes, ``outdated`` deprecated and always false, and
        ``outdated_locales`` the locales whose translation an agent flagged as outdated (kb gaps reads them)."""
        loc = locale or a["source_locale"]
        tr = self.translations[a["id"]][loc]
        up, down = a.get("votes_up", 0), a.get("votes_down", 0)
        flagged = sorted(k for k, t in self.translations[a["id"]].items() if t.get("outdated"))
        return {**{k: v for k, v in a.items() if k not in ("votes_up", "votes_down")},
                "vote_sum": up - down, "vote_count": up + down, "outdated": False, "outdated_locales": flagged,
                "title": tr["title"], "body": tr["body"], "draft": tr["draft"], "locale": loc,
                "url": f"{request.host_url}api/v2/help_center/articles/{a['id']}.json",
                "html_url": f"{request.host_url}hc/{loc}/articles/{a['id']}"}

    # -- in-process mutations for tests and the demo: what readers and translators do -------------------
    def vote(self, article_id: int, up: int, down: int) -> None:
        with self.sb.lock:
            art = self.articles[article_id]
            art["votes_up"], art["votes_down"] = art.get("votes_up", 0) + up, art.get("votes_down", 0) + down

    def insert_content_block(self, article_id: int, locale: str, name: str, html: str) -> None:
        """A Guide editor inserts content block ``name`` into a translation (where csops' marker, if any, does not
        sit). The API gives the body with the block flattened into its text, with no trace of the block."""
        with self.sb.lock:
            self.content_blocks[name] = html
            tr = self.translations[article_id][locale]
            tr.setdefault("content_blocks", []).append(name)
            at = tr["body"].find('<span class="csops-source"')
            at = len(tr["body"]) if at < 0 else at
            tr["body"] = tr["body"][:at] + html + tr["body"][at:]

    def update_content_block(self, name: str, html: str) -> None:
        """Guide updates a content block: every article that uses it shows the new text."""
        with self.sb.lock:
            old = self.content_blocks[name]
            self.content_blocks[name] = html
            for trs in self.translations.values():
                for tr in trs.values():
                    if name in tr.get("content_blocks", []):
                        tr["body"] = tr["body"].replace(old, html)

    def flag_outdated(self, article_id: int, locale: str) -> None:
        with self.sb.lock:
            self.translations[article_id][locale]["outdated"] = True

    def _container_view(self, item: dict[str, Any]) -> dict[str, Any]:
        tr = self.translations[item["id"]][item["source_locale"]]
        return {**item, "name": tr["title"], "description": tr["body"], "locale": item["source_locale"]}

    def _new_container(self, store: dict[int, dict[str, Any]], body: dict[str, Any],
                       **extra: Any) -> dict[str, Any] | Response:
        if not body.get("name"):
            return invalid("Name: cannot be blank")
        loc = self._locale(body)
        if isinstance(loc, Response):
            return loc
        oid = next(self.ids)
        store[oid] = {"id": oid, "position": body.get("position", 0), "source_locale": loc, **extra,
                      "created_at": now(), "updated_at": now()}
        self.translations[oid] = {loc: {"locale": loc, "title": body["name"], "body": body.get("description") or "",
                                        "draft": False, "updated_at": now()}}
        self._write()
        return self._container_view(store[oid])

    # -- permission groups, user segments, locales --------------------------
    def list_permission_groups(self, request: Request, args: dict[str, Any]) -> Response:
        return self.guard(request) or self._page(request, self.permission_groups, "permission_groups")

    def list_user_segments(self, request: Request, args: dict[str, Any]) -> Response:
        return self.guard(request) or self._page(request, self.user_segments, "user_segments")

    def list_locales(self, request: Request, args: dict[str, Any]) -> Response:
        return self.guard(request) or json_response({"locales": list(self.locales),
                                                     "default_locale": self.default_locale})

    # -- content tags (Guide) -----------------------------------------------
    MAX_TAGS_PER_ARTICLE = 25
    MAX_TAGS_PER_ACCOUNT = 200

    def content_tags_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        """``GET /api/v2/guide/content_tags`` answers ``records`` with cursor ``meta`` (no links); ``POST`` takes
        ``{"content_tag": {"name"}}``; a name is unique (case-insensitively)."""
        denied = self.guard(request)
        if denied:
            return denied
        if request.method == "GET":
            prefix = request.args.get("filter[name_prefix]", "")
            tags = sorted((t for t in self.content_tags.values() if t["name"].startswith(prefix)),
                          key=lambda t: t["id"])
            size = min(int(request.args.get("page[size]", 30)), 100)
            after = request.args.get("page[after]")
            start = next((i + 1 for i, t in enumerate(tags) if t["id"] == after), 0) if after else 0
            page = tags[start:start + size]
            more = start + size < len(tags)
            return json_response({"records": page, "meta": {"has_more": more, "after_cursor": page[-1]["id"]
                                                            if more and page else None, "before_cursor": None}})
        body = self._body(request, "content_tag")
        if isinstance(body, Response):
            return body
        name = str(body.get("name") or "").strip()
        if not name:
            return invalid("Name: cannot be blank")
        if any(t["name"].lower() == name.lower() for t in self.content_tags.values()):
            return invalid("Name: has already been taken")
        if len(self.content_tags) >= self.MAX_TAGS_PER_ACCOUNT:
            return json_response({"error": "UnprocessableEntity", "description": (
                f"Content tags: at most {self.MAX_TAGS_PER_ACCOUNT} per account")}, 422)
        tag_id = f"01H{next(self.ids):023d}"
        self.content_tags[tag_id] = {"id": tag_id, "name": name, "created_at": now(), "updated_at": now()}
        self._write()
        return json_response({"content_tag": self.content_tags[tag_id]}, 201)

    # -- redirect rules (Guide) ---------------------------------------------
    REDIRECT_STATUSES = ("301", "302", "303", "307", "308")
    MAX_REDIRECT_RULES = 50_000  # per brand

    def redirect_rules_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        """``GET`` lists the rules (``records``, cursor ``meta``); ``POST`` sets the rule for ``redirect_from``
        (created, or its target and status updated) and answers 204 with no body."""
        denied = self.guard(request)
        if denied:
            return denied
        if request.method == "GET":
            prefix = request.args.get("filter[redirect_from_prefix]", "")
            rules = sorted((r for r in self.redirect_rules.values() if r["redirect_from"].startswith(prefix)),
                           key=lambda r: r["id"])
            return json_response({"records": rules, "meta": {"has_more": False, "after_cursor": None,
                                                             "before_cursor": None}})
        body = self._body(request, "redirect_rule")
        if isinstance(body, Response):
            return body
        problem = self._redirect_problem(body)
        if problem:
            return json_response({"errors": [{"code": "InvalidRedirectRule", "status": "400", "title": problem}]}, 400)
        source, status = str(body["redirect_from"]), str(body["redirect_status"])
        rule = self.redirect_rules.get(source)
        if rule is None:
            if len(self.redirect_rules) >= self.MAX_REDIRECT_RULES:
                return json_response({"errors": [{"code": "LimitExceeded", "status": "400",
                                                  "title": "50,000 redirect rules per brand"}]}, 400)
            rule = self.redirect_rules[source] = {"id": f"01R{next(self.ids):023d}", "brand_id": "1",
                                                  "redirect_from": source, "created_at": now()}
        rule.update({"redirect_to": body["redirect_to"], "redirect_status": status, "updated_at": now()})
        self._write()
        return Response("", 204)

    def _redirect_problem(self, body: dict[str, Any]) -> str | None:
        source, target, status = body.get("redirect_from"), body.get("redirect_to"), body.get("redirect_status")
        if not isinstance(source, str) or not source.startswith("/"):
            return "redirect_from: the path to redirect from must begin with '/'"
        if re.match(r"^/hc/[^/]+/(articles|sections|categories)/\d+-", source):
            return "redirect_from: omit the slug from the path (/hc/{locale}/articles/{id})"
        if not isinstance(target, str) or not target.startswith(("https://", "http://", "/")):
            return "redirect_to: must begin with 'https://', 'http://' or '/'"
        if str(status) not in self.REDIRECT_STATUSES:
            return f"redirect_status: allowed values are {', '.join(self.REDIRECT_STATUSES)}"
        return None

    def redirect_rule_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        rule = next((r for r in self.redirect_rules.values() if r["id"] == args["rule_id"]), None)
        if rule is None:
            return not_found()
        if request.method == "DELETE":
            del self.redirect_rules[rule["redirect_from"]]
            self._write()
            return Response("", 204)
        return json_response({"redirect_rule": rule})

    # -- categories and sections --------------------------------------------
    def categories_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if request.method == "GET":
            return self._page(request, [self._container_view(c) for c in self.categories.values()], "categories")
        body = self._body(request, "category")
        if isinstance(body, Response):
            return body
        made = self._new_container(self.categories, body)
        return made if isinstance(made, Response) else json_response({"category": made}, 201)

    def category_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        cat = self.categories.get(args["cid"])
        if cat is None:
            return not_found()
        if request.method == "PUT":
            body = self._body(request, "category")
            if isinstance(body, Response):
                return body
            if "position" in body:  # name and description are ignored here: they live in translations
                cat["position"] = body["position"]
            cat["updated_at"] = now()
            self._write()
        return json_response({"category": self._container_view(cat)})

    def list_sections(self, request: Request, args: dict[str, Any]) -> Response:
        return self.guard(request) or self._page(request, [self._container_view(s) for s in self.sections.values()],
                                                 "sections")

    def category_sections(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if args["cid"] not in self.categories:
            return not_found()
        if request.method == "GET":
            return self._page(request, [self._container_view(s) for s in self.sections.values()
                                        if s["category_id"] == args["cid"]], "sections")
        body = self._body(request, "section")
        if isinstance(body, Response):
            return body
        parent = self._parent(body, args["cid"], None)
        if isinstance(parent, Response):
            return parent
        made = self._new_container(self.sections, body, category_id=args["cid"], parent_section_id=parent)
        return made if isinstance(made, Response) else json_response({"section": made}, 201)

    def section_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        sec = self.sections.get(args["sid"])
        if sec is None:
            return not_found()
        if request.method == "PUT":
            body = self._body(request, "section")
            if isinstance(body, Response):
                return body
            if "parent_section_id" in body:
                parent = self._parent(body, body.get("category_id", sec["category_id"]), sec["id"])
                if isinstance(parent, Response):
                    return parent
                sec["parent_section_id"] = parent
            for k in ("position", "category_id"):  # name and description are ignored here
                if k in body:
                    sec[k] = body[k]
            sec["updated_at"] = now()
            self._write()
        return json_response({"section": self._container_view(sec)})

    def _parent(self, body: dict[str, Any], category_id: int, section_id: int | None) -> int | Response | None:
        """``parent_section_id``: writable only on Guide Enterprise (422 otherwise); a section of the same category,
        not the section itself nor one nested in it."""
        parent = body.get("parent_section_id")
        if parent is None:
            return None
        if not self.enterprise:
            return json_response({"error": "UnprocessableEntity", "description": (
                "parent_section_id: nested sections are only writable for Guide Enterprise")}, 422)
        seen = parent
        while seen is not None:
            if seen == section_id or seen not in self.sections:
                return invalid("Parent section: must be another section of the same category")
            seen = self.sections[seen].get("parent_section_id")
        if self.sections[parent]["category_id"] != category_id:
            return invalid("Parent section: must be another section of the same category")
        if self._level(parent) + 1 + (self._height(section_id) if section_id is not None else 0) > self.MAX_LEVELS:
            return json_response({"error": "UnprocessableEntity", "description": (
                f"parent_section_id: at most {self.MAX_LEVELS} levels of sections")}, 422)
        return int(parent)

    MAX_LEVELS = 5  # levels of sections (Guide limits)

    def _level(self, section_id: int) -> int:
        """1 for a section of a category, 2 for one nested in it, …"""
        parent = self.sections[section_id].get("parent_section_id")
        return 1 if parent is None else 1 + self._level(parent)

    def _height(self, section_id: int) -> int:
        """How many levels the sections nested in ``section_id`` add below it (0: none)."""
        children = [s for s, sec in self.sections.items() if sec.get("parent_section_id") == section_id]
        return max((1 + self._height(c) for c in children), default=0)

    def _container(self, request: Request, oid: int) -> dict[str, Any] | None:
        store = self.categories if "/categories/" in request.path else self.sections
        return store.get(oid)

    def container_translations(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if self._container(request, args["oid"]) is None:
            return not_found()
        trs = self.translations[args["oid"]]
        if request.method == "GET":
            return json_response({"translations": [{"id": hash((args["oid"], loc)) & 0xFFFFFFF, **t}
                                                   for loc, t in trs.items()],
                                  "meta": {"has_more": False}, "links": {"next": None}})
        return self._create_translation(request, trs)

    def container_translation(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        item = self._container(request, args["oid"])
        tr = self.translations[args["oid"]].get(args["locale"]) if item is not None else None
        if tr is None:
            return not_found()
        if request.method == "PUT":
            body = self._body(request, "translation")
            if isinstance(body, Response):
                return body
            for k in ("title", "body"):
                if k in body:
                    tr[k] = body[k] or ""
            tr["updated_at"] = now()
            self._write()
        return json_response({"translation": tr})

    def _create_translation(self, request: Request, trs: dict[str, dict[str, Any]],
                            article_id: int | None = None) -> Response:
        body = self._body(request, "translation")
        if isinstance(body, Response):
            return body
        if not body.get("locale"):
            return invalid("Locale: cannot be blank")
        loc = self._locale(body)
        if isinstance(loc, Response):
            return loc
        if loc in trs:
            return invalid("Locale: has already been taken")
        if not body.get("title"):
            return invalid("Title: cannot be blank")
        html = sanitize(body.get("body") or "") if article_id is not None else body.get("body") or ""
        trs[loc] = {"locale": loc, "title": body["title"], "body": html, "draft": bool(body.get("draft", False)),
                    "updated_at": now()}
        if article_id is not None:
            self._drop_unembedded(article_id, loc)
        self._write()
        return json_response({"translation": trs[loc]}, 201)

    # -- articles -----------------------------------------------------------
    def list_articles(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        loc = args.get("locale")
        if loc is not None and loc not in self.locales:
            return not_found()
        live = [self._article_view(a, request, loc) for a in self.articles.values()
                if not a["archived"] and (loc is None or loc in self.translations[a["id"]])]
        return self._page(request, live, "articles")

    def section_articles(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if args["sid"] not in self.sections:
            return not_found()
        if request.method == "GET":
            return self._page(request, [self._article_view(a, request) for a in self.articles.values()
                                        if a["section_id"] == args["sid"] and not a["archived"]], "articles")
        body = self._body(request, "article")
        if isinstance(body, Response):
            return body
        root = request.get_json(force=True, silent=True) or {}
        problems = []
        if not body.get("title"):
            problems.append("Title: cannot be blank")
        if "user_segment_id" not in body and "user_segment_ids" not in body:
            problems.append("You must provide user_segment_id. Set to 'null' to make it visible to everyone")
        if "permission_group_id" not in body:
            problems.append("You must provide permission_group_id.")
        if problems:
            return invalid(" ".join(problems))
        fields = self._article_fields(body)
        if isinstance(fields, Response):
            return fields
        locale = self._locale(body)
        if isinstance(locale, Response):
            return locale
        aid = next(self.ids)
        self.articles[aid] = {"id": aid, "section_id": args["sid"], "source_locale": locale, "label_names": [],
                              "promoted": False, "position": 0, "comments_disabled": False, "content_tag_ids": [],
                              "user_segment_ids": [], **fields, "archived": False,
                              "created_at": now(), "updated_at": now(), "edited_at": now()}
        self.translations[aid] = {locale: {"locale": locale, "title": body["title"],
                                           "body": sanitize(body.get("body") or ""),
                                           "draft": bool(body.get("draft", False)), "updated_at": now()}}
        self.notify_received[aid] = root.get("notify_subscribers")
        if root.get("notify_subscribers") is not False:
            self.notified.append(aid)
        self._write()
        return json_response({"article": self._article_view(self.articles[aid], request)}, 201)

    def article_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        art = self.articles.get(args["aid"])
        if art is None or (art["archived"] and request.method != "GET"):
            return not_found()
        if request.method == "DELETE":
            art["archived"] = True
            self._write()
            return Response("", 204)
        if request.method == "PUT":
            body = self._body(request, "article")
            if isinstance(body, Response):
                return body
            # Zendesk: metadata only; title, body and draft are silently ignored here (still 200).
            fields = self._article_fields(body)
            if isinstance(fields, Response):
                return fields
            art.update(fields)
            art["updated_at"] = now()
            self._write()
        return json_response({"article": self._article_view(art, request)})

    def article_translations(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        if args["aid"] not in self.articles:
            return not_found()
        trs = self.translations[args["aid"]]
        if request.method == "GET":
            items = [{"id": hash((args["aid"], loc)) & 0xFFFFFFF, **t} for loc, t in trs.items()]
            return json_response({"translations": items, "meta": {"has_more": False}, "links": {"next": None}})
        return self._create_translation(request, trs, args["aid"])

    def translation_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        trs = self.translations.get(args["aid"])
        if trs is None or args["aid"] not in self.articles or args["locale"] not in trs:
            return not_found()
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
                if tr.get("content_blocks"):  # the API has no placeholder for a block: it is replaced by text
                    self.blocks_replaced.append((args["aid"], args["locale"], tr.pop("content_blocks")))
                self._drop_unembedded(args["aid"], args["locale"])
            tr["updated_at"] = now()
            self.articles[args["aid"]]["edited_at"] = now()
            self._write()
        return json_response({"translation": tr})

    def article_page(self, request: Request, args: dict[str, Any]) -> Response:
        """The public page: shown only when the article, its section and its category are in that locale."""
        art = self.articles.get(args["aid"])
        loc = args["locale"]
        if art is None or art["archived"]:  # a redirect rule applies to a URL that would answer 404
            rule = self.redirect_rules.get(f"/hc/{loc}/articles/{args['aid']}")
            if rule is not None:
                return Response("", int(rule["redirect_status"]), headers={"Location": rule["redirect_to"]})
        if art is None or art["archived"] or loc not in self.locales:
            return not_found()
        sec = self.sections.get(art["section_id"])
        cat = self.categories.get(sec["category_id"]) if sec else None
        tr = self.translations[art["id"]].get(loc)
        if tr is None or tr["draft"] or sec is None or cat is None or loc not in self.translations[sec["id"]] \
                or loc not in self.translations[cat["id"]]:
            return not_found()
        files = "".join(f'<li><a href="{a["content_url"]}">{a["file_name"]}</a></li>'
                        for a in self.attachments.values() if a["article_id"] == art["id"] and not a["inline"])
        listing = f'<ul class="attachments">{files}</ul>' if files else ""
        return Response(f"<html><body><h1>{tr['title']}</h1>{tr['body']}{listing}</body></html>", 200,
                        content_type="text/html; charset=utf-8")

    # -- attachments --------------------------------------------------------
    def _drop_unembedded(self, article_id: int, locale: str) -> None:
        """Zendesk deletes an inline attachment of a translation whose body no longer embeds it."""
        body = self.translations[article_id][locale]["body"]
        for att_id, att in list(self.attachments.items()):
            if att["article_id"] == article_id and att["inline"] and att["locale"] == locale \
                    and f"/hc/article_attachments/{att_id}/" not in body:
                del self.attachments[att_id]
                self.blobs.pop(att_id, None)

    def article_attachments(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        art = self.articles.get(args["aid"])
        if art is None:
            return not_found()
        if request.method == "GET":
            items = [a for a in self.attachments.values() if a["article_id"] == args["aid"]]
            return json_response({"article_attachments": items})
        upload = request.files.get("file")
        if upload is None:
            return json_response({"error": "InvalidParameter", "description": "file is required (multipart)"}, 400)
        data = upload.read()
        if len(data) > 20 * 1024 * 1024:
            return json_response({"error": "FileTooLarge", "description": "20 MB per file"}, 413)
        inline = request.form.get("inline", "false") == "true"  # false by default: a block attachment
        if not inline and request.form.get("locale"):
            return invalid("Locale: can only be set on inline attachments")
        locale = request.form.get("locale") or art["source_locale"]
        if locale not in self.locales:
            return invalid(f"Locale {locale!r} is not enabled")
        att_id = next(self.ids)
        name = upload.filename or "file"
        self.attachments[att_id] = {
            "id": att_id, "article_id": args["aid"], "file_name": name, "size": len(data), "inline": inline,
            "locale": locale if inline else None, "content_type": upload.mimetype or "application/octet-stream",
            "content_url": f"{request.host_url}hc/article_attachments/{att_id}/{name}",
            "sha256": hashlib.sha256(data).hexdigest(), "created_at": now()}
        self.blobs[att_id] = data
        self._write()
        return json_response({"article_attachment": self.attachments[att_id]}, 201)

    def block_attachments(self, request: Request, args: dict[str, Any]) -> Response:
        """The article's block attachments: those not inline, listed under the article."""
        denied = self.guard(request)
        if denied:
            return denied
        if args["aid"] not in self.articles:
            return not_found()
        return json_response({"article_attachments": [a for a in self.attachments.values()
                                                      if a["article_id"] == args["aid"] and not a["inline"]]})

    def attachment_endpoint(self, request: Request, args: dict[str, Any]) -> Response:
        denied = self.guard(request)
        if denied:
            return denied
        att = self.attachments.get(args["att_id"])
        if att is None:
            return not_found()
        if request.method == "DELETE":
            del self.attachments[args["att_id"]]
            self.blobs.pop(args["att_id"], None)
            self._write()
            return Response("", 204)
        return json_response({"article_attachment": att})

    def attachment_content(self, request: Request, args: dict[str, Any]) -> Response:
        att = self.attachments.get(args["att_id"])
        if att is None:
            return json_response({"error": "RecordNotFound"}, 404)
        return Response(self.blobs[args["att_id"]], 200, content_type=att["content_type"])
