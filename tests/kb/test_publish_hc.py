"""`kb publish` against a Help Center as strict as Zendesk's: locales, translated categories and sections,
drift, stable identity, the publish gate, attachments per translation (sandbox over loopback HTTP)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner

from sandbox.server import Sandbox
from tests.kb.test_publish import Site, hc_writes, live, names

writes = hc_writes


def api(sb: Sandbox, method: str, path: str, **kw: Any) -> requests.Response:
    auth = (f"{sb.options.zendesk_email}/token", sb.options.zendesk_token)
    return requests.request(method, sb.url + "/api/v2/help_center" + path, auth=auth, timeout=30, **kw)


def test_shipped_kb_publishes_completely_in_both_locales(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    out = site.publish()
    assert out["created"] == 13 and out["failed"] == 0
    h = hc.helpcenter
    # Categories and sections are translated into every locale, with kb.yaml's English names.
    cats = names(hc, h.categories)
    assert ("en-us", "Getting started", "From setup to go-live") in cats
    assert ("ja", "はじめに", "導入から本番稼働までの流れ") in cats
    assert len(cats) == 8 and len(names(hc, h.sections)) == 16
    api_access = next(a for a in live(hc) if a["source_locale"] == "en-us")
    assert h.translations[api_access["id"]]["en-us"]["title"] == "Using the Cloud Kintai API"
    # Every translation is visible on its public page: its section and category exist in its locale.
    shown = 0
    for a in live(hc):
        for loc, tr in h.translations[a["id"]].items():
            page = requests.get(f"{hc.url}/hc/{loc}/articles/{a['id']}", timeout=30)
            assert page.status_code == (404 if tr["draft"] else 200), (loc, tr["title"])
            shown += page.status_code == 200
    assert shown >= 14
    hc.reset_stats()
    assert site.publish()["unchanged"] == 13 and site.writes() == 0


def test_a_locale_the_help_center_has_not_enabled_stops_before_any_write(tmp_path: Path, hc: Sandbox) -> None:
    hc.helpcenter.locales = ["ja", "en-us", "en-gb"]
    site = Site(tmp_path, hc)
    kb_yaml = site.dir / "kb/kb.yaml"
    kb_yaml.write_text(kb_yaml.read_text(encoding="utf-8").replace("help_center_locales: {en: en-us}\n", ""),
                       encoding="utf-8")
    result = site.kb("publish")
    assert result.exit_code == 78
    assert "locale en is not enabled in this Help Center (enabled: ja, en-us, en-gb" in result.stderr
    assert "admin/integrations/api-access.md" in result.stderr and "help_center_locales" in result.stderr
    assert hc.helpcenter.writes == 0
    kb_yaml.write_text(kb_yaml.read_text(encoding="utf-8") + "help_center_locales: {en: en-gb}\n", encoding="utf-8")
    assert site.publish()["created"] == 13
    assert {a["source_locale"] for a in live(hc)} == {"ja", "en-gb"}


def test_doctor_checks_the_locales(tmp_path: Path, hc: Sandbox) -> None:
    from csops.cli import cli

    site = Site(tmp_path, hc)
    site.config.write_text(site.config.read_text() + f"\nkb:\n  root: {site.dir / 'kb'}\n"
                           if "\nkb:" not in site.config.read_text() else
                           site.config.read_text().replace("\nkb:\n", f"\nkb:\n  root: {site.dir / 'kb'}\n", 1))
    old = os.getcwd()
    os.chdir(site.dir)
    try:
        ok = CliRunner().invoke(cli, ["--config", str(site.config), "doctor"], env=site.env)
        assert "ok   help center: permission group 1524 exists; locales ja → ja, en → en-us" in ok.stdout, ok.stdout
        hc.helpcenter.locales = ["ja"]
        bad = CliRunner().invoke(cli, ["--config", str(site.config), "doctor"], env=site.env)
        assert bad.exit_code == 78 and "kb.yaml locale en is not enabled in the Help Center (enabled: ja" in bad.stdout
    finally:
        os.chdir(old)


def test_a_description_edit_costs_one_write_then_none(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    kb_yaml = site.dir / "kb/kb.yaml"
    kb_yaml.write_text(kb_yaml.read_text(encoding="utf-8").replace("en: From setup to go-live",
                                                                  "en: From sign-up to go-live"), encoding="utf-8")
    plan = site.kb("publish", "--dry-run")
    assert "update    category getting-started [en-us] (description)" in plan.stdout
    hc.reset_stats()
    site.publish()
    assert writes(hc) == {"PUT /api/v2/help_center/categories/{oid}/translations/{locale}": 1}
    assert ("en-us", "Getting started", "From sign-up to go-live") in names(hc, hc.helpcenter.categories)
    hc.reset_stats()
    site.publish()
    assert writes(hc) == {}


def test_a_rename_in_kb_yaml_renames_and_creates_nothing(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    ids = (site.dir / "kb/helpcenter-ids.yaml").read_text(encoding="utf-8")
    assert "getting-started/setup:" in ids and "getting-started/setup/first-steps:" in ids
    kb_yaml = site.dir / "kb/kb.yaml"
    text = kb_yaml.read_text(encoding="utf-8").replace("{ja: はじめに, en: Getting started}",
                                                       "{ja: まずはここから, en: Start here}")
    kb_yaml.write_text(text.replace("{ja: 打刻, en: Clocking in and out}", "{ja: 出退勤の打刻, en: Clocking in}"),
                       encoding="utf-8")
    hc.reset_stats()
    out = site.publish()
    assert out["created"] == 0 and out["unchanged"] == 13
    assert writes(hc) == {"PUT /api/v2/help_center/categories/{oid}/translations/{locale}": 2,
                          "PUT /api/v2/help_center/sections/{oid}/translations/{locale}": 2}
    h = hc.helpcenter
    assert len(h.categories) == 4 and len(h.sections) == 8
    assert ("en-us", "Start here", "From setup to go-live") in names(hc, h.categories)
    assert ("ja", "出退勤の打刻", "") in names(hc, h.sections)


def test_sandbox_help_center_is_as_strict_as_zendesk(hc: Sandbox) -> None:
    cat = api(hc, "POST", "/categories", json={"category": {"name": "C", "description": "d", "locale": "ja"}})
    cid = cat.json()["category"]["id"]
    assert api(hc, "POST", "/categories", json={"category": {"name": "C", "locale": "en"}}).status_code == 400
    put = api(hc, "PUT", f"/categories/{cid}", json={"category": {"name": "ignored", "description": "x",
                                                                   "position": 3}})
    assert put.json()["category"]["name"] == "C" and put.json()["category"]["position"] == 3
    tr = {"translation": {"locale": "en-us", "title": "C-en", "body": "d-en"}}
    assert api(hc, "PUT", f"/categories/{cid}/translations/en-us", json=tr).status_code == 404
    assert api(hc, "POST", f"/categories/{cid}/translations", json=tr).status_code == 201
    assert api(hc, "POST", f"/categories/{cid}/translations", json=tr).status_code == 400  # exists
    bad = {"translation": {"locale": "en", "title": "x"}}
    assert api(hc, "POST", f"/categories/{cid}/translations", json=bad).status_code == 400  # not enabled
    sec = api(hc, "POST", f"/categories/{cid}/sections", json={"section": {"name": "S"}}).json()["section"]
    art = api(hc, "POST", f"/sections/{sec['id']}/articles", json={"article": {
        "title": "T", "locale": "ja", "permission_group_id": 1524, "user_segment_id": None}}).json()["article"]
    api(hc, "POST", f"/articles/{art['id']}/translations",
        json={"translation": {"locale": "en-us", "title": "T-en", "body": "<p>x</p>"}})
    # Category translated into en-us, section not: the en-us translation is not shown.
    assert requests.get(f"{hc.url}/hc/en-us/articles/{art['id']}", timeout=30).status_code == 404
    assert requests.get(f"{hc.url}/hc/ja/articles/{art['id']}", timeout=30).status_code == 200
    api(hc, "POST", f"/sections/{sec['id']}/translations", json={"translation": {"locale": "en-us", "title": "S"}})
    assert requests.get(f"{hc.url}/hc/en-us/articles/{art['id']}", timeout=30).status_code == 200
    # An inline attachment no longer embedded in its translation is deleted when the body is saved.
    att = api(hc, "POST", f"/articles/{art['id']}/attachments", files={"file": ("a.png", b"\x89PNG", "image/png")},
              data={"inline": "true", "locale": "ja"}).json()["article_attachment"]
    body = f'<p><img src="{att["content_url"]}"></p>'
    api(hc, "PUT", f"/articles/{art['id']}/translations/ja", json={"translation": {"body": body}})
    assert att["id"] in hc.helpcenter.attachments
    api(hc, "PUT", f"/articles/{art['id']}/translations/en-us", json={"translation": {"body": body}})
    assert att["id"] in hc.helpcenter.attachments  # it belongs to the ja translation
    api(hc, "PUT", f"/articles/{art['id']}/translations/ja", json={"translation": {"body": "<p>none</p>"}})
    assert att["id"] not in hc.helpcenter.attachments
    assert api(hc, "GET", "/locales").json() == {"locales": ["ja", "en-us"], "default_locale": "ja"}


def by_key(sb: Sandbox, key: str) -> dict[str, Any]:
    h = sb.helpcenter
    return next(a for a in live(sb) if f'csops-key="{key}"' in h.translations[a["id"]][a["source_locale"]]["body"])


def first_steps(sb: Sandbox) -> dict[str, Any]:
    return by_key(sb, "getting-started/setup/first-steps")


def edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edit_in_the_help_center_is_reported_and_kept(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    art = first_steps(hc)
    tr = hc.helpcenter.translations[art["id"]]["ja"]
    # An editor's save: text changed, the marker's attributes reordered and single-quoted (still found).
    tr["body"] = tr["body"].replace("<h2", "<p>編集部の追記です。</p><h2", 1)
    tr["body"] = tr["body"].replace('<span class="csops-source" data-csops-key="getting-started/setup/first-steps"',
                                    "<span data-csops-key='getting-started/setup/first-steps' class='csops-source'")
    edited = tr["body"]
    hc.reset_stats()
    unchanged_locally = site.kb("publish")
    assert unchanged_locally.exit_code == 3 and site.writes() == 0
    assert "drifted   getting-started/setup/first-steps [ja]" in unchanged_locally.stdout
    path = site.dir / "kb/articles/getting-started/setup/first-steps.md"
    edit_file(path, "全体像を説明します。", "流れを説明します。")
    result = site.kb("publish")
    assert result.exit_code == 3, result.output
    assert "kb pull" in result.stdout and "--force overwrites" in result.stdout
    assert "1 drifted" in result.stdout and site.writes() == 0
    assert hc.helpcenter.translations[art["id"]]["ja"]["body"] == edited  # kept
    assert len(live(hc)) == 13
    forced = site.publish("--force")
    assert forced["updated"] == 1 and "編集部の追記" not in hc.helpcenter.translations[art["id"]]["ja"]["body"]
    hc.reset_stats()
    assert site.publish()["unchanged"] == 13 and site.writes() == 0


def test_a_marker_removed_by_the_editor_creates_no_duplicate(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    art = first_steps(hc)
    h = hc.helpcenter
    tr = h.translations[art["id"]]["ja"]
    import re

    tr["body"] = re.sub(r"<span class=\"csops-source\"[^>]*></span>", "", tr["body"])  # the editor dropped it
    tr["title"] = "初期設定の流れ（改訂）"
    edit_file(site.dir / "kb/articles/getting-started/setup/first-steps.md", "title: 初期設定の流れ",
              "title: 初期設定のすべて")
    links_before = {a["id"]: h.translations[a["id"]]["ja"]["body"] for a in live(hc) if "ja" in h.translations[a["id"]]}
    result = site.kb("publish")
    assert result.exit_code == 3 and "the csops marker was removed" in result.stdout
    assert len(live(hc)) == 13 and "create " not in result.stdout
    assert {a["id"]: h.translations[a["id"]]["ja"]["body"] for a in live(hc)
            if "ja" in h.translations[a["id"]] and a["id"] != art["id"]} == \
        {k: v for k, v in links_before.items() if k != art["id"]}  # no link re-pointed
    site.publish("--force")
    assert len(live(hc)) == 13 and h.translations[art["id"]]["ja"]["title"] == "初期設定のすべて"
    assert 'data-csops-key="getting-started/setup/first-steps"' in h.translations[art["id"]]["ja"]["body"]


def test_articles_with_check_errors_are_not_published(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    path = site.dir / "kb/articles/employees/timecard/clock-in.md"
    edit_file(path, "## 概要\n", "## 概要\n\nユーザが打刻します。\n")  # a `terms` error
    result = site.kb("publish")
    assert result.exit_code == 3
    assert "blocked   employees/timecard/clock-in — kb check: kb/articles/employees/timecard/clock-in.md:" in \
        result.stdout and "terms" in result.stdout
    assert len(live(hc)) == 12
    assert site.publish("--force")["created"] == 1 and len(live(hc)) == 13


def test_dry_run_counts_what_would_be_created(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    plan = site.kb("publish", "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert "13 would be created" in plan.stdout and "nothing was written" in plan.stdout
    assert hc.helpcenter.writes == 0


def test_a_raw_marker_in_the_source_is_a_check_error(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    path = site.dir / "kb/articles/employees/timecard/clock-in.md"
    edit_file(path, "## 概要\n", '## 概要\n\n<span class="csops-source" data-csops-key="admin/users/roles" '
                                 'data-csops-hash="0"></span>\n')
    check = site.kb("check", "kb/articles/employees/timecard/clock-in.md")
    assert check.exit_code == 1 and "raw-marker" in check.stdout
    site.publish("--force")  # even forced, the copied marker does not give the article another identity
    site.publish("--force")
    assert len(live(hc)) == 13


def test_new_articles_are_created_in_one_call_each(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    out = site.publish()
    w = writes(hc)
    creates = w["POST /api/v2/help_center/sections/{sid}/articles"]
    second = w.get("PUT /api/v2/help_center/articles/{aid}/translations/{locale}", 0)
    assert creates == 13 and out["created"] == 13
    # Only articles linking to an article created later in the run, or with an image to attach, write twice.
    assert 0 < second < 8, w


def test_an_interrupted_publish_reuses_the_attachment_already_there(tmp_path: Path, hc: Sandbox) -> None:
    import hashlib

    site = Site(tmp_path, hc)
    site.publish()
    h = hc.helpcenter
    roles = by_key(hc, "admin/users/roles")
    data = (site.dir / "kb/images/clock-in-button.png").read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:12]
    # A run that uploaded the image, then died before writing the body that embeds it.
    api(hc, "POST", f"/articles/{roles['id']}/attachments",
        files={"file": (f"{digest}-clock-in-button.png", data, "image/png")}, data={"inline": "true", "locale": "ja"})
    edit_file(site.dir / "kb/articles/admin/users/roles.md", "## 概要\n",
              "## 概要\n\n![打刻ボタン](../../../images/clock-in-button.png)\n")
    out = site.publish()
    assert out["images_uploaded"] == 0 and out["updated"] == 1
    mine = [a for a in h.attachments.values() if a["article_id"] == roles["id"]]
    assert len(mine) == 1 and mine[0]["content_url"] in h.translations[roles["id"]]["ja"]["body"]


def test_a_publish_running_holds_the_lock(tmp_path: Path, hc: Sandbox) -> None:
    from store import RunLock

    site = Site(tmp_path, hc)
    with RunLock(site.dir / "kb/.publish"):
        result = site.kb("publish")
    assert result.exit_code == 75 and "another csops run holds the lock" in result.stderr
    assert hc.helpcenter.writes == 0
    assert site.kb("publish", "--dry-run").exit_code == 0  # a dry run writes nothing and needs no lock


def test_two_publishes_at_once_create_no_duplicates(tmp_path: Path, hc: Sandbox) -> None:
    import subprocess
    import sys

    site = Site(tmp_path, hc)
    hc.options.latency_ms = 15  # long enough for the two runs to overlap
    cmd = [str(Path(sys.executable).with_name("kb")), "--config", str(site.config),
           "--root", "kb", "publish"]
    env = {**os.environ, **site.env}
    runs = [subprocess.Popen(cmd, cwd=site.dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    codes = sorted(p.wait(timeout=120) for p in runs)
    hc.options.latency_ms = 0
    assert codes in ([0, 0], [0, 75]), [p.communicate() for p in runs]
    assert len(live(hc)) == 13


def test_two_articles_with_one_marker_are_reported_not_written(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    art = by_key(hc, "employees/requests/approve-requests")
    tr = hc.helpcenter.translations[art["id"]]["ja"]
    copy = api(hc, "POST", f"/sections/{art['section_id']}/articles", json={"article": {
        "title": tr["title"], "locale": "ja", "body": tr["body"], "permission_group_id": 1524,
        "user_segment_id": None}}).json()["article"]  # what a second machine's publish at once left
    edit_file(site.dir / "kb/articles/employees/requests/approve-requests.md", "差し戻します。", "差し戻せます。")
    hc.reset_stats()
    result = site.kb("publish")
    assert result.exit_code == 3
    assert f"duplicate employees/requests/approve-requests — articles {art['id']}, {copy['id']}" in result.stdout
    assert "archive all but one" in result.stdout and site.writes() == 0


def test_a_brand_host_that_redirects_is_named(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    hc.helpcenter.redirect_hosts = {"localhost"}
    brand = hc.url.replace("127.0.0.1", "localhost")
    site.config.write_text(site.config.read_text().replace(f"base_url: {hc.url}", f"base_url: {brand}"))
    result = site.kb("publish")
    assert result.exit_code == 69, result.output
    assert f"{brand} redirects to {hc.url}" in result.stderr and f"set zendesk.base_url to {hc.url}" in result.stderr
    assert hc.helpcenter.writes == 0


def test_kb_pull_path_brings_the_help_center_edit_back(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    art = first_steps(hc)
    tr = hc.helpcenter.translations[art["id"]]["ja"]
    tr["body"] = tr["body"].replace("<h2", "<p>編集部の<strong>追記</strong>です。</p><h2", 1)
    tr["title"] = "初期設定の流れ（改訂版）"
    edited = tr["body"]
    assert site.kb("publish").exit_code == 3
    rel = "kb/articles/getting-started/setup/first-steps.md"
    pulled = site.kb("pull", rel)
    assert pulled.exit_code == 0, pulled.output
    assert f"{rel}: now holds the Help Center version" in pulled.stdout
    text = (site.dir / rel).read_text(encoding="utf-8")
    assert 'title: "初期設定の流れ（改訂版）"' in text and "promoted: true" in text  # other front matter kept
    assert "編集部の**追記**です。" in text
    assert "](../../admin/users/invite-users.md#手順)" in text and "](../../../images/setup-flow.png)" in text
    hc.reset_stats()
    out = site.publish()  # only the marker is written again; the edit stays
    assert out["updated"] == 1 and writes(hc) == {"PUT /api/v2/help_center/articles/{aid}/translations/{locale}": 1}
    from kb.publish import canonical, strip_markers

    assert canonical(strip_markers(hc.helpcenter.translations[art["id"]]["ja"]["body"])) == \
        canonical(strip_markers(edited))
    hc.reset_stats()
    assert site.publish()["unchanged"] == 13 and site.writes() == 0
    assert "already as on the Help Center" in site.kb("pull", rel).stdout
