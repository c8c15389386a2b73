"""Knowledge-base speed: seconds for `kb check` and `kb build` over generated articles.

    python bench/kb.py [--articles 1000]

Articles are made from the shipped samples (about 3 KB of mostly Japanese
Markdown each), spread over the shipped category tree, with no links between
them (and no images unless --images). Each has Help Center settings (a user
segment, a content tag, comments off, a position) and one PDF attachment. Targets
on a 2-core machine: check under 5 s for 1000 articles; build under 4 s; kb
preview's rebuild after one article changed under 0.5 s; publish of 1000 new
articles in at most 1,100 API calls plus one per attachment; an unchanged
republish under 2 s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb import morphology  # noqa: E402
from kb.check import check  # noqa: E402
from kb.parallel import workers  # noqa: E402
from kb.site import BuildCache, build  # noqa: E402
from kb.spec import load_spec  # noqa: E402


def cpu() -> float:
    """CPU seconds of this process and its finished children (the build's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


PDF = b"%PDF-1.4\n%% csops bench manual {}\ntrailer << >>\n%%%%EOF\n"
SETTINGS = "user_segments: [管理者向け]\ncontent_tags: [勤怠]\ncomments: false\nposition: {}\nattachments: [{}]\n"


def generate(root: Path, n: int, images: bool = True) -> int:
    """``n`` articles from the samples; each with settings and one of 50 PDFs attached (a file per article would
    only add disk: an attachment is uploaded per article either way)."""
    (root / "files").mkdir(exist_ok=True)
    for k in range(50):
        (root / "files" / f"manual-{k:02d}.pdf").write_bytes(PDF.replace(b"{}", str(k).encode()))
    samples = sorted((ROOT / "kb" / "articles").rglob("*.md"))
    texts = [(p, p.read_text(encoding="utf-8")) for p in samples if p.name.count(".") == 1]
    total = 0
    for i in range(n):
        src, text = texts[i % len(texts)]
        rel = src.relative_to(ROOT / "kb" / "articles")
        # Four copies of the sample's body make an article of about 3 KB.
        head, _, body = text.partition("\n---\n")
        # No cross-links (a link to another article keeps only its text); images stay.
        body = re.sub(r"(?<!!)\[([^\]]*)\]\((?!https?:)[^)]*\.md(#[^)]*)?\)", r"\1", body)
        if not images:
            body = re.sub(r"\n!\[[^\]]*\]\([^)]*\)\n", "\n", body)
        head = re.sub(r"\n(position|attachments|comments|content_tags|user_segments):[^\n]*", "", head)
        head += "\n" + SETTINGS.format(i % 30, f"manual-{i % 50:02d}.pdf").rstrip("\n")
        text = head.replace("title: ", f"title: {i:04d} ", 1) + "\n---\n" + body + "\n" + \
            body.replace("## ", "## 補足 ", -1) + body.replace("## ", "## 参考 ") + body.replace("## ", "## 付録 ")
        dest = root / "articles" / rel.parent / f"{rel.stem}-{i:04d}.md"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--images", action="store_true",
                    help="Keep the samples' images (on publish each costs an upload and a second write per article).")
    ap.add_argument("--no-publish", dest="publish", action="store_false",
                    help="Skip the publish figures (sandbox Help Center).")
    ap.add_argument("--publish-only", action="store_true", help="Only the publish figures (no check or build).")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="csops-kb-bench-") as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        shutil.copy(ROOT / "kb" / "kb.yaml", root / "kb.yaml")
        shutil.copytree(ROOT / "kb" / "images", root / "images")
        size = generate(root, args.articles, args.images)
        spec = load_spec(root)
        if args.publish_only:
            publish_figures(spec)
            return
        load_before = os.getloadavg()[0]
        command_s, command_cpu = build_command(root, Path(tmp) / "site-cli")
        # build before check, so the workers fork from a process without the morphology dictionary, as kb build's do
        t, c = time.perf_counter(), cpu()
        built = build(spec, Path(tmp) / "site")
        build_s, build_cpu = time.perf_counter() - t, cpu() - c
        t, c = time.perf_counter(), cpu()
        build(spec, Path(tmp) / "site1", workers=1)
        serial_s, serial_cpu = time.perf_counter() - t, cpu() - c
        rebuild = preview_rebuild(root, Path(tmp))
        t, c = time.perf_counter(), cpu()
        result = check(spec)
        check_s, check_cpu = time.perf_counter() - t, cpu() - c
        print(f"{args.articles} articles, {size / args.articles / 1024:.1f} KB each on average")
        print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores "
              "(other work inflates wall seconds, and CPU seconds less)")
        print(f"kb check: {check_s:.2f} s ({check_cpu:.2f} s CPU; {check_s / args.articles * 1000:.2f} ms/article), "
              f"{len(result.findings)} findings, morphology {'on' if morphology.available() else 'off'}")
        print(f"kb build: {build_s:.2f} s ({build_cpu:.2f} s CPU over {workers()} processes), {built.pages} pages; "
              f"on one process {serial_s:.2f} s ({serial_cpu:.2f} s CPU); "
              f"`kb build` as a command (start-up included) {command_s:.2f} s ({command_cpu:.2f} s CPU)")
        print(rebuild)
        print("targets: check under 5 s, build under 4 s for 1000 articles; one changed article rebuilt in "
              "under 0.5 s")
        if args.publish:
            publish_figures(spec)


def build_command(root: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``kb build`` run as a user runs it: a new process, its workers included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from csops.kb_cli import main; main()", "--root", str(root), "build",
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def preview_rebuild(root: Path, tmp: Path) -> str:
    """kb preview's rebuild after one article's body is edited, and after one title is (other pages show it)."""
    cache = BuildCache()
    build(load_spec(root), tmp / "gen-1", cache=cache)
    path = next((root / "articles").rglob("*.md"))
    text = path.read_text(encoding="utf-8")
    edited = text.replace("\n\n", "\n\n追記した段落です。\n\n", 1)
    figures = []
    for n, (label, changed) in enumerate([("body", edited), ("title", edited.replace("title: ", "title: 改題 ", 1))],
                                         start=2):
        path.write_text(changed, encoding="utf-8")
        t, c = time.perf_counter(), cpu()
        result = build(load_spec(root), tmp / f"gen-{n}", cache=cache)
        seconds, cpu_s = time.perf_counter() - t, cpu() - c
        shutil.rmtree(tmp / f"gen-{n - 1}")
        figures.append(f"{label} changed: {seconds:.2f} s ({cpu_s:.2f} s CPU; {result.rendered} rendered, "
                       f"{result.written} files written)")
    path.write_text(text, encoding="utf-8")
    return "kb preview rebuild after one article's " + "; ".join(figures)


def publish_figures(spec: object) -> None:
    """Publish the generated KB to an in-process sandbox, then publish it again unchanged."""
    from connectors.http import CallStats, RetryPolicy
    from connectors.zendesk import HelpCenter, ZendeskClient, ZendeskConfig
    from kb.publish import Publisher
    from sandbox.server import Options, Sandbox

    sb = Sandbox(Options(accounts=1, tickets=1)).start()
    sb.helpcenter.user_segments.append({"id": 2101, "name": "管理者向け", "user_type": "signed_in_users",
                                        "built_in": False})
    sb.helpcenter.content_tags["01HBENCHTAG000000000000001"] = {"id": "01HBENCHTAG000000000000001", "name": "勤怠"}
    try:
        o = sb.options
        stats = CallStats()
        config = ZendeskConfig(base_url=sb.url, auth="client_credentials", client_id=o.zendesk_client_id,
                               client_secret=o.zendesk_client_secret)
        client = ZendeskClient(config, RetryPolicy(), stats)
        for label in ("publish", "re-publish unchanged"):
            # A new publisher each time, as a new `kb publish` process: the render cache comes from disk.
            publisher = Publisher(spec, HelpCenter(client), sb.url, 1524, None)  # type: ignore[arg-type]
            load = os.getloadavg()[0]
            # CPU of kb publish alone: this thread (the sandbox serves on others) and the check's worker processes.
            t, c, kids = time.perf_counter(), time.thread_time(), children_cpu()
            report = publisher.publish()
            seconds, cpu_s = time.perf_counter() - t, time.thread_time() - c + children_cpu() - kids
            s = report.summary()
            writes = sb.helpcenter.writes
            files = s["attachments_uploaded"]
            floor = f" (target: at most 1,100 + {files} for the attachments = {1100 + files:,})" if files else ""
            print(f"kb {label}: {seconds:.2f} s ({cpu_s:.2f} s CPU in kb publish; load average "
                  f"{load:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores), "
                  f"{s['api_calls']} API calls{floor} ({s['created']} created, {s['updated']} updated, "
                  f"{s['unchanged']} unchanged, {s['images_uploaded']} images, {files} attachments); "
                  f"Help Center writes so far: {writes}; OAuth token calls so far: "
                  f"{stats.snapshot().get('zendesk-oauth', 0)}")
        print("targets: publish of 1000 new articles with settings and one attachment each in at most 1,100 API "
              "calls + 1 per attachment; unchanged republish under 2 s")
    finally:
        sb.stop()


if __name__ == "__main__":
    main()
