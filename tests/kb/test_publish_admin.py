"""`kb publish` as a Help Center admin needs it (issue 30), against the sandbox's Help Center over loopback HTTP:
no e-mail to section subscribers unless asked, per-article settings, moves that keep the article, redirects for
removed articles, block attachments, articles with Guide content blocks."""

from __future__ import annotations

from pathlib import Path

from sandbox.server import Sandbox
from tests.kb.test_publish import Site, live

NEW_ARTICLE = "---\ntitle: {title}\n{front}---\n\n## 概要\n\n{body}\n\n## 手順\n\n1. ［設定］を開きます。\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_article(site: Site, rel: str, title: str, front: str = "", body: str = "新しい機能の説明です。") -> Path:
    path = site.dir / "kb/articles" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NEW_ARTICLE.format(title=title, front=front, body=body), encoding="utf-8")
    return path


def article_with_marker(sb: Sandbox, key: str) -> dict:
    h = sb.helpcenter
    return next(a for a in live(sb) if f'data-csops-key="{key}"' in h.translations[a["id"]][a["source_locale"]]["body"])


def test_creates_send_notify_subscribers_false_unless_the_article_asks(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    assert site.publish()["created"] == 13
    h = hc.helpcenter
    # Every create said "notify_subscribers": false at the request's root: no follower was e-mailed.
    assert len(h.notify_received) == 13 and set(h.notify_received.values()) == {False}
    assert h.notified == []
    add_article(site, "employees/timecard/new-feature.md", "新機能のお知らせ", "notify: true\n")
    add_article(site, "employees/timecard/quiet.md", "細かな修正")
    kb_yaml = site.dir / "kb/kb.yaml"
    edit(kb_yaml, "      - id: timecard\n", "      - id: timecard\n        defaults: {notify: false}\n")
    edit(kb_yaml, "  - id: employees\n", "  - id: employees\n    defaults: {notify: true}\n")
    add_article(site, "employees/requests/leave-rules.md", "休暇の規程")  # the category's default
    hc.reset_stats()
    plan = site.kb("publish", "--plan")
    assert plan.exit_code == 0, plan.output
    lines = plan.stdout.splitlines()
    assert "create    employees/timecard/new-feature [ja] — notifies the section's subscribers" in lines
    assert "create    employees/requests/leave-rules [ja] — notifies the section's subscribers" in lines
    assert "create    employees/timecard/quiet [ja]" in lines
    assert site.writes() == 0
    assert site.publish()["created"] == 3
    notified = sorted(article_with_marker(hc, k)["id"] for k in ("employees/timecard/new-feature",
                                                                 "employees/requests/leave-rules"))
    assert sorted(h.notified) == notified
    assert h.notify_received[article_with_marker(hc, "employees/timecard/quiet")["id"]] is False


def test_the_sandbox_e_mails_followers_when_notify_subscribers_is_absent_or_misplaced(hc: Sandbox) -> None:
    import requests

    o = hc.options
    auth = (f"{o.zendesk_email}/token", o.zendesk_token)
    base = hc.url + "/api/v2/help_center"
    cat = requests.post(f"{base}/categories", json={"category": {"name": "C", "locale": "ja"}}, auth=auth,
                        timeout=5).json()["category"]
    sec = requests.post(f"{base}/categories/{cat['id']}/sections", json={"section": {"name": "S", "locale": "ja"}},
                        auth=auth, timeout=5).json()["section"]
    article = {"title": "T", "locale": "ja", "permission_group_id": 1524, "user_segment_id": None}
    made = []
    for payload in ({"article": article}, {"article": {**article, "notify_subscribers": False}},
                    {"article": article, "notify_subscribers": False}):
        resp = requests.post(f"{base}/sections/{sec['id']}/articles", json=payload, auth=auth, timeout=5)
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["article"]["id"])
    # Absent, or inside "article" (Zendesk reads it at the root only): followers e-mailed; false at the root: not.
    assert hc.helpcenter.notified == made[:2]
