"""kb build with the previous build's cache (as kb preview rebuilds) writes the same bytes as a build from scratch,
after edits, a title change seen by other pages, added, removed and renamed articles, a move to another category,
a new translation, a changed image and a changed kb.yaml; and it renders only what changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kb.model import KbError
from kb.site import BuildCache, BuildResult, build
from kb.spec import load_spec
from tests.kb.helpers import make_kb

CLOCK_IN = "articles/employees/timecard/clock-in.md"
OVERTIME = "articles/employees/requests/overtime-request.md"


def tree(base: Path) -> dict[str, bytes]:
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


class Rebuilds:
    """Builds as kb preview does (each into a new folder, the one before deleted after), each one checked
    against a full build of the same sources."""

    def __init__(self, tmp: Path, root: Path) -> None:
        self.tmp, self.root, self.cache, self.n = tmp, root, BuildCache(), 0
        self.previous: Path | None = None
        self.rebuild()

    def rebuild(self) -> BuildResult:
        self.n += 1
        spec = load_spec(self.root)
        out = self.tmp / f"gen-{self.n}"
        result = build(spec, out, cache=self.cache)
        fresh = self.tmp / f"fresh-{self.n}"
        build(spec, fresh, workers=1)
        got, want = tree(out), tree(fresh)
        assert sorted(got) == sorted(want)
        assert json.loads(want[".kb-build"]) == sorted(name for name in want if name != ".kb-build")
        differing = [name for name in want if got[name] != want[name]]
        assert differing == []
        shutil.rmtree(fresh)
        if self.previous is not None:
            shutil.rmtree(self.previous)  # what the preview does with a generation no request holds
        self.previous = out
        return result

    def page(self, rel: str) -> str:
        assert self.previous is not None
        return (self.previous / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Rebuilds:
    return Rebuilds(tmp_path, make_kb(tmp_path, with_samples=True))


def test_an_edited_body_is_the_only_article_rendered_again(site: Rebuilds) -> None:
    site.edit(CLOCK_IN, "アプリを開きます。", "アプリを起動します。")
    result = site.rebuild()
    assert result.rendered == 1 and result.articles == 16
    assert "アプリを起動します。" in site.page("articles/clock-in.html")
    assert "アプリを起動します" in site.page("assets/search-index.js")
    nothing = site.rebuild()
    assert nothing.rendered == 0


def test_a_new_title_reaches_the_pages_that_show_it(site: Rebuilds) -> None:
    site.edit(OVERTIME, "title: 残業を申請する", "title: 残業と休日出勤を申請する")
    result = site.rebuild()
    assert result.rendered == 0  # the body did not change; the pages around it did
    assert "残業と休日出勤を申請する" in site.page("articles/approve-requests.html")  # related articles
    assert "残業と休日出勤を申請する" in site.page("sections/employees/requests.html")
    assert "残業と休日出勤を申請する" in site.page("categories/employees.html")
    assert "残業と休日出勤を申請する" in site.page("assets/search-index.js")


def test_added_removed_and_renamed_articles(site: Rebuilds) -> None:
    requests = site.root / "articles/employees/requests"
    (requests / "leave-request.md").write_text("---\ntitle: 休暇を申請する\n---\n\n## 手順\n\n申請画面を開きます。\n",
                                               encoding="utf-8")
    added = site.rebuild()
    assert added.rendered == 1 and added.articles == 17
    assert "休暇を申請する" in site.page("articles/overtime-request.html")
    # clock-in links to overtime-request: renamed, the link follows it and clock-in is rendered again
    (requests / "overtime-request.md").rename(requests / "overtime.md")
    site.edit(CLOCK_IN, "../requests/overtime-request.md", "../requests/overtime.md")
    renamed = site.rebuild()
    assert renamed.rendered == 2
    assert 'href="../articles/overtime.html"' in site.page("articles/clock-in.html")
    assert not (site.previous / "articles/overtime-request.html").exists()  # type: ignore[operator]
    # removed: clock-in's link no longer resolves to a page (its body is rendered again, nothing else is)
    (requests / "overtime.md").unlink()
    removed = site.rebuild()
    assert removed.rendered == 1 and removed.articles == 16
    assert "articles/overtime.html" not in site.page("articles/clock-in.html")


def test_a_move_to_another_category_and_a_new_translation(site: Rebuilds) -> None:
    moved = site.root / "articles/troubleshooting/data/approve-requests.md"
    (site.root / "articles/employees/requests/approve-requests.md").rename(moved)
    site.rebuild()
    assert "approve-requests.html" in site.page("sections/troubleshooting/data.html")
    assert "approve-requests.html" not in site.page("sections/employees/requests.html")
    (site.root / "articles/employees/requests/overtime-request.en.md").write_text(
        "---\ntitle: Requesting overtime\n---\n\n## Steps\n\nOpen the request screen.\n", encoding="utf-8")
    translated = site.rebuild()
    assert translated.rendered == 1
    assert 'hreflang="en"' in site.page("articles/overtime-request.html")


def test_a_changed_image_kb_yaml_and_related(site: Rebuilds) -> None:
    image = site.root / "images/clock-in-button.png"
    image.write_bytes(image.read_bytes() + b"\0" * 16)
    site.rebuild()
    site.edit(OVERTIME, "title: 残業を申請する", "title: 残業を申請する\nrelated: [clock-in]")
    site.rebuild()
    assert "articles/clock-in.html" in site.page("articles/overtime-request.html")
    site.edit("kb.yaml", "従業員向け", "従業員のみなさまへ")
    result = site.rebuild()
    assert result.rendered == 16  # kb.yaml is behind every page
    assert "従業員のみなさまへ" in site.page("articles/clock-in.html")


def test_a_broken_article_fails_the_build_and_the_next_good_one_catches_up(site: Rebuilds) -> None:
    site.edit(CLOCK_IN, "アプリを開きます。", "アプリを開きます。[外](../../../../../etc/hostname)")
    with pytest.raises(KbError, match="leads outside the knowledge base"):
        build(load_spec(site.root), site.tmp / "broken", cache=site.cache)
    site.edit(CLOCK_IN, "[外](../../../../../etc/hostname)", "")
    site.edit(OVERTIME, "title: 残業を申請する", "title: 残業申請")
    assert site.rebuild().rendered == 0
