"""Files outside the knowledge base are never read, copied or uploaded; `kb build --out` never deletes sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sandbox.server import Sandbox
from tests.budget import cpu_budget
from tests.kb.helpers import article, make_kb, run
from tests.kb.test_publish import Site

SECRET = b"root:x:0:0:not-for-the-help-center\n"


def hostile(root: Path, outside: Path) -> Path:
    """An article that points at files outside ``root`` in every way a writer (or a pasted snippet) could."""
    (outside / "outside.txt").write_bytes(SECRET)
    (outside / "secret.png").write_bytes(b"\x89PNG" + SECRET)
    (root / "images" / "link.png").symlink_to(outside / "secret.png")
    return article(root, "\n\n".join([
        "説明です。",
        "![p](../../../../../../../../../../etc/passwd)",
        f"![a]({outside / 'secret.png'})",
        "[s](../../../../outside.txt)",
        "![l](../../../images/link.png)",
    ]))


def test_check_reports_every_reference_outside(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = hostile(root, tmp_path)
    result = run(root, "check", "--format", "json", str(path))
    assert result.exit_code == 1, result.output
    outside = [f for f in json.loads(result.stdout) if "leads outside the knowledge base" in str(f["message"])]
    body = path.read_text(encoding="utf-8").splitlines()
    lines = sorted(i for i, ln in enumerate(body, 1) if ln.startswith(("![p]", "![a]", "[s]", "![l]")))
    assert sorted(int(str(f["line"])) for f in outside) == lines


def test_build_refuses_and_copies_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    hostile(root, tmp_path)
    out = tmp_path / "site"
    result = run(root, "build", "--out", str(out))
    assert result.exit_code == 78, result.output
    assert "leads outside the knowledge base" in result.output
    assert not out.exists() or not any(SECRET in p.read_bytes() for p in out.rglob("*") if p.is_file())


def test_publish_never_uploads_a_file_outside(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    hostile(site.dir / "kb", tmp_path)
    for args in (["publish"], ["publish", "--force"]):
        site.kb(*args)
        assert not any(SECRET in blob for blob in hc.helpcenter.blobs.values())
        assert not any(b"not-for-the-help-center" in json.dumps(t).encode()
                       for trs in hc.helpcenter.translations.values() for t in trs.values())


def test_build_never_deletes_the_knowledge_base(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "説明です。")
    for out in (root, tmp_path, root / "articles" / "x"):
        result = run(root, "build", "--out", str(out))
        assert result.exit_code == 2, result.output
        assert "choose" in result.output
    assert (root / "kb.yaml").exists() and list((root / "articles").rglob("*.md"))


def test_build_replaces_only_what_it_wrote(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "説明です。")
    out = tmp_path / "public"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    refused = run(root, "build", "--out", str(out))
    assert refused.exit_code == 2 and "notes.txt" in refused.output and "--clean" in refused.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert run(root, "build", "--out", str(out), "--clean").exit_code == 0
    assert not (out / "notes.txt").exists() and (out / "index.html").exists()
    assert run(root, "build", "--out", str(out)).exit_code == 0        # its own files: replaced freely
    # A build that fails leaves the previous site whole.
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (root / "articles" / "employees" / "timecard" / "bad.md").write_text("no front matter\n", encoding="utf-8")
    assert run(root, "build", "--out", str(out)).exit_code == 78
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public")] == []


def test_markdown_nested_beyond_reason_is_a_located_error(tmp_path: Path) -> None:
    """50,000 '[' took hours to render and a list 300 levels deep overflowed the stack."""
    root = make_kb(tmp_path)
    article(root, "説明です。")
    cases = {"brackets.md": "[" * 50_000, "list.md": "".join("    " * i + "- x\n" for i in range(300)),
             "quotes.md": "".join("> " * i + "x\n\n" for i in range(1, 300))}
    for name, body in cases.items():
        (root / "articles" / "employees" / "timecard" / name).write_text(
            f"---\ntitle: {name}\n---\n\n## 概要\n\n{body}\n", encoding="utf-8")
    with cpu_budget(10):
        checked = run(root, "check", "--format", "line")
        built = run(root, "build", "--out", str(tmp_path / "site"))
    assert checked.exit_code == 1 and built.exit_code == 78, checked.output + built.output
    for name in cases:
        assert re.search(rf"employees/timecard/{name}:\d+:1 error nesting ", checked.output), checked.output
    assert "Markdown this deep" in built.output


def test_table_of_contents_escapes_once(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = article(root, "説明です。\n\n## A & B \"d\" 1 < 2\n\n本文です。")
    out = tmp_path / "site"
    assert run(root, "build", "--out", str(out)).exit_code == 0
    page = (out / "articles" / f"{path.stem}.html").read_text(encoding="utf-8")
    toc = page[page.index('class="toc"'):page.index("</nav>", page.index('class="toc"'))]
    assert "A &amp; B &#34;d&#34; 1 &lt; 2" in toc
    assert "&amp;amp;" not in toc and "&amp;lt;" not in toc
