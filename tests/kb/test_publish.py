"""`kb publish` against the sandbox's Help Center over loopback HTTP."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from csops.demo import sample_kb
from csops.kb_cli import kb
from csops.starter import sandbox_config, sandbox_env
from sandbox.server import Sandbox
from tests.conftest import make_sandbox

WRITES = ("POST ", "PUT ", "DELETE ", "PATCH ")
TOKEN_GRANT = "POST /oauth/tokens"  # asking for an access token writes nothing to the Help Center


def hc_writes(sb: Sandbox) -> dict[str, int]:
    """Writes to the Help Center per endpoint template."""
    return {k: n for k, n in sb.stats.items() if k.startswith(WRITES) and k != TOKEN_GRANT}


class Site:
    def __init__(self, tmp: Path, sb: Sandbox, name: str = "site") -> None:
        self.sb = sb
        self.dir = tmp / name
        self.dir.mkdir()
        sample_kb(self.dir)
        self.config = self.dir / "csops.yaml"
        o = sb.options
        text = sandbox_config(sb.url, o.zendesk_email, o.sf_username)
        self.config.write_text(text.replace("  max_retry_wait_seconds: 60\n", "  max_retry_wait_seconds: 60\n"
                                            "  retry_backoff_seconds: 0.02\n"), encoding="utf-8")
        self.env = sandbox_env(o)

    def kb(self, *args: str) -> Result:
        old = os.getcwd()
        os.chdir(self.dir)
        try:
            return CliRunner().invoke(kb, ["--config", str(self.config), "--root", "kb", *args], env=self.env,
                                      catch_exceptions=False)
        finally:
            os.chdir(old)

    def publish(self, *args: str) -> dict[str, Any]:
        result = self.kb("publish", "--json", *args)
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.stdout))

    def writes(self) -> int:
        return sum(hc_writes(self.sb).values())


def live(sb: Sandbox) -> list[dict[str, Any]]:
    return [a for a in sb.helpcenter.articles.values() if not a["archived"]]


def names(sb: Sandbox, items: dict[int, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(locale, name, description) of every translation of these categories or sections."""
    return sorted((loc, t["title"], t["body"]) for oid in items for loc, t in sb.helpcenter.translations[oid].items())


def section_named(sb: Sandbox, name: str) -> dict[str, Any]:
    h = sb.helpcenter
    return next(s for s in h.sections.values() if h.translations[s["id"]][s["source_locale"]]["title"] == name)


def normalized(sb: Sandbox) -> dict[str, Any]:
    """The Help Center's content with its ids and hosts taken out, to compare two of them."""
    h = sb.helpcenter
    out: dict[str, Any] = {"categories": names(sb, h.categories), "sections": names(sb, h.sections), "articles": {}}
    for a in live(sb):
        for loc, t in h.translations[a["id"]].items():
            m = re.search(r'data-csops-key="([^"]+)"', t["body"])
            body = re.sub(r"/articles/\d+", "/articles/N", t["body"])
            body = re.sub(r"http://127\.0\.0\.1:\d+", "", body)
            body = re.sub(r"article_attachments/\d+", "article_attachments/N", body)
            body = re.sub(r'data-csops-(hash|body)="[0-9a-f]*"', "", body)  # they cover the ids, which differ
            out["articles"][(m.group(1) if m else "?", loc)] = (t["title"], t["draft"], body, a["label_names"],
                                                               a["promoted"])
    return out


def test_sample_kb_published(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    out = site.publish()
    h = hc.helpcenter
    # One image is used by the ja and the en-us translation: an inline attachment of each.
    assert out["created"] == 13 and out["failed"] == 0 and out["images_uploaded"] == 3
    assert len(h.categories) == 4 and len(h.sections) == 8
    assert len(live(hc)) == 13
    assert sum(len(h.translations[a["id"]]) for a in live(hc)) == 16
    assert all(a["permission_group_id"] == 1524 and a["user_segment_id"] is None for a in live(hc))
    first = next(a for a in live(hc) if "ja" in h.translations[a["id"]]
                 and 'csops-key="getting-started/setup/first-steps"' in h.translations[a["id"]]["ja"]["body"])
    body = h.translations[first["id"]]["ja"]["body"]
    assert 'data-csops-key="getting-started/setup/first-steps"' in body
    assert re.search(rf'href="{hc.url}/hc/ja/articles/\d+#手順"', body), body
    images = re.findall(r'src="([^"]+)"', body)
    assert images and all("/hc/article_attachments/" in u for u in images)
    assert requests.get(images[0], timeout=30).content[:4] == b"\x89PNG"
    assert all(a["inline"] for a in h.attachments.values())
    assert first["promoted"] is True and first["label_names"] == ["初期設定", "管理者"]
    en = h.translations[first["id"]]["en-us"]
    assert en["title"] == "Getting started with Cloud Kintai"
    assert re.search(rf'href="{hc.url}/hc/en-us/articles/\d+"', en["body"])


def test_republish_is_zero_writes_and_one_change_is_one_write(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    hc.reset_stats()
    again = site.publish()
    assert again["created"] == again["updated"] == 0 and again["unchanged"] == 13
    assert site.writes() == 0
    path = site.dir / "kb/articles/employees/requests/approve-requests.md"
    path.write_text(path.read_text(encoding="utf-8").replace("差し戻します。", "差し戻せます。"), encoding="utf-8")
    hc.reset_stats()
    plan = site.kb("publish", "--dry-run")
    assert "update    employees/requests/approve-requests [ja] (body)" in plan.stdout
    assert site.writes() == 0
    changed = site.publish()
    assert changed["updated"] == 1 and changed["unchanged"] == 12
    assert hc_writes(hc) == \
        {"PUT /api/v2/help_center/articles/{aid}/translations/{locale}": 1}
    meta = site.dir / "kb/articles/employees/requests/overtime-request.md"
    meta.write_text(meta.read_text(encoding="utf-8").replace("labels: [従業員, 申請]", "labels: [従業員, 申請, 残業]"),
                    encoding="utf-8")
    hc.reset_stats()
    site.publish()
    assert hc_writes(hc) == \
        {"PUT /api/v2/help_center/articles/{aid}": 1}


def test_fresh_checkout_finds_everything_and_creates_no_duplicate(tmp_path: Path, hc: Sandbox) -> None:
    Site(tmp_path, hc, "laptop").publish()
    hc.reset_stats()
    ci = Site(tmp_path, hc, "ci-clone")  # no local state of any kind
    out = ci.publish()
    assert out["created"] == 0 and out["unchanged"] == 13 and ci.writes() == 0
    assert len(live(hc)) == 13 and len(hc.helpcenter.categories) == 4


@pytest.mark.slow
def test_faults_converge_to_the_same_help_center(tmp_path: Path, hc: Sandbox) -> None:
    reference = make_sandbox(accounts=3, tickets=3)
    try:
        Site(tmp_path, reference, "reference").publish()
        site = Site(tmp_path, hc)
        hc.fail_rate = 0.25
        codes = []
        for _ in range(15):
            result = site.kb("publish", "--json")
            codes.append(result.exit_code)
            if result.exit_code == 0:
                break
        hc.fail_rate = 0.0
        assert hc.faults > 0
        assert codes[-1] == 0, codes
        assert normalized(hc) == normalized(reference)
        keys = [re.search(r'data-csops-key="([^"]+)"', hc.helpcenter.translations[a["id"]][a["source_locale"]]["body"])
                for a in live(hc)]
        assert len(keys) == 13 and len({k.group(1) for k in keys if k}) == 13  # no duplicates
        hc.reset_stats()
        assert site.publish()["unchanged"] == 13 and site.writes() == 0
    finally:
        reference.stop()


def test_unlinked_same_title_is_reported_then_adopted(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    path = site.dir / "kb/articles/employees/requests/leave.md"
    path.write_text("---\ntitle: 休暇を申請する\n---\n\n## 概要\n\n休暇を申請します。\n\n"
                    "## 申請する\n\n1. ［申請］を開きます。\n", encoding="utf-8")
    h = hc.helpcenter
    section = section_named(hc, "申請と承認")
    made = h.translations  # an article written by hand in the Help Center, without a marker
    aid = next(h.ids)
    h.articles[aid] = {"id": aid, "section_id": section["id"], "source_locale": "ja", "label_names": [],
                       "promoted": False, "position": 0, "permission_group_id": 1524, "user_segment_id": None,
                       "archived": False, "created_at": "", "updated_at": "", "edited_at": ""}
    made[aid] = {"ja": {"locale": "ja", "title": "休暇を申請する", "body": "<p>手書き</p>", "draft": False}}
    result = site.kb("publish")
    assert result.exit_code == 3
    assert "conflict  employees/requests/leave [ja]" in result.stdout and f"(id {aid})" in result.stdout
    assert len(live(hc)) == 14  # not duplicated
    adopted = site.publish("--adopt")
    assert adopted["failed"] == 0
    assert len(live(hc)) == 14
    assert 'data-csops-key="employees/requests/leave"' in h.translations[aid]["ja"]["body"]


def test_removed_file_is_reported_and_archived_only_on_request(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    (site.dir / "kb/articles/getting-started/faq/trial-faq.md").unlink()
    report = site.kb("publish")
    assert "removed   getting-started/faq/trial-faq" in report.stdout and "--archive-removed" in report.stdout
    assert len(live(hc)) == 13
    out = site.publish("--archive-removed")
    assert out["archived"] == 1 and len(live(hc)) == 12


def test_missing_permission_group_lists_the_help_centers(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.config.write_text(site.config.read_text().replace("permission_group_id: 1524", "permission_group_id:"))
    result = site.kb("publish")
    assert result.exit_code == 78
    assert "permission_group_id is not set" in result.stderr and "1524 (Admins)" in result.stderr
    site.config.write_text(site.config.read_text().replace("permission_group_id:", "permission_group_id: 99"))
    result = site.kb("publish")
    assert result.exit_code == 78 and "permission_group_id 99 does not exist" in result.stderr
    assert hc.helpcenter.writes == 0


def test_help_center_rules_of_the_sandbox(hc: Sandbox) -> None:
    auth = (f"{hc.options.zendesk_email}/token", hc.options.zendesk_token)
    base = hc.url + "/api/v2/help_center"
    cat = requests.post(base + "/categories", json={"category": {"name": "C"}}, auth=auth,
                        timeout=30).json()["category"]
    sec = requests.post(f"{base}/categories/{cat['id']}/sections", json={"section": {"name": "S"}}, auth=auth,
                        timeout=30).json()["section"]
    missing = requests.post(f"{base}/sections/{sec['id']}/articles", json={"article": {"title": "T", "locale": "ja"}},
                            auth=auth, timeout=30)
    assert missing.status_code == 400
    assert "You must provide user_segment_id. Set to 'null' to make it visible to everyone" in missing.text
    assert "You must provide permission_group_id." in missing.text
    created = requests.post(f"{base}/sections/{sec['id']}/articles", auth=auth, timeout=30, json={"article": {
        "title": "T", "locale": "ja", "permission_group_id": 1524, "user_segment_id": None,
        "body": '<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">l</a></p>'}})
    art = created.json()["article"]
    assert "script" not in art["body"] and "onclick" not in art["body"] and "javascript:" not in art["body"]
    put = requests.put(f"{base}/articles/{art['id']}", json={"article": {"title": "ignored", "body": "ignored",
                                                                          "promoted": True}}, auth=auth, timeout=30)
    assert put.status_code == 200 and put.json()["article"]["title"] == "T" and put.json()["article"]["promoted"]
    up = requests.post(f"{base}/articles/{art['id']}/attachments", files={"file": ("a.png", b"\x89PNG", "image/png")},
                       data={"inline": "true"}, auth=auth, timeout=30)
    assert up.status_code == 201 and up.json()["article_attachment"]["inline"] is True
    assert requests.delete(f"{base}/articles/{art['id']}", auth=auth, timeout=30).status_code == 204
    assert requests.get(f"{base}/articles", auth=auth, timeout=30).json()["articles"] == []


def test_pull_then_publish_is_a_no_op(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    pulled = site.kb("pull", "--into", "pulled")
    assert pulled.exit_code == 0, pulled.output
    assert "pulled 13 articles (16 translations), 4 categories, 8 sections, 3 images" in pulled.stdout
    root = site.dir / "pulled"
    assert (root / "articles/getting-started/setup/first-steps.md").exists()
    assert (root / "articles/getting-started/setup/first-steps.en-us.md").exists()  # Help Center locale codes
    text = (root / "articles/getting-started/setup/first-steps.md").read_text(encoding="utf-8")
    assert "title: 初期設定の流れ" in text and "promoted: true" in text
    assert "](../../admin/users/invite-users.md#手順)" in text          # links relative again
    assert "](../../../images/setup-flow.png)" in text                 # images downloaded
    check = CliRunner().invoke(kb, ["--root", str(root), "check"])
    assert "error" not in check.stdout.split("\n")[0] if check.stdout else True
    assert check.exit_code == 0, check.stdout
    hc.reset_stats()
    out = site.kb("--root", "pulled", "publish", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"created": 0, "updated": 0, "unchanged": 13, "archived": 0, "redirected": 0,
                                      "images_uploaded": 0, "attachments_uploaded": 0,
                                      "api_calls": json.loads(out.stdout)["api_calls"],
                                      "failed": 0, "drifted": 0, "held": 0, "blocked": 0}
    assert site.writes() == 0


def test_pull_an_unmanaged_help_center(tmp_path: Path, hc: Sandbox) -> None:
    auth = (f"{hc.options.zendesk_email}/token", hc.options.zendesk_token)
    base = hc.url + "/api/v2/help_center"
    cat = requests.post(base + "/categories", json={"category": {"name": "FAQ", "position": 1}}, auth=auth,
                        timeout=30).json()["category"]
    sec = requests.post(f"{base}/categories/{cat['id']}/sections", json={"section": {"name": "General"}},
                        auth=auth, timeout=30).json()["section"]
    requests.post(f"{base}/sections/{sec['id']}/articles", auth=auth, timeout=30, json={"article": {
        "title": "料金について", "locale": "ja", "permission_group_id": 1524, "user_segment_id": None,
        "body": "<h2>支払い方法</h2><p>クレジットカードと請求書払いに対応しています。</p>"
                "<ul><li>月払い</li><li>年払い</li></ul><pre><code class=\"language-sh\">echo ok</code></pre>"}})
    site = Site(tmp_path, hc)
    assert site.kb("pull", "--into", "imported").exit_code == 0
    root = site.dir / "imported"
    files = list((root / "articles").rglob("*.md"))
    assert len(files) == 1 and files[0].parent.parent.name == "faq" and files[0].parent.name == "general"
    text = files[0].read_text(encoding="utf-8")
    assert "## 支払い方法" in text and "- 月払い" in text and "```sh" in text
    assert CliRunner().invoke(kb, ["--root", str(root), "check"]).exit_code == 0


def test_doctor_checks_the_help_center_permission_group(tmp_path: Path, hc: Sandbox) -> None:
    from csops.cli import cli

    site = Site(tmp_path, hc)
    old = os.getcwd()
    os.chdir(site.dir)
    try:
        ok = CliRunner().invoke(cli, ["--config", str(site.config), "doctor"], env=site.env)
        assert "ok   help center: permission group 1524 exists" in ok.stdout
        site.config.write_text(site.config.read_text().replace("permission_group_id: 1524", "permission_group_id: 7"))
        bad = CliRunner().invoke(cli, ["--config", str(site.config), "doctor"], env=site.env)
        assert bad.exit_code == 78
        assert "FAIL help center: permission group 7 does not exist" in bad.stdout and "1524 (Admins)" in bad.stdout
    finally:
        os.chdir(old)


def test_plan_names_what_changed_and_locale_limits_the_writes(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    ja = site.dir / "kb/articles/getting-started/setup/first-steps.md"
    en = site.dir / "kb/articles/getting-started/setup/first-steps.en.md"
    ja.write_text(ja.read_text(encoding="utf-8").replace("title: 初期設定の流れ", "title: 初期設定の全体の流れ"),
                  encoding="utf-8")
    en.write_text(en.read_text(encoding="utf-8").replace("Everything is done", "All of it is done"), encoding="utf-8")
    plan = site.kb("publish", "--dry-run")
    assert "update    getting-started/setup/first-steps [ja] (title)" in plan.stdout
    assert "update    getting-started/setup/first-steps [en] (body)" in plan.stdout
    hc.reset_stats()
    out = site.publish("--locale", "en")
    assert out["updated"] == 1
    assert hc_writes(hc) == \
        {"PUT /api/v2/help_center/articles/{aid}/translations/{locale}": 1}
    titles = {loc: t["title"] for a in live(hc) for loc, t in hc.helpcenter.translations[a["id"]].items()
              if 'csops-key="getting-started/setup/first-steps"' in t["body"]}
    assert titles == {"ja": "初期設定の流れ", "en-us": "Getting started with Cloud Kintai"}
    bad = site.kb("publish", "--locale", "fr")
    assert bad.exit_code == 2 and "not one of kb.yaml's locales" in bad.stderr


def test_admonition_titles_are_published_in_the_articles_language(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    path = site.dir / "kb" / "articles" / "employees" / "timecard" / "memo.md"
    path.write_text("---\ntitle: メモの書き方\n---\n\n## 概要\n\n説明です。\n\n!!! note\n    大切な点です。\n\n"
                    "## 手順\n\n1. ［設定］を開きます。\n", encoding="utf-8")
    site.publish()
    bodies = [t["body"] for trs in hc.helpcenter.translations.values() for t in trs.values()
              if "大切な点です" in t["body"]]
    assert len(bodies) == 1 and "メモ" in bodies[0] and ">Note<" not in bodies[0]


def test_every_help_center_field_in_front_matter_is_published_and_pulled_back(tmp_path: Path, hc: Sandbox) -> None:
    """The front matter keys that are Help Center fields go out through the right endpoint and come back
    through kb pull as they were written."""
    import yaml

    from kb.articles import HELP_CENTER_FIELDS

    site = Site(tmp_path, hc)
    front = {"title": "打刻の修正を承認する", "labels": ["承認", "打刻"], "draft": True, "promoted": True,
             "position": 7}
    assert set(front) == {f.key for f in HELP_CENTER_FIELDS}
    path = site.dir / "kb/articles/employees/requests/approve-corrections.md"
    path.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n## 概要\n\n"
                    "打刻の修正を承認します。\n\n## 手順\n\n1. ［申請］を開きます。\n", encoding="utf-8")
    site.publish()
    h = hc.helpcenter
    art = next(a for a in live(hc) if 'csops-key="employees/requests/approve-corrections"' in
               h.translations[a["id"]][a["source_locale"]]["body"])
    tr = h.translations[art["id"]]["ja"]
    assert (tr["title"], tr["draft"]) == ("打刻の修正を承認する", True)
    assert (art["label_names"], art["promoted"], art["position"]) == (["承認", "打刻"], True, 7)
    assert site.kb("pull", "--into", "pulled").exit_code == 0
    pulled = (site.dir / "pulled/articles/employees/requests/approve-corrections.md").read_text(encoding="utf-8")
    assert yaml.safe_load(pulled.split("---\n")[1]) == front
