"""`kb pull` treats the Help Center as untrusted: credentials stay home, paths stay inside --into."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import Sandbox
from tests.kb.test_publish import Site

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class Recorder(ThreadingHTTPServer):
    """A stranger's host on loopback: records every request's headers, serves a tiny PNG."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_GET(self) -> None:
        self.server.seen.append({k.lower(): v for k, v in self.headers.items()} | {"path": self.path})
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def stranger() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _source(sb: Sandbox) -> tuple[int, dict[str, Any]]:
    """A published article and its source-locale translation, to tamper with as an editor could."""
    aid = next(i for i, trs in sb.helpcenter.translations.items() if i in sb.helpcenter.articles and "ja" in trs)
    return aid, sb.helpcenter.translations[aid]["ja"]


def test_pull_never_sends_credentials_to_another_host(tmp_path: Path, hc: Sandbox, stranger: Recorder) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    _, tr = _source(hc)
    tr["body"] = f'<p>x</p><img src="{stranger.url}/x.png" alt="x">' + tr["body"]

    default = site.kb("pull", "--into", "a")
    assert default.exit_code == 0, default.output
    assert stranger.seen == []                              # not fetched at all without the flag
    assert "on another host than Zendesk (pass --external-images" in default.stderr
    assert any(f"{stranger.url}/x.png" in p.read_text(encoding="utf-8")
               for p in (site.dir / "a" / "articles").rglob("*.md"))  # stays a remote link

    opted = site.kb("pull", "--into", "b", "--external-images")
    assert opted.exit_code == 0, opted.output
    assert [h["path"] for h in stranger.seen] == ["/x.png"]
    assert "authorization" not in stranger.seen[0]          # fetched, but without the Zendesk token
    assert hc.options.zendesk_token not in repr(stranger.seen)
    assert (site.dir / "b" / "images" / "x.png").read_bytes() == PNG


def test_pull_does_not_follow_remote_names_out_of_the_target(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    aid, tr = _source(hc)
    tr["body"] = re.sub(r'data-csops-key="[^"]*"', 'data-csops-key="../../pwned"', tr["body"])
    hc.helpcenter.translations[aid]["en/../../../../escaped"] = {
        "locale": "en/../../../../escaped", "title": "evil", "body": "<p>evil</p>", "draft": False,
        "updated_at": tr["updated_at"]}

    result = site.kb("pull", "--into", "pulled")
    assert result.exit_code == 3, result.output
    assert "marker key '../../pwned'" in result.stderr and "is not a safe path" in result.stderr
    assert "translation locale 'en/../../../../escaped' is not a locale code" in result.stderr
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()} - {
        p.resolve() for p in (site.dir / "pulled").rglob("*") if p.is_file()}
    assert not [p for p in written if "pwned" in str(p) or "escaped" in str(p) or p.name == "evil.md"]
    assert list((site.dir / "pulled" / "articles").rglob(f"article-{aid}.md"))  # pulled under a safe name


def test_pull_refuses_a_symlink_that_leads_out_of_the_target(tmp_path: Path, hc: Sandbox) -> None:
    site = Site(tmp_path, hc)
    site.publish()
    outside = tmp_path / "outside"
    outside.mkdir()
    (site.dir / "pulled").mkdir()
    (site.dir / "pulled" / "images").symlink_to(outside, target_is_directory=True)
    result = site.kb("pull", "--into", "pulled")
    assert result.exit_code == 78, result.output
    assert "outside" in result.output
    assert list(outside.iterdir()) == []


BROKEN_SOURCES = ["http://h:abc/x.png", "http://[::1/x.png", "http://h:99999/x.png", "https://%zz%/x.png",
                  "http://h/x.png\x00y", "http:///x.png"]


@pytest.mark.parametrize("external", [False, True])
def test_pull_skips_an_image_url_that_is_not_a_url(tmp_path: Path, hc: Sandbox, external: bool) -> None:
    """F12: <img src="http://h:abc/x.png"> crashed kb pull (exit 70) and left a partial tree."""
    site = Site(tmp_path, hc)
    site.publish()
    assert site.kb("pull", "--into", "before").exit_code == 0
    _, tr = _source(hc)
    tr["body"] = "".join(f'<p><img src="{src}" alt="broken"><a href="{src}">link</a></p>'
                         for src in BROKEN_SOURCES) + tr["body"]
    result = site.kb("pull", "--into", "pulled", *(["--external-images"] if external else []))
    assert result.exit_code == 0, result.output
    assert "unexpected" not in result.output and result.stderr.count("skipped: image") >= len(BROKEN_SOURCES) - 1

    def tree(folder: str) -> set[str]:
        return {str(p.relative_to(site.dir / folder)) for p in (site.dir / folder).rglob("*") if p.is_file()}

    assert tree("pulled") == tree("before")  # every file, none half-made
    checked = site.kb("--root", "pulled", "build", "--out", str(tmp_path / "built"))
    assert checked.exit_code == 0, checked.output  # the tree is whole: it builds


@pytest.mark.parametrize("points", ["inside", "outside"])
def test_pull_into_a_folder_with_a_dangling_images_link(tmp_path: Path, hc: Sandbox, points: str) -> None:
    """F22: a dangling `images` link in --into was exit 70 (mkdir on it). Now: out of the target, the unsafe-path
    refusal (78); inside it, not written through (74); nothing created where it points either way."""
    site = Site(tmp_path, hc)
    site.publish()
    into = site.dir / "pulled"
    into.mkdir()
    target = (into / "missing") if points == "inside" else (tmp_path / "elsewhere")
    (into / "images").symlink_to(target, target_is_directory=True)
    result = site.kb("pull", "--into", "pulled")
    assert result.exit_code == (74 if points == "inside" else 78), result.output
    assert "images" in result.stderr and "unexpected" not in result.output
    assert not target.exists()
