"""Zendesk Support and Help Center over the one HTTP policy.

Tickets come only from the cursor-based incremental export (the time-based one
duplicates records at page boundaries and can loop forever); lists use cursor
pagination.  Each page is handed to the caller with the cursor that follows it
so the caller can store both in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from base.redact import redact, secret_field
from connectors.http import (
    AuthenticationFailed,
    CallStats,
    OffOrigin,
    PolicySession,
    RequestRejected,
    RetryPolicy,
    origin,
    show_origin,
)
from connectors.zendesk_auth import (
    AUTH_MODES,
    DEFAULT_SCOPE,
    ApiTokenAuth,
    BearerAuth,
    ClientCredentialsAuth,
    RefreshTokenAuth,
    TokenEndpoint,
    TokenFile,
    ZendeskAuth,
    check_api_token_date,
    warn_api_token,
)

EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
ORG_EXPORT_PATH = "/api/v2/incremental/organizations.json"
log = logging.getLogger("csops.zendesk")


@dataclass
class ZendeskConfig:
    subdomain: str | None = None
    base_url: str | None = None
    auth: str | None = None
    client_id: str | None = None
    client_secret: str | None = secret_field()  # type: ignore[assignment]
    scope: str | None = None
    email: str | None = None
    api_token: str | None = secret_field()  # type: ignore[assignment]
    oauth_token: str | None = secret_field()  # type: ignore[assignment]
    account_link: str = "external_id"
    start_date: str | None = None
    timeout_seconds: float = 60.0
    store_ticket_text: bool = True

    @property
    def configured(self) -> bool:
        return bool(self.base_url or self.subdomain)

    @property
    def url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        return f"https://{self.subdomain}.zendesk.com"

    def auth_mode(self) -> str:
        """``zendesk.auth``, or inferred from the keys that are set (as ``salesforce.auth`` is)."""
        if self.auth:
            return self.auth
        if self.oauth_token:
            return "bearer"
        if self.client_id:
            return "client_credentials" if self.client_secret else "oauth"
        if self.email or self.api_token:
            return "api_token"
        return "client_credentials"

    @property
    def scopes(self) -> str:
        return " ".join((self.scope or DEFAULT_SCOPE).split())


def zendesk_auth(cfg: ZendeskConfig, policy: RetryPolicy | None = None, stats: CallStats | None = None,
                 token_file: Path | None = None, today: date | None = None) -> ZendeskAuth:
    """The one auth object of a run for ``cfg`` (``token_file``: where ``oauth`` keeps its refresh token)."""
    mode = cfg.auth_mode()
    if mode == "bearer" and cfg.oauth_token:
        return BearerAuth(cfg.oauth_token)
    if mode == "api_token" and cfg.email and cfg.api_token:
        check_api_token_date(today or datetime.now(UTC).date())
        warn_api_token()
        return ApiTokenAuth(cfg.email, cfg.api_token)
    if mode == "client_credentials" and cfg.client_id and cfg.client_secret:
        endpoint = TokenEndpoint(cfg.url, policy, stats, retry_lost_answer=True)
        return ClientCredentialsAuth(endpoint, cfg.client_id, cfg.client_secret, cfg.scopes)
    if mode == "oauth" and cfg.client_id and token_file is not None:
        return RefreshTokenAuth(TokenEndpoint(cfg.url, policy, stats), cfg.client_id, cfg.client_secret,
                                TokenFile(token_file))
    needs = {"bearer": "zendesk.oauth_token", "api_token": "zendesk.email and zendesk.api_token",
             "client_credentials": "zendesk.client_id and zendesk.client_secret",
             "oauth": "zendesk.client_id (and csops auth zendesk)"}.get(mode)
    if needs is None:
        raise AuthenticationFailed(f"zendesk.auth: unknown mode '{mode}'; one of {', '.join(AUTH_MODES)}")
    raise AuthenticationFailed(f"zendesk: auth '{mode}' needs {needs} in csops.yaml")


def scope_resource(path: str) -> str | None:
    """The Zendesk scope resource a path belongs to (``hc`` for the Help Center), None for the token itself."""
    if path.startswith(("/api/v2/help_center", "/api/v2/guide", "/hc/")):
        return "hc"
    for resource in ("tickets", "organizations", "users"):
        if path.startswith((f"/api/v2/{resource}", f"/api/v2/incremental/{resource}")):
            return resource
    return None if path.startswith("/api/v2/oauth/tokens/current") else "other"


def needed_scope(method: str, path: str) -> str:
    access = "read" if method.upper() in ("GET", "HEAD") else "write"
    resource = scope_resource(path)
    return f"{access} or {resource}:{access}" if resource and resource != "other" else access


def scope_allows(scopes: Iterable[str], method: str, path: str) -> bool:
    """Whether a token with ``scopes`` may send ``method`` to ``path`` (Zendesk: "read", "write", or one
    resource's "tickets:read", "hc:write"…)."""
    resource = scope_resource(path)
    if resource is None:
        return True
    access = "read" if method.upper() in ("GET", "HEAD") else "write"
    return access in scopes or f"{resource}:{access}" in scopes


@dataclass
class OrganizationPage:
    """One page of the organization export and the ``start_time`` that follows it (None: keep the old one)."""

    organizations: list[dict[str, Any]]
    end_time: int | None
    end_of_stream: bool
    listed: bool = False


@dataclass
class TicketPage:
    tickets: list[dict[str, Any]]
    after_cursor: str | None
    end_of_stream: bool


@dataclass
class ZendeskClient:
    """The Support and Help Center API; ``auth`` (shared by every client of a run) signs each request."""

    config: ZendeskConfig
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    stats: CallStats | None = None
    auth: ZendeskAuth | None = None
    session: PolicySession = field(init=False)

    def __post_init__(self) -> None:
        cfg = self.config
        if not cfg.configured:
            raise AuthenticationFailed("zendesk: set zendesk.subdomain or zendesk.base_url in csops.yaml")
        policy = RetryPolicy(**{**self.policy.__dict__, "read_timeout": cfg.timeout_seconds})
        if self.auth is None:
            self.auth = zendesk_auth(cfg, policy, self.stats)
        self.session = PolicySession("zendesk", policy, self.stats, origins=[cfg.url])
        self.session.auth = self.auth
        self.session.headers["Accept"] = "application/json"

    @property
    def base_url(self) -> str:
        return self.config.url

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.base_url + path_or_url

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        url = self.url(path_or_url)
        resp = self._send(method, url, **kwargs)
        assert self.auth is not None
        if resp.status_code == 401 and self.auth.renew(resp.request.headers.get("Authorization")):
            resp.close()
            resp = self._send(method, url, **kwargs)  # once: Zendesk acted on nothing it answered 401 to
        return self._decode(resp, method, url)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, **kwargs)
        except OffOrigin as exc:
            if exc.redirect and exc.source == show_origin(origin(self.base_url)):
                raise AuthenticationFailed(
                    f"zendesk: {exc.source} redirects to {exc.target}, and the credentials are not sent across "
                    f"hosts: set zendesk.base_url to {exc.target} (a brand's address belongs in kb.brand_url)"
                ) from None
            raise

    def get(self, path_or_url: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path_or_url, params=params)

    def _decode(self, resp: requests.Response, method: str, url: str) -> Any:
        path = urlsplit(url).path
        assert self.auth is not None
        if resp.status_code == 401:
            raise AuthenticationFailed(f"zendesk: {self.base_url} refused the credentials (401, "
                                       f"zendesk.auth {self.auth.mode}) — {self.auth.refused_hint()}")
        if resp.status_code == 403:
            raise RequestRejected(f"zendesk: {method} {path} forbidden (403): {self._forbidden_hint(method, path)}: "
                                  f"{redact(resp.text[:200])}", 403, resp.text)
        if resp.status_code >= 400:
            raise RequestRejected(f"zendesk: {method} {path} failed ({resp.status_code}): "
                                  f"{redact(resp.text[:300])}", resp.status_code, resp.text)
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise RequestRejected(
                f"zendesk: {method} {path} answered {resp.status_code} with non-JSON content "
                f"({resp.headers.get('Content-Type', 'no content type')}): is zendesk.base_url "
                f"({self.base_url}) a Zendesk instance?", resp.status_code) from None

    def _forbidden_hint(self, method: str, path: str) -> str:
        """A token whose scope lacks what the request needs says so; otherwise it is the user's permission."""
        granted = self.auth.granted if self.auth else None
        if granted and granted.scopes and not scope_allows(granted.scopes, method, path):
            return (f"the access token's scope ({' '.join(granted.scopes)}) does not allow it: set zendesk.scope "
                    f"(it needs {needed_scope(method, path)})")
        return "the user lacks permission"

    # -- Support --------------------------------------------------------------
    def me(self) -> dict[str, Any]:
        data = self.get("/api/v2/users/me.json")
        user = (data or {}).get("user") or {}
        if not user.get("id"):
            raise AuthenticationFailed(f"zendesk: {self.base_url} treated the request as anonymous: "
                                       "check the credentials")
        return dict(user)

    def export_tickets(self, start_time: int | None = None, cursor: str | None = None,
                       per_page: int = 1000) -> Iterator[TicketPage]:
        """Pages of the cursor export: ``start_time`` on the first call only, then ``cursor``."""
        if cursor is None and start_time is None:
            raise ValueError("export_tickets needs start_time or cursor")
        params: dict[str, Any] = {"per_page": per_page}
        if cursor is not None:
            params["cursor"] = cursor
        else:
            params["start_time"] = start_time
        while True:
            data = self.get(EXPORT_PATH, params)
            page = TicketPage(tickets=data.get("tickets") or [], after_cursor=data.get("after_cursor"),
                              end_of_stream=bool(data.get("end_of_stream")))
            yield page
            if page.end_of_stream or not page.after_cursor:
                return
            params = {"per_page": per_page, "cursor": page.after_cursor}

    def paginate(self, path: str, key: str, page_size: int = 100,
                 params: dict[str, Any] | None = None) -> Iterator[list[dict[str, Any]]]:
        """Cursor pagination: follow ``links.next`` while ``meta.has_more``."""
        url: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "page[size]": page_size}
        while url:
            data = self.get(url, query)
            yield data.get(key) or []
            meta, links = data.get("meta") or {}, data.get("links") or {}
            url = links.get("next") if meta.get("has_more") else None
            query = None

    def records(self, path: str, page_size: int = 100) -> list[dict[str, Any]]:
        """Every item of a Guide list that answers ``records`` with ``meta.has_more`` and ``meta.after_cursor``
        (content tags, redirect rules): the next page is asked with ``page[after]``."""
        out: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page[size]": page_size}
        while True:
            data = self.get(path, params) or {}
            out += list(data.get("records") or [])
            meta = data.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return out
            params = {"page[size]": page_size, "page[after]": meta["after_cursor"]}

    def organizations(self) -> Iterator[list[dict[str, Any]]]:
        return self.paginate("/api/v2/organizations", "organizations")

    def export_organizations(self, start_time: int, per_page: int = 1000) -> Iterator[OrganizationPage]:
        """The time-based incremental organization export from ``start_time`` (one call when nothing changed).

        When a full page shares one timestamp, ``end_time`` does not advance and following ``next_page``
        would loop forever (Airbyte PR #31164): then every organization is listed once through cursor
        pagination instead, and the export resumes after that second on the next run.
        """
        while True:
            params: dict[str, Any] = {"start_time": start_time}
            if per_page != 1000:
                params["per_page"] = per_page
            data = self.get(ORG_EXPORT_PATH, params) or {}
            orgs = list(data.get("organizations") or [])
            end_of_stream = bool(data.get("end_of_stream"))
            try:
                end_time = int(data.get("end_time") or start_time)
            except (TypeError, ValueError):
                raise RequestRejected(f"zendesk: {ORG_EXPORT_PATH} answered end_time "
                                      f"{str(data.get('end_time'))[:40]!r}, not a Unix time", 200) from None
            if not end_of_stream and end_time <= start_time:
                log.warning("zendesk: the organization export does not advance past %d (a full page shares one "
                            "timestamp); listing every organization instead", start_time)
                for page in self.organizations():
                    yield OrganizationPage(page, None, False, listed=True)
                yield OrganizationPage([], start_time + 1, True, listed=True)
                return
            yield OrganizationPage(orgs, end_time, end_of_stream)
            if end_of_stream:
                return
            start_time = end_time


class HelpCenter:
    """The Help Center (Guide) calls ``kb publish`` and ``kb pull`` need, over the same client."""

    BASE = "/api/v2/help_center"

    def __init__(self, client: ZendeskClient) -> None:
        self.client = client

    def _all(self, path: str, key: str) -> list[dict[str, Any]]:
        return [item for page in self.client.paginate(path, key) for item in page]

    # -- reads --------------------------------------------------------------
    def permission_groups(self) -> list[dict[str, Any]]:
        return self._all("/api/v2/guide/permission_groups", "permission_groups")

    def user_segments(self) -> list[dict[str, Any]]:
        return self._all(f"{self.BASE}/user_segments", "user_segments")

    def content_tags(self) -> list[dict[str, Any]]:
        return self.client.records("/api/v2/guide/content_tags")

    def create_content_tag(self, name: str) -> dict[str, Any]:
        return dict(self.client.request("POST", "/api/v2/guide/content_tags",
                                        json={"content_tag": {"name": name}})["content_tag"])

    def locales(self) -> tuple[list[str], str]:
        """The Help Center's enabled locales and its default locale (``en-us``, not ``en``)."""
        data = self.client.get(f"{self.BASE}/locales") or {}
        return [str(x) for x in data.get("locales") or []], str(data.get("default_locale") or "")

    def categories(self) -> list[dict[str, Any]]:
        return self._all(f"{self.BASE}/categories", "categories")

    def container_translations(self, kind: str, item_id: int) -> list[dict[str, Any]]:
        """``kind`` categories or sections: their names (``title``) and descriptions (``body``) per locale."""
        return self._all(f"{self.BASE}/{kind}/{item_id}/translations", "translations")

    def create_container_translation(self, kind: str, item_id: int, locale: str, title: str,
                                     body: str) -> dict[str, Any]:
        payload = {"translation": {"locale": locale, "title": title, "body": body}}
        return dict(self.client.request("POST", f"{self.BASE}/{kind}/{item_id}/translations",
                                        json=payload)["translation"])

    def update_container_translation(self, kind: str, item_id: int, locale: str, title: str,
                                     body: str) -> dict[str, Any]:
        return dict(self.client.request("PUT", f"{self.BASE}/{kind}/{item_id}/translations/{locale}",
                                        json={"translation": {"title": title, "body": body}})["translation"])

    def sections(self) -> list[dict[str, Any]]:
        return self._all(f"{self.BASE}/sections", "sections")

    def articles(self, locale: str | None = None) -> Iterator[list[dict[str, Any]]]:
        """Pages of every live article (archived ones are not listed), each with its source-locale body, or
        with its translation in ``locale`` (articles without one are not listed then)."""
        return self.client.paginate(f"{self.BASE}/{locale}/articles" if locale else f"{self.BASE}/articles",
                                    "articles")

    def translations(self, article_id: int) -> list[dict[str, Any]]:
        return self._all(f"{self.BASE}/articles/{article_id}/translations", "translations")

    def attachments(self, article_id: int) -> list[dict[str, Any]]:
        data = self.client.get(f"{self.BASE}/articles/{article_id}/attachments")
        return list((data or {}).get("article_attachments") or [])

    # -- writes -------------------------------------------------------------
    def create_category(self, name: str, description: str, position: int, locale: str) -> dict[str, Any]:
        body = {"category": {"name": name, "description": description, "position": position, "locale": locale}}
        return dict(self.client.request("POST", f"{self.BASE}/categories", json=body)["category"])

    def update_category(self, category_id: int, **fields: Any) -> dict[str, Any]:
        """Position only: Zendesk ignores name and description here (they go through translations)."""
        return dict(self.client.request("PUT", f"{self.BASE}/categories/{category_id}",
                                        json={"category": fields})["category"])

    def create_section(self, category_id: int, name: str, description: str, position: int,
                       locale: str, parent_section_id: int | None = None) -> dict[str, Any]:
        """A section of the category, or nested in section ``parent_section_id`` (Guide Enterprise)."""
        section = {"name": name, "description": description, "position": position, "locale": locale}
        body = {"section": {**section, **({"parent_section_id": parent_section_id} if parent_section_id else {})}}
        return dict(self.client.request("POST", f"{self.BASE}/categories/{category_id}/sections",
                                        json=body)["section"])

    def update_section(self, section_id: int, **fields: Any) -> dict[str, Any]:
        return dict(self.client.request("PUT", f"{self.BASE}/sections/{section_id}",
                                        json={"section": fields})["section"])

    def create_article(self, section_id: int, article: dict[str, Any],
                       notify_subscribers: bool = False) -> dict[str, Any]:
        """``article`` needs title, locale, permission_group_id and user_segment_id (None = everyone).
        Zendesk e-mails the section's subscribers about a new article unless the request's root says
        ``"notify_subscribers": false``, which is what is sent unless asked otherwise."""
        payload = {"article": article, "notify_subscribers": notify_subscribers}
        return dict(self.client.request("POST", f"{self.BASE}/sections/{section_id}/articles",
                                        json=payload)["article"])

    def update_article_metadata(self, article_id: int, **fields: Any) -> dict[str, Any]:
        """Section, labels, promoted, position, permission group, user segment. Not title/body/draft:
        Zendesk ignores those here (use :meth:`update_translation`)."""
        ignored = {"title", "body", "draft"} & set(fields)
        if ignored:
            raise ValueError(f"PUT /articles/{{id}} ignores {', '.join(sorted(ignored))}: use update_translation")
        return dict(self.client.request("PUT", f"{self.BASE}/articles/{article_id}",
                                        json={"article": fields})["article"])

    def update_translation(self, article_id: int, locale: str, **fields: Any) -> dict[str, Any]:
        return dict(self.client.request("PUT", f"{self.BASE}/articles/{article_id}/translations/{locale}",
                                        json={"translation": fields})["translation"])

    def create_translation(self, article_id: int, locale: str, title: str, body: str,
                           draft: bool) -> dict[str, Any]:
        payload = {"translation": {"locale": locale, "title": title, "body": body, "draft": draft}}
        return dict(self.client.request("POST", f"{self.BASE}/articles/{article_id}/translations",
                                        json=payload)["translation"])

    def upload_attachment(self, article_id: int, name: str, data: bytes, content_type: str,
                          locale: str | None = None, inline: bool = True) -> dict[str, Any]:
        """An inline attachment of the article's ``locale`` translation (multipart field ``file``), whose
        ``content_url`` goes into that translation's body; or (``inline=False``) a block attachment, listed
        under the article in every locale."""
        form = {"inline": "true", **({"locale": locale} if locale else {})} if inline else {"inline": "false"}
        answer = self.client.request("POST", f"{self.BASE}/articles/{article_id}/attachments",
                                     files={"file": (name, data, content_type)}, data=form)
        return dict(answer["article_attachment"])

    def set_redirect_rule(self, redirect_from: str, redirect_to: str, status: str = "301") -> None:
        """Create, or update, the Help Center's redirect rule for the path ``redirect_from`` (Redirect Rules API:
        it takes effect where that URL answers 404, an archived article's)."""
        self.client.request("POST", "/api/v2/guide/redirect_rules", json={"redirect_rule": {
            "redirect_from": redirect_from, "redirect_to": redirect_to, "redirect_status": status}})

    def block_attachments(self, article_id: int) -> list[dict[str, Any]]:
        data = self.client.get(f"{self.BASE}/articles/{article_id}/attachments/block")
        return list((data or {}).get("article_attachments") or [])

    def delete_attachment(self, attachment_id: int) -> None:
        self.client.request("DELETE", f"{self.BASE}/articles/attachments/{attachment_id}")

    def archive_article(self, article_id: int) -> None:
        """``DELETE /articles/{id}`` archives (restorable in the Guide UI only)."""
        self.client.request("DELETE", f"{self.BASE}/articles/{article_id}")
