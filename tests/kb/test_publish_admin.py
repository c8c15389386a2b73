"""`kb publish` as a Help Center admin needs it (issue 30), against the sandbox's Help Center over loopback HTTP:
no e-mail to section subscribers unless asked, per-article settings, moves that keep the article, redirects for
removed articles, block attachments, articles with Guide content blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sandbox.server import Sandbox
from tests.kb.test_publish import Site, hc_writes, live

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
                        timeout=30).json()["category"]
    sec = requests.post(f"{base}/categories/{cat['id']}/sections", json={"section": {"name": "S", "locale": "ja"}},
                        auth=auth, timeout=30).json()["section"]
    article = {"title": "T", "locale": "ja", "permission_group_id": 1524, "user_segment_id": None}
    made = []
    for payload in ({"article": article}, {"article": {**article, "notify_subscribers": False}},
                    {"article": article, "notify_subscribers": False}):
        resp = requests.post(f"{base}/sections/{sec['id']}/articles", json=payload, auth=auth, timeout=30)
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["article"]["id"])
    # Absent, or inside "article" (Zendesk reads it at the root only): followers e-mailed; false at the root: not.
    assert hc.helpcenter.notified == made[:2]


def admin_help_center(sb: Sandbox, enterprise: bool = True) -> None:
    """What a Guide admin set up: custom user segments, a content tag, the plan."""
    h = sb.helpcenter
    h.enterprise = enterprise
    h.user_segments += [{"id": 2101, "name": "管理者向け", "user_type": "signed_in_users", "built_in": False},
                        {"id": 2102, "name": "パートナー", "user_type": "signed_in_users", "built_in": False}]
    h.content_tags["01HTAG0000000000000000001"] = {"id": "01HTAG0000000000000000001", "name": "勤怠"}


SETTINGS = "user_segments: [管理者向け, パートナー]\ncontent_tags: [勤怠, 新機能]\nposition: 3\ncomments: false\n"


def test_per_article_settings_land_and_a_second_publish_writes_nothing(tmp_path: Path, hc: Sandbox) -> None:
    admin_help_center(hc)
    site = Site(tmp_path, hc)
    edit(site.dir / "kb/kb.yaml", "  - id: admin\n", "  - id: admin\n    defaults: {user_segments: [管理者向け], "
                                                     "permission_group: Agents and managers}\n")
    add_article(site, "admin/users/partner-access.md", "パートナーの権限", SETTINGS)
    # A tag the Help Center does not have: named with its place, nothing written.
    refused = site.kb("publish")
    assert refused.exit_code == 78, refused.output
    assert "kb/articles/admin/users/partner-access.md:4:1: content_tags:" in refused.stderr
    assert "'新機能' is not a content tag of this Help Center" in refused.stderr and "--create-tags" in refused.stderr
    assert site.writes() == 0
    plan = site.kb("publish", "--plan", "--create-tags")
    assert "create    content tag 新機能" in plan.stdout
    assert site.writes() == 0
    assert site.publish("--create-tags")["created"] == 14
    h = hc.helpcenter
    new_tag = next(t["id"] for t in h.content_tags.values() if t["name"] == "新機能")
    partner = article_with_marker(hc, "admin/users/partner-access")
    assert sorted(partner["user_segment_ids"]) == [2101, 2102] and partner["user_segment_id"] is None
    assert sorted(partner["content_tag_ids"]) == sorted(["01HTAG0000000000000000001", new_tag])
    assert partner["comments_disabled"] is True and partner["position"] == 3
    assert partner["permission_group_id"] == 1525  # the category's default, by name
    # The category's default segment for its other articles; elsewhere kb.yaml's (everyone).
    invite = article_with_marker(hc, "admin/users/invite-users")
    assert invite["user_segment_ids"] == [2101] and invite["permission_group_id"] == 1525
    assert article_with_marker(hc, "getting-started/setup/first-steps")["user_segment_ids"] == []
    hc.reset_stats()
    again = site.publish()
    assert again["unchanged"] == 14 and site.writes() == 0


def test_promoted_and_position_take_kb_yaml_defaults(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    kb_yaml = site.dir / "kb/kb.yaml"
    users = "      - id: users\n        title: {ja: ユーザーと権限, en: Users and permissions}\n"
    edit(kb_yaml, users, users + "        defaults: {promoted: 'yes', position: 1.5}\n")
    broken = site.kb("check")
    assert broken.exit_code == 78
    assert "promoted: expected true or false, got 'yes'" in broken.stderr
    assert "position: expected a whole number, got 1.5" in broken.stderr
    edit(kb_yaml, "defaults: {promoted: 'yes', position: 1.5}", "defaults: {promoted: true, position: 5}")
    add_article(site, "admin/users/partner-access.md", "パートナーの権限")
    add_article(site, "admin/users/quiet.md", "目立たせない記事", "promoted: false\n")
    site.publish()
    h = hc.helpcenter
    # The section's defaults, unless the front matter says otherwise; other sections keep Zendesk's.
    partner = article_with_marker(hc, "admin/users/partner-access")
    assert (partner["promoted"], partner["position"]) == (True, 5)
    invite = article_with_marker(hc, "admin/users/invite-users")  # position: 1 in its front matter
    assert (invite["promoted"], invite["position"]) == (True, 1)
    assert article_with_marker(hc, "admin/users/quiet")["promoted"] is False
    assert article_with_marker(hc, "admin/integrations/payroll-export")["promoted"] is False
    assert sum(a["promoted"] for a in h.articles.values()) == 4  # and getting-started/setup/first-steps's own
    hc.reset_stats()
    assert site.publish()["unchanged"] == 15 and site.writes() == 0
    # The default goes: the section's articles are no longer promoted, one metadata update each.
    edit(kb_yaml, "        defaults: {promoted: true, position: 5}\n", "")
    hc.reset_stats()
    assert site.publish()["updated"] == 3
    assert hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}": 3}
    assert [k for k in ("admin/users/partner-access", "admin/users/invite-users", "admin/users/roles")
            if article_with_marker(hc, k)["promoted"]] == []
    assert partner["position"] == 5  # no longer managed by the files: left as it is


def test_a_setting_changed_in_guide_is_drift_and_a_local_change_is_one_write(tmp_path: Path, hc: Sandbox) -> None:
    admin_help_center(hc)
    site = Site(tmp_path, hc)
    path = add_article(site, "admin/users/partner-access.md", "パートナーの権限", "user_segments: [パートナー]\n"
                                                                         "content_tags: [勤怠]\ncomments: false\n")
    site.publish()
    partner = article_with_marker(hc, "admin/users/partner-access")
    # In Guide an admin turned comments on, promoted the article and let another segment see it.
    partner.update(comments_disabled=False, promoted=True, user_segment_ids=[2101, 2102])
    hc.reset_stats()
    drifted = site.kb("publish")
    assert drifted.exit_code == 3, drifted.output
    assert ("drifted   admin/users/partner-access [ja] — settings changed in the Help Center (promoted, user_segments, "
            "comments); kept" in drifted.stdout)
    assert site.writes() == 0
    edit(path, "content_tags: [勤怠]\n", "content_tags: []\n")  # a change in the file still goes
    hc.reset_stats()
    assert site.kb("publish").exit_code == 3
    assert hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}": 1}
    assert partner["content_tag_ids"] == [] and partner["comments_disabled"] is False and partner["promoted"] is True
    hc.reset_stats()
    assert site.publish("--force")["updated"] == 1
    assert partner["comments_disabled"] is True and partner["promoted"] is False
    assert partner["user_segment_ids"] == [2102]
    hc.reset_stats()
    assert site.publish()["unchanged"] == 14 and site.writes() == 0


def test_segments_recorded_as_one_id_are_still_drift_when_guide_changes_them(tmp_path: Path, hc: Sandbox) -> None:
    """helpcenter-ids.yaml written before segments were compared as a list recorded ``user_segment_id``: a segment
    set in Guide since is still drift, kept, not overwritten."""
    site = Site(tmp_path, hc)
    site.publish()
    ids_file = site.dir / "kb/helpcenter-ids.yaml"
    text = ids_file.read_text(encoding="utf-8")
    assert text.count('"user_segment_ids":[]') == 13
    ids_file.write_text(text.replace('"user_segment_ids":[]', '"user_segment_id":null'), encoding="utf-8")
    roles = article_with_marker(hc, "admin/users/roles")
    roles.update(user_segment_id=2002, user_segment_ids=[2002])  # visible to staff only, set in Guide
    hc.reset_stats()
    drifted = site.kb("publish")
    assert drifted.exit_code == 3, drifted.output
    assert "drifted   admin/users/roles [ja] — settings changed in the Help Center (user_segments); kept" in \
        drifted.stdout
    assert site.writes() == 0 and roles["user_segment_ids"] == [2002]


def test_settings_the_help_center_does_not_know_stop_before_any_write(tmp_path: Path, hc: Sandbox) -> None:
    admin_help_center(hc, enterprise=False)
    site = Site(tmp_path, hc)
    add_article(site, "admin/users/partner-access.md", "パートナーの権限", "user_segments: [管理者むけ]\n"
                                                                         "permission_group: Editors\n")
    edit(site.dir / "kb/kb.yaml", "  - id: admin\n", "  - id: admin\n    defaults: {comments: 'no'}\n")
    broken = site.kb("publish")
    assert broken.exit_code == 78 and "kb.yaml:" in broken.stderr
    assert "comments: expected true or false, got 'no'" in broken.stderr
    edit(site.dir / "kb/kb.yaml", "defaults: {comments: 'no'}", "defaults: {comments: false}")
    unknown = site.kb("publish")
    assert unknown.exit_code == 78, unknown.output
    assert "partner-access.md:3:1" in unknown.stderr and "user segment '管理者むけ' does not exist" in unknown.stderr
    assert "did you mean '管理者向け'" in unknown.stderr
    assert "partner-access.md:4:1" in unknown.stderr and "permission group 'Editors' does not exist" in unknown.stderr
    assert hc.helpcenter.writes == 0
    # Two segments on a plan without Guide Enterprise: Zendesk refuses that article (422); the rest is published.
    path = site.dir / "kb/articles/admin/users/partner-access.md"
    edit(path, "[管理者むけ]\npermission_group: Editors", "[管理者向け, signed_in_users]")
    partial = site.kb("publish")
    assert partial.exit_code == 3
    assert "requires Guide Enterprise" in partial.stderr and "admin/users/partner-access" in partial.stderr
    assert len(live(hc)) == 13
    # One segment on that plan: sent as user_segment_id, which every plan takes (user_segment_ids is Enterprise's).
    edit(path, "[管理者向け, signed_in_users]", "[管理者向け]")
    assert site.publish()["created"] == 1
    partner = article_with_marker(hc, "admin/users/partner-access")
    assert partner["user_segment_id"] == 2101 and partner["user_segment_ids"] == [2101]
    hc.reset_stats()
    assert site.publish()["unchanged"] == 14 and site.writes() == 0
    # On Guide Enterprise two segments go as user_segment_ids; then back to everyone: one update each.
    hc.helpcenter.enterprise = True
    edit(path, "[管理者向け]", "[管理者向け, signed_in_users]")
    hc.reset_stats()
    assert site.publish()["updated"] == 1 and hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}": 1}
    assert sorted(partner["user_segment_ids"]) == [2001, 2101]
    edit(path, "[管理者向け, signed_in_users]", "[]")
    assert site.publish()["updated"] == 1
    assert partner["user_segment_ids"] == [] and partner["user_segment_id"] is None


def test_kb_check_validates_the_settings(tmp_path: Path) -> None:
    from tests.kb.helpers import findings, make_kb, run, write

    root = make_kb(tmp_path)
    path = write(root, "admin/users/x.md", NEW_ARTICLE.format(
        title="設定の確認", front="user_segments: [管理者向け, true]\ncontent_tags: 勤怠\ncomments: often\n"
                                 "notify: [yes]\npermission_group: ''\nreplaces: trial-faq\n", body="本文です。"))
    found = {(f["line"], f["message"]) for f in findings(root, path) if f["rule"] == "front-matter"}
    assert found == {(3, "user_segments: expected names (or ids) of user segments, got True"),
                     (5, "comments: expected true or false, got 'often'"),
                     (6, "notify: expected true or false, got [True]"),
                     (7, "permission_group: expected the name (or id) of a permission group, got ''"),
                     (8, "replaces: expected articles' keys (category/section/slug), got 'trial-faq'")}
    kb_yaml = root / "kb.yaml"
    kb_yaml.write_text(kb_yaml.read_text(encoding="utf-8").replace(
        "  - id: admin\n", "  - id: admin\n    defaults: {user_segment: [x], content_tags: [1]}\n"), encoding="utf-8")
    broken = run(root, "check")
    assert broken.exit_code == 78
    assert "unknown key 'user_segment' in defaults (did you mean 'user_segments'?)" in broken.stderr
    assert "content_tags: expected content tag names, got 1" in broken.stderr


def test_a_moved_or_renamed_file_keeps_its_article_and_its_url(tmp_path: Path, hc: Sandbox) -> None:
    import requests

    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    payroll = article_with_marker(hc, "admin/integrations/payroll-export")
    aid, url = payroll["id"], f"{hc.url}/hc/ja/articles/{payroll['id']}"
    articles = site.dir / "kb/articles"
    (articles / "admin/integrations/payroll-export.md").rename(articles / "admin/users/payroll-export.md")
    hc.reset_stats()
    plan = site.kb("publish", "--plan")
    assert plan.exit_code == 0, plan.output
    assert ("move      admin/users/payroll-export [ja] (section_id) — from admin/integrations/payroll-export"
            in plan.stdout.splitlines())
    assert not [ln for ln in plan.stdout.splitlines() if ln.startswith(("create", "removed", "archive"))]
    out = site.publish()
    # One metadata update: no create, no archive, the same id and URL, now in the other section.
    assert hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}": 1}
    assert out["created"] == 0 and out["archived"] == 0 and out["updated"] == 1
    users = next(sid for sid, sec in h.sections.items() if h.translations[sid]["ja"]["title"] == "ユーザーと権限")
    assert h.articles[aid]["section_id"] == users and len(live(hc)) == 13
    assert requests.get(url, timeout=30).status_code == 200
    # A rename in the section: the same article, nothing written; then nothing to do.
    (articles / "admin/users/payroll-export.md").rename(articles / "admin/users/payroll-csv.md")
    hc.reset_stats()
    renamed = site.kb("publish")
    assert renamed.exit_code == 0, renamed.output
    assert (f"renamed   admin/users/payroll-csv [ja] — from admin/users/payroll-export; article {aid} keeps its URL"
            in renamed.stdout.splitlines())
    assert site.writes() == 0
    ids = (site.dir / "kb/helpcenter-ids.yaml").read_text(encoding="utf-8")
    assert f"admin/users/payroll-csv: {aid}" in ids and "payroll-export:" not in ids
    # Its body changes later: the same article (by helpcenter-ids.yaml), its marker now names the new file.
    edit(articles / "admin/users/payroll-csv.md", "出力の形式は", "出力の形式（CSV）は")
    hc.reset_stats()
    assert site.publish()["updated"] == 1 and "PUT /api/v2/help_center/articles/{aid}/translations/{locale}" in \
        hc_writes(hc)
    assert 'data-csops-key="admin/users/payroll-csv"' in h.translations[aid]["ja"]["body"]
    hc.reset_stats()
    assert site.publish()["unchanged"] == 13 and site.writes() == 0


def test_a_move_is_found_without_helpcenter_ids_yaml_and_a_removal_still_is_one(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    aid = article_with_marker(hc, "admin/integrations/payroll-export")["id"]
    articles = site.dir / "kb/articles"
    (site.dir / "kb/helpcenter-ids.yaml").unlink()  # a fresh clone that never had it
    (articles / "admin/integrations/payroll-export.md").rename(articles / "admin/users/payroll-export.md")
    (articles / "getting-started/faq/trial-faq.md").unlink()
    hc.reset_stats()
    result = site.kb("publish")
    assert result.exit_code == 0, result.output
    assert "removed   getting-started/faq/trial-faq" in result.stdout
    assert hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}": 1}
    assert hc.helpcenter.articles[aid]["archived"] is False and len(live(hc)) == 13


def test_kb_mv_moves_an_article_with_its_translation_and_its_links(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    aid = article_with_marker(hc, "admin/users/roles")["id"]
    moved = site.kb("mv", "kb/articles/admin/users/roles.md", "admin/integrations")
    assert moved.exit_code == 0, moved.output
    assert "moved kb/articles/admin/users/roles.md → kb/articles/admin/integrations/roles.md" in moved.stdout
    assert "moved kb/articles/admin/users/roles.en.md → kb/articles/admin/integrations/roles.en.md" in moved.stdout
    articles = site.dir / "kb/articles"
    assert not (articles / "admin/users/roles.md").exists()
    assert "(../integrations/roles.md)" in (articles / "admin/users/invite-users.md").read_text(encoding="utf-8")
    for name in ("first-steps.md", "first-steps.en.md"):
        assert "(../../admin/integrations/roles.md)" in (articles / "getting-started/setup" / name).read_text(
            encoding="utf-8")
    assert f"admin/integrations/roles: {aid}" in (site.dir / "kb/helpcenter-ids.yaml").read_text(encoding="utf-8")
    assert site.kb("check").exit_code == 0
    hc.reset_stats()
    published = site.kb("publish")
    assert published.exit_code == 0, published.output
    assert "move      admin/integrations/roles [ja] (section_id) — from admin/users/roles" in published.stdout
    # The links of other articles lead to the same URL: only the move is written.
    assert hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}": 1}
    assert len(live(hc)) == 13


def test_kb_mv_of_a_section_renamed_in_kb_yaml_keeps_every_id(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    ids_before = {a["id"] for a in live(hc)}
    sections_before = set(h.sections)
    edit(site.dir / "kb/kb.yaml", "      - id: integrations\n", "      - id: connections\n")
    moved = site.kb("mv", "admin/integrations", "admin/connections")
    assert moved.exit_code == 0, moved.output
    link = (site.dir / "kb/articles/troubleshooting/login/cannot-sign-in.md").read_text(encoding="utf-8")
    assert "(../../admin/connections/saml-sso.md)" in link
    ids = (site.dir / "kb/helpcenter-ids.yaml").read_text(encoding="utf-8")
    assert "admin/connections:" in ids and "admin/connections/saml-sso:" in ids and "integrations" not in ids
    hc.reset_stats()
    out = site.publish()
    assert out["created"] == 0 and site.writes() == 0
    assert {a["id"] for a in live(hc)} == ids_before and set(h.sections) == sections_before


def test_kb_mv_of_a_category_renamed_in_kb_yaml_keeps_every_id(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    ids_before = {a["id"] for a in live(hc)}
    containers_before = (set(h.categories), set(h.sections))
    edit(site.dir / "kb/kb.yaml", "  - id: employees\n", "  - id: staff\n")
    moved = site.kb("mv", "employees", "staff")
    assert moved.exit_code == 0, moved.output
    assert "moved kb/articles/employees/timecard/clock-in.en.md → kb/articles/staff/timecard/clock-in.en.md" in \
        moved.stdout
    link = (site.dir / "kb/articles/getting-started/setup/first-steps.md").read_text(encoding="utf-8")
    assert "(../../staff/timecard/clock-in.md)" in link
    ids = (site.dir / "kb/helpcenter-ids.yaml").read_text(encoding="utf-8")
    assert "staff:" in ids and "staff/timecard:" in ids and "staff/timecard/clock-in:" in ids
    assert "employees" not in ids
    hc.reset_stats()
    out = site.publish()
    assert out["created"] == 0 and out["archived"] == 0 and site.writes() == 0
    assert {a["id"] for a in live(hc)} == ids_before and (set(h.categories), set(h.sections)) == containers_before
    # A body edited later goes to the same article, whose marker then names the new key.
    aid = article_with_marker(hc, "employees/timecard/clock-in")["id"]
    edit(site.dir / "kb/articles/staff/timecard/clock-in.md", "\n## ", "\n追記です。\n\n## ")
    assert site.publish()["updated"] == 1 and {a["id"] for a in live(hc)} == ids_before
    assert 'data-csops-key="staff/timecard/clock-in"' in h.translations[aid]["ja"]["body"]


def test_kb_mv_refuses_what_it_cannot_do_and_changes_nothing(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    before = {p: p.read_bytes() for p in (site.dir / "kb").rglob("*") if p.is_file()}
    unknown = site.kb("mv", "admin/users/roles", "admin/user/roles")
    assert unknown.exit_code == 78
    assert "section 'user' is not in category 'admin' in kb.yaml (did you mean 'users'?)" in unknown.stderr
    taken = site.kb("mv", "admin/users/roles", "admin/users/invite-users")
    assert taken.exit_code == 78 and "exists already: kb mv never writes over a file" in taken.stderr
    kinds = site.kb("mv", "admin/users", "admin/users/x")
    assert kinds.exit_code == 78 and "not the same kind of place" in kinds.stderr
    assert site.kb("mv", "../etc/passwd", "admin/users").exit_code == 78
    assert {p: p.read_bytes() for p in (site.dir / "kb").rglob("*") if p.is_file()} == before


def test_a_section_moved_to_another_category_in_kb_yaml_keeps_its_id(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    faq = next(sid for sid in h.sections if h.translations[sid]["ja"]["title"] == "導入時のよくある質問")
    kb_yaml = site.dir / "kb/kb.yaml"
    block = ("      - id: faq\n        title: {ja: 導入時のよくある質問, en: Onboarding FAQ}\n        position: 2\n"
             "        default_type: faq\n")
    edit(kb_yaml, block, "")
    edit(kb_yaml, "      - id: login\n", block.replace("position: 2", "position: 9") + "      - id: login\n")
    articles = site.dir / "kb/articles"
    (articles / "troubleshooting/faq").mkdir()
    (articles / "getting-started/faq/trial-faq.md").rename(articles / "troubleshooting/faq/trial-faq.md")
    hc.reset_stats()
    result = site.kb("publish")
    assert result.exit_code == 0, result.output
    assert "update    section troubleshooting/faq (category_id, position)" in result.stdout
    assert "renamed   troubleshooting/faq/trial-faq [ja] — from getting-started/faq/trial-faq" in result.stdout
    assert hc_writes(hc) == {"PUT /api/v2/help_center/sections/{sid}": 1}
    trouble = next(cid for cid in h.categories if h.translations[cid]["ja"]["title"] == "トラブルシューティング")
    assert h.sections[faq]["category_id"] == trouble and len(h.sections) == 8


def test_an_article_removed_for_good_redirects_its_url(tmp_path: Path, hc: Sandbox) -> None:
    import requests

    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    old = article_with_marker(hc, "getting-started/faq/trial-faq")["id"]
    articles = site.dir / "kb/articles"
    (articles / "getting-started/faq/trial-faq.md").unlink()
    add_article(site, "getting-started/faq/trial-and-plans.md", "トライアルと料金プラン",
                "replaces: getting-started/faq/trial-faq\n")
    plan = site.kb("publish", "--plan")
    assert ("removed   getting-started/faq/trial-faq — article "
            f"{old} is kept; --archive-removed archives it and redirects its URL to getting-started/faq/trial-and-plans"
            in plan.stdout.splitlines())
    hc.reset_stats()
    out = site.kb("publish", "--archive-removed")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines.index(f"redirect  getting-started/faq/trial-faq — article {old} → getting-started/faq/trial-and-plans"
                       ) < lines.index(f"archive   getting-started/faq/trial-faq — article {old}")
    assert "1 archived, 1 redirected," in lines[-1]
    new = article_with_marker(hc, "getting-started/faq/trial-and-plans")["id"]
    # One rule, for the removed article's only URL, to the new article's; the old URL now leads there.
    assert list(h.redirect_rules.values()) == [{**next(iter(h.redirect_rules.values())),
                                                "redirect_from": f"/hc/ja/articles/{old}",
                                                "redirect_to": f"/hc/ja/articles/{new}", "redirect_status": "301"}]
    page = requests.get(f"{hc.url}/hc/ja/articles/{old}", allow_redirects=False, timeout=30)
    assert page.status_code == 301 and page.headers["Location"] == f"/hc/ja/articles/{new}"
    assert hc_writes(hc)["POST /api/v2/guide/redirect_rules"] == 1
    hc.reset_stats()
    assert site.publish("--archive-removed")["redirected"] == 0 and site.writes() == 0


def test_kb_yaml_redirects_and_their_mistakes(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    old = article_with_marker(hc, "employees/timecard/clock-in")["id"]  # ja and en-us: two URLs
    kb_yaml = site.dir / "kb/kb.yaml"
    text = kb_yaml.read_text(encoding="utf-8")
    kb_yaml.write_text(text + "redirect_to: {employees/timecard/clock-in: employees/timecard/clock-inn}\n",
                       encoding="utf-8")
    for name in ("clock-in.md", "clock-in.en.md"):
        (site.dir / "kb/articles/employees/timecard" / name).unlink()
    edit(site.dir / "kb/articles/getting-started/setup/first-steps.md", "(../../employees/timecard/clock-in.md)",
         "(https://example.com/punch)")
    before = h.writes
    wrong = site.kb("publish", "--archive-removed")
    assert wrong.exit_code == 78
    assert "redirect_to.employees/timecard/clock-in: 'employees/timecard/clock-inn' is not an article" in wrong.stderr
    assert h.writes == before
    kb_yaml.write_text(text + "redirect_to: {employees/timecard/clock-in: 'https://example.com/punch'}\n",
                       encoding="utf-8")
    assert site.publish("--archive-removed")["redirected"] == 1
    assert sorted((r["redirect_from"], r["redirect_to"]) for r in h.redirect_rules.values()) == [
        (f"/hc/en-us/articles/{old}", "https://example.com/punch"), (f"/hc/ja/articles/{old}", "https://example.com/punch")]


def test_the_sandbox_redirect_rules_follow_the_api(hc: Sandbox) -> None:
    import requests

    o = hc.options
    url = hc.url + "/api/v2/guide/redirect_rules"
    auth = (f"{o.zendesk_email}/token", o.zendesk_token)

    def rule(**kw: object) -> requests.Response:
        body = {"redirect_from": "/hc/ja/articles/1", "redirect_to": "/hc/ja/articles/2", "redirect_status": 301}
        return requests.post(url, json={"redirect_rule": {**body, **kw}}, auth=auth, timeout=30)

    assert rule(redirect_from="hc/ja/articles/1").status_code == 400
    assert rule(redirect_from="/hc/ja/articles/1-old-title").status_code == 400  # the slug is left out
    assert rule(redirect_to="ftp://x").status_code == 400
    assert rule(redirect_status=200).status_code == 400
    made = rule()
    assert made.status_code == 204 and made.content == b""
    assert rule(redirect_to="https://example.com", redirect_status="302").status_code == 204  # updated, not added
    listed = requests.get(url, auth=auth, timeout=30).json()["records"]
    assert [(r["redirect_from"], r["redirect_to"], r["redirect_status"]) for r in listed] == [
        ("/hc/ja/articles/1", "https://example.com", "302")]
    assert requests.delete(f"{url}/{listed[0]['id']}", auth=auth, timeout=30).status_code == 204
    assert requests.get(url, auth=auth, timeout=30).json()["records"] == []


PDF = b"%PDF-1.4\n% csops test manual\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_a_pdf_attachment_uploads_once_and_is_reused(tmp_path: Path, hc: Sandbox) -> None:
    import requests

    site = Site(tmp_path, hc)
    files = site.dir / "kb/files"
    (files / "templates").mkdir(parents=True)
    (files / "勤怠マニュアル.pdf").write_bytes(PDF)
    (files / "templates/import.csv").write_text("社員番号,日付,出勤,退勤\n", encoding="utf-8")
    path = add_article(site, "admin/integrations/csv-import.md", "CSVで勤怠を取り込む",
                       "attachments: [勤怠マニュアル.pdf]\n")
    add_article(site, "admin/integrations/csv-export.md", "CSVで勤怠を出力する", "attachments: [勤怠マニュアル.pdf]\n")
    plan = site.kb("publish", "--plan")
    assert "2 attachments would be uploaded" in plan.stdout.splitlines()[-1]
    out = site.publish()
    assert out["created"] == 15 and out["attachments_uploaded"] == 2
    h = hc.helpcenter
    aid = article_with_marker(hc, "admin/integrations/csv-import")["id"]
    mine = [a for a in h.attachments.values() if a["article_id"] == aid]
    assert len(mine) == 1 and mine[0]["inline"] is False and mine[0]["locale"] is None
    assert mine[0]["file_name"].endswith("-勤怠マニュアル.pdf") and h.blobs[mine[0]["id"]] == PDF
    page = requests.get(f"{hc.url}/hc/ja/articles/{aid}", timeout=30).text
    assert 'class="attachments"' in page and "勤怠マニュアル.pdf" in page
    # Unchanged: nothing uploaded, nothing even read about attachments; a body edit uploads nothing either.
    hc.reset_stats()
    assert site.publish()["unchanged"] == 15 and site.writes() == 0
    assert not [k for k in hc.stats if "attachments" in k]
    edit(path, "新しい機能の説明です。", "取り込みの手順です。")
    hc.reset_stats()
    assert site.publish()["attachments_uploaded"] == 0
    assert hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}/translations/{locale}": 1}
    # Another file: uploaded; one dropped from the list: deleted (it was csops'); nothing else touched.
    other = h.attachments[next(iter(h.attachments))]  # an image of the shipped kb, inline: never touched
    edit(path, "attachments: [勤怠マニュアル.pdf]", "attachments: [templates/import.csv]")
    plan = site.kb("publish", "--plan")
    assert "update    admin/integrations/csv-import [ja] (attachments: +import.csv, -勤怠マニュアル.pdf)" in plan.stdout
    hc.reset_stats()
    assert site.publish()["attachments_uploaded"] == 1
    assert hc_writes(hc) == {"POST /api/v2/help_center/articles/{aid}/attachments": 1,
                             "DELETE /api/v2/help_center/articles/attachments/{att_id}": 1}
    assert [a["file_name"].split("-", 1)[1] for a in h.attachments.values() if a["article_id"] == aid] == ["import.csv"]
    assert other["id"] in h.attachments
    # A clone without helpcenter-ids.yaml reads each article's attachments once, finds them by name, uploads none.
    (site.dir / "kb/helpcenter-ids.yaml").unlink()
    hc.reset_stats()
    assert site.publish()["attachments_uploaded"] == 0 and site.writes() == 0
    assert hc.stats["GET /api/v2/help_center/articles/{aid}/attachments/block"] == 2


def test_attachments_stay_inside_files_and_under_20_mb(tmp_path: Path, hc: Sandbox) -> None:
    import os

    import requests

    site = Site(tmp_path, hc)
    files = site.dir / "kb/files"
    files.mkdir()
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    os.symlink(secret, files / "linked.pdf")
    with (files / "huge.pdf").open("wb") as fh:
        fh.truncate(20 * 1024 * 1024 + 1)
    (files / "manual.pdf").write_bytes(PDF)
    path = add_article(site, "admin/integrations/csv-import.md", "CSVで勤怠を取り込む",
                       "attachments:\n  - linked.pdf\n  - ../../secret.pdf\n  - huge.pdf\n  - manul.pdf\n")
    result = site.kb("publish")
    assert result.exit_code == 78 and hc.helpcenter.writes == 0
    rel = "kb/articles/admin/integrations/csv-import.md"
    assert f"{rel}:4:5: outside: attachment 'linked.pdf' leads outside" in result.stderr
    assert f"{rel}:5:5: outside: attachment '../../secret.pdf' leads outside" in result.stderr
    assert f"{rel}:6:5: attachment: attachment 'huge.pdf': 20.0 MB; Zendesk takes at most 20 MB" in result.stderr
    assert f"{rel}:7:5: attachment: attachment 'manul.pdf': no such file under files/ (did you mean 'manual.pdf'?)" \
        in result.stderr
    check = site.kb("check", str(path.relative_to(site.dir)))
    assert check.exit_code == 1 and check.stdout.count("attachment") >= 4
    # The sandbox refuses what Zendesk refuses: one byte past 20 MB; 20 MB itself is taken.
    path.unlink()
    site.publish()
    aid = article_with_marker(hc, "admin/users/roles")["id"]
    o = hc.options
    url = f"{hc.url}/api/v2/help_center/articles/{aid}/attachments"
    auth = (f"{o.zendesk_email}/token", o.zendesk_token)
    with (files / "huge.pdf").open("rb") as fh:
        too_big = requests.post(url, files={"file": ("huge.pdf", fh)}, auth=auth, timeout=60)
    assert too_big.status_code == 413 and not [a for a in hc.helpcenter.attachments.values() if a["article_id"] == aid]
    with (files / "huge.pdf").open("r+b") as fh:
        fh.truncate(20 * 1024 * 1024)
    with (files / "huge.pdf").open("rb") as fh:
        assert requests.post(url, files={"file": ("huge.pdf", fh)}, auth=auth, timeout=60).status_code == 201


def test_the_preview_lists_an_articles_attachments_under_it(tmp_path: Path) -> None:
    import re

    from tests.kb.helpers import make_kb, run, write

    root = make_kb(tmp_path)
    (root / "files").mkdir()
    (root / "files/勤怠マニュアル.pdf").write_bytes(PDF)
    write(root, "admin/integrations/csv-import.md", NEW_ARTICLE.format(
        title="CSVで勤怠を取り込む", front="attachments: [勤怠マニュアル.pdf]\n", body="取り込みの手順です。"))
    out = tmp_path / "site"
    built = run(root, "build", "--out", str(out))
    assert built.exit_code == 0, built.output
    page = (out / "articles/csv-import.html").read_text(encoding="utf-8")
    link = re.search(r'<section class="attachments">.*?<a href="\.\./([^"]+)" download>勤怠マニュアル\.pdf</a>', page,
                     re.S)
    assert link and (out / link.group(1)).read_bytes() == PDF
    assert run(root, "build", "--out", str(root / "files" / "site")).exit_code == 2  # never inside the sources


BLOCK = "<p>本機能の仕様は予告なく変更されることがあります。</p>"


@pytest.mark.slow
def test_an_article_with_guide_content_blocks_is_held_by_name_and_left_unchanged(tmp_path: Path,
                                                                                 hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    path = add_article(site, "employees/requests/leave.md", "休暇を申請する",
                       body="休暇の申請方法です。\n\n<!-- kb-content-block: 免責事項 -->")
    plan = site.kb("publish", "--plan")
    assert "create    employees/requests/leave [ja] — insert content block 免責事項 in Guide" in plan.stdout
    site.publish()
    h = hc.helpcenter
    aid = article_with_marker(hc, "employees/requests/leave")["id"]
    h.insert_content_block(aid, "ja", "免責事項", BLOCK)  # what the writer then did in Guide
    hc.reset_stats()
    assert site.publish()["unchanged"] == 14 and site.writes() == 0  # the flattened block is no edit to report
    h.update_content_block("免責事項", BLOCK.replace("ことがあります", "場合があります"))
    hc.reset_stats()
    assert site.publish()["unchanged"] == 14 and site.writes() == 0
    # The file's body changes: not written, even with --force; named, exit 3; the block stays linked.
    edit(path, "休暇の申請方法です。", "休暇と半休の申請方法です。")
    hc.reset_stats()
    for args in ((), ("--force",)):
        held = site.kb("publish", *args)
        assert held.exit_code == 3, held.output
        assert ("held      employees/requests/leave [ja] — 「休暇を申請する」 uses Guide content blocks (免責事項): "
                "its body is not written" in held.stdout)
        assert "1 held" in held.stdout.splitlines()[-1]
    assert site.writes() == 0
    tr = h.translations[aid]["ja"]
    assert tr["content_blocks"] == ["免責事項"] and "場合があります" in tr["body"] and h.blocks_replaced == []
    # A new title goes (the translation's title alone: the blocks stay); the body is still held.
    edit(path, "title: 休暇を申請する", "title: 休暇・半休を申請する")
    hc.reset_stats()
    assert site.kb("publish").exit_code == 3
    assert hc_writes(hc) == {"PUT /api/v2/help_center/articles/{aid}/translations/{locale}": 1}
    assert tr["title"] == "休暇・半休を申請する" and tr["content_blocks"] == ["免責事項"]
    # kb pull PATH keeps the placeholder and the body; the Help Center's title is already the file's.
    pulled = site.kb("pull", "kb/articles/employees/requests/leave.md")
    assert pulled.exit_code == 0, pulled.output
    assert "kept its body and its content block placeholders (免責事項)" in pulled.stdout
    assert "<!-- kb-content-block: 免責事項 -->" in path.read_text(encoding="utf-8")
    # Asked for: written, and the block becomes its text (Zendesk unlinks it).
    hc.reset_stats()
    assert site.publish("--replace-content-blocks")["updated"] == 1
    assert h.blocks_replaced == [(aid, "ja", ["免責事項"])] and "休暇と半休の申請方法です。" in tr["body"]


def test_nested_sections_need_guide_enterprise_and_keep_their_place(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    kb_yaml = site.dir / "kb/kb.yaml"
    sso = "- id: sso\n  title: {ja: シングルサインオン, en: Single sign-on}\n  position: 1\n"
    nested = "        sections:\n" + "".join(f"          {ln}\n" for ln in sso.splitlines())
    users = "      - id: users\n        title: {ja: ユーザーと権限, en: Users and permissions}\n        position: 1\n"
    edit(kb_yaml, users, users + nested)
    add_article(site, "admin/sso/okta.md", "Oktaでログインする")
    plan = site.kb("publish", "--plan")
    assert "create    section admin/sso — シングルサインオン (in users)" in plan.stdout
    refused = site.kb("publish")
    assert refused.exit_code == 78 and "kb/kb.yaml:" in refused.stderr
    assert "section admin/sso is nested in users, and this Help Center refuses nested sections" in refused.stderr
    assert len(h.sections) == 8
    h.enterprise = True
    assert site.publish()["created"] == 1
    sso_id = next(sid for sid in h.sections if h.translations[sid]["ja"]["title"] == "シングルサインオン")
    users_id = next(sid for sid in h.sections if h.translations[sid]["ja"]["title"] == "ユーザーと権限")
    assert h.sections[sso_id]["parent_section_id"] == users_id
    assert h.sections[sso_id]["category_id"] == h.sections[users_id]["category_id"]
    assert article_with_marker(hc, "admin/sso/okta")["section_id"] == sso_id
    hc.reset_stats()
    assert site.publish()["unchanged"] == 14 and site.writes() == 0
    # A pulled tree keeps the nesting: publishing it back changes nothing.
    assert site.kb("pull", "--into", "pulled").exit_code == 0
    pulled = yaml.safe_load((site.dir / "pulled/kb.yaml").read_text(encoding="utf-8"))
    admin = next(c for c in pulled["categories"] if c["id"] == "admin")
    assert [s["id"] for s in next(s for s in admin["sections"] if s["id"] == "users")["sections"]] == ["sso"]
    hc.reset_stats()
    back = site.kb("--root", "pulled", "publish", "--json")
    assert back.exit_code == 0, back.output
    assert site.writes() == 0
    # Out of its parent, to the category's top level: the same section, one update.
    edit(kb_yaml, nested, "")
    edit(kb_yaml, "      - id: integrations\n", "".join(f"      {ln}\n" for ln in sso.splitlines())
         + "      - id: integrations\n")
    hc.reset_stats()
    out = site.kb("publish")
    assert out.exit_code == 0, out.output
    assert "update    section admin/sso (parent_section_id)" in out.stdout
    assert hc_writes(hc) == {"PUT /api/v2/help_center/sections/{sid}": 1}
    assert h.sections[sso_id]["parent_section_id"] is None


def test_a_pulled_tree_keeps_the_settings_and_publishes_back_unchanged(tmp_path: Path, hc: Sandbox) -> None:
    admin_help_center(hc)
    site = Site(tmp_path, hc)
    add_article(site, "admin/users/partner-access.md", "パートナーの権限", "user_segments: [パートナー, staff]\n"
                                                                         "content_tags: [勤怠]\ncomments: false\n"
                                                                         "permission_group: Agents and managers\n")
    site.publish()
    assert site.kb("pull", "--into", "pulled").exit_code == 0
    pulled = (site.dir / "pulled/articles/admin/users/partner-access.md").read_text(encoding="utf-8")
    front = yaml.safe_load(pulled.split("---\n")[1])
    assert sorted(front["user_segments"]) == ["staff", "パートナー"] and front["content_tags"] == ["勤怠"]
    assert front["comments"] is False and front["permission_group"] == "Agents and managers"
    assert yaml.safe_load((site.dir / "pulled/kb.yaml").read_text(encoding="utf-8"))["defaults"] == {
        "permission_group": "Admins"}
    hc.reset_stats()
    back = site.kb("--root", "pulled", "publish", "--json")
    assert back.exit_code == 0, back.output
    assert site.writes() == 0
    assert sorted(article_with_marker(hc, "admin/users/partner-access")["user_segment_ids"]) == [2002, 2102]


def test_content_tags_stay_within_zendesks_limits(tmp_path: Path, hc: Sandbox) -> None:
    """Guide takes at most 25 content tags per article and 200 per account (Guide product limits): an article over
    the first is a located mistake for kb check and kb publish alike; --create-tags never goes past the second."""
    import requests

    admin_help_center(hc)
    h = hc.helpcenter
    site = Site(tmp_path, hc)
    many = ", ".join(f"タグ{i}" for i in range(26))
    path = add_article(site, "admin/users/tagged.md", "タグの多い記事", f"content_tags: [{many}]\n")
    rel = "kb/articles/admin/users/tagged.md"
    check = site.kb("check", rel)
    assert check.exit_code == 1 and "content_tags: 26 content tags; Zendesk takes at most 25 per article" in \
        check.stdout
    refused = site.kb("publish", "--create-tags")
    assert refused.exit_code == 78 and h.writes == 0 and h.content_tags.keys() == {"01HTAG0000000000000000001"}
    assert f"{rel}:3:1: front-matter: content_tags: 26 content tags; Zendesk takes at most 25" in refused.stderr
    # 199 tags on the Help Center: one more may be created, the second is refused where it is written.
    for i in range(198):
        h.content_tags[f"01HFILL{i:018d}"] = {"id": f"01HFILL{i:018d}", "name": f"既存{i}"}
    edit(path, f"content_tags: [{many}]", "content_tags: [勤怠, 新機能, 既存1, 新製品]")
    over = site.kb("publish", "--create-tags")
    assert over.exit_code == 78, over.output
    assert (f"{rel}:3:1: content_tags: '新製品' would be content tag number 201 of this Help Center, and Zendesk "
            "allows 200 per account") in over.stderr
    assert h.writes == 0
    edit(path, "新製品]", "既存2]")
    assert site.publish("--create-tags")["created"] == 14 and len(h.content_tags) == 200
    # The sandbox refuses what Zendesk refuses.
    o = hc.options
    auth = (f"{o.zendesk_email}/token", o.zendesk_token)
    made = requests.post(f"{hc.url}/api/v2/guide/content_tags", json={"content_tag": {"name": "二百一"}}, auth=auth,
                         timeout=30)
    assert made.status_code == 422 and len(h.content_tags) == 200
    aid = article_with_marker(hc, "admin/users/tagged")["id"]
    tags = sorted(h.content_tags)[:26]
    put = requests.put(f"{hc.url}/api/v2/help_center/articles/{aid}", json={"article": {"content_tag_ids": tags}},
                       auth=auth, timeout=30)
    assert put.status_code == 422 and len(h.articles[aid]["content_tag_ids"]) == 4


def test_sections_nest_at_most_five_levels(tmp_path: Path, hc: Sandbox) -> None:
    """Guide Enterprise takes five levels of sections (Guide limits): kb.yaml deeper is a located mistake, and the
    sandbox refuses a sixth level, whether a section is created there or moved there with its own sections."""
    import requests

    from tests.kb.helpers import make_kb, run

    root = make_kb(tmp_path)
    kb_yaml = root / "kb.yaml"
    spec = yaml.safe_load(kb_yaml.read_text(encoding="utf-8"))

    def nest(levels: int) -> None:
        users = next(s for c in spec["categories"] if c["id"] == "admin" for s in c["sections"] if s["id"] == "users")
        for level in range(2, levels + 1):
            users["sections"] = [{"id": f"level{level}", "title": {"ja": f"第{level}階層", "en": f"Level {level}"}}]
            users = users["sections"][0]
        kb_yaml.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")

    nest(6)
    deep = run(root, "check")
    assert deep.exit_code == 78, deep.output
    assert "kb.yaml:" in deep.stderr and \
        "sections: nested 6 levels deep in category 'admin'; Guide takes at most 5 levels of sections" in deep.stderr
    nest(5)
    assert "kb.yaml" not in run(root, "check").stderr
    # The sandbox: five levels created one in another, not a sixth; a section with a child not moved to level 5.
    hc.helpcenter.enterprise = True
    o = hc.options
    auth = (f"{o.zendesk_email}/token", o.zendesk_token)
    base = hc.url + "/api/v2/help_center"
    cat = requests.post(f"{base}/categories", json={"category": {"name": "C", "locale": "ja"}}, auth=auth,
                        timeout=30).json()["category"]["id"]

    def section(parent: int | None, name: str) -> requests.Response:
        return requests.post(f"{base}/categories/{cat}/sections", json={"section": {
            "name": name, "locale": "ja", **({"parent_section_id": parent} if parent else {})}}, auth=auth, timeout=30)

    chain: list[int] = []
    for level in range(1, 6):
        made = section(chain[-1] if chain else None, f"L{level}")
        assert made.status_code == 201, made.text
        chain.append(made.json()["section"]["id"])
    assert section(chain[-1], "L6").status_code == 422
    other = section(None, "X").json()["section"]["id"]
    assert section(other, "X2").status_code == 201
    moved = requests.put(f"{base}/sections/{other}", json={"section": {"parent_section_id": chain[3]}}, auth=auth,
                         timeout=30)
    assert moved.status_code == 422 and hc.helpcenter.sections[other]["parent_section_id"] is None
