"""kb lsp's latency as an editor sees it: from a change sent to the diagnostics received, over stdio.

    python bench/kb_lsp.py [--articles 1000] [--edits 30] [--size 10000]

Generates bench/kb.py's corpus (the shipped samples, about 3 KB each) in a temporary folder, writes one article of
about --size bytes of Japanese prose with findings in it, starts ``kb lsp`` as an editor would, opens the article
and sends --edits changes (one character typed each time, the whole text sent as the server asks) with the debounce
at 0, so each figure is the server's own time: reading the change, checking the article against the rest of the
knowledge base, and sending the diagnostics. Prints the first diagnostics' time (the knowledge base is loaded on
the first document), the median, p90 and worst of the edits, the same check in this process without the protocol,
and the load average around the run (the figures swing with what else the machine runs).
Goal: under 50 ms for a 10 KB article.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import kb_corpus  # bench/, beside this file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

PARAGRAPH = ("勤怠データを出力して給与計算ソフトに取り込みます。ユーザを追加して、サーバの設定を確認します。"
             "ＣＳＶを出力することができます。設定は反映されるかもしれません。")


def article_text(size: int) -> str:
    head = "---\ntitle: 大きな記事\n---\n\n## 概要\n\n"
    parts, n = [], 0
    while n < size:
        parts.append(f"{PARAGRAPH}\n\n### 手順{len(parts) + 1}\n\n1. ［設定］を開きます。\n\n")
        n = len((head + "".join(parts)).encode("utf-8"))
    return head + "".join(parts) + "## 手順\n\n1. ［設定］を開きます。\n"


class Timed(LanguageClient):
    def __init__(self) -> None:
        super().__init__("bench", "1")
        self.arrived: dict[int, float] = {}
        self.event = asyncio.Event()
        self.count: dict[int, int] = {}

        @self.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            if params.version is not None:
                self.arrived[params.version] = time.perf_counter()
                self.count[params.version] = len(params.diagnostics)
                self.event.set()

    async def wait(self, version: int) -> float:
        while version not in self.arrived:
            self.event.clear()
            await asyncio.wait_for(self.event.wait(), 60)
        return self.arrived[version]


async def measure(path: Path, text: str, edits: int) -> tuple[float, list[float], int]:
    client = Timed()
    await client.start_io(str(Path(sys.executable).with_name("kb")), "lsp")
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities(),
                                                       initialization_options={"debounce_ms": 0}))
    client.initialized(lsp.InitializedParams())
    uri = from_fs_path(str(path))
    assert uri is not None
    sent = time.perf_counter()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
        uri=uri, language_id="markdown", version=1, text=text)))
    first = await client.wait(1) - sent
    times = []
    lines = text.split("\n")
    middle = len(lines) // 2
    for i in range(edits):
        version = i + 2
        lines[middle] = "あ" + lines[middle]  # one character typed; the editor sends the whole text (Full sync)
        sent = time.perf_counter()
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text="\n".join(lines))]))
        times.append(await client.wait(version) - sent)
    findings = client.count[edits + 1]
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return first, times, findings


def in_process(root: Path, path: Path, text: str, runs: int) -> float:
    from kb.articles import load_articles
    from kb.check import Checker, check_text
    from kb.spec import load_spec

    spec = load_spec(root)
    checker = Checker(spec, load_articles(spec)[0])
    check_text(checker, path, text)  # the morphological analyser's start
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        check_text(checker, path, text)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--size", type=int, default=10_000, help="Bytes of the article edited.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="csops-kb-lsp-") as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        shutil.copy(ROOT / "kb" / "kb.yaml", root / "kb.yaml")
        shutil.copytree(ROOT / "kb" / "images", root / "images")
        kb_corpus.generate(root, args.articles)
        path = root / "articles" / "employees" / "timecard" / "bench-large.md"
        text = article_text(args.size)
        path.write_text(text, encoding="utf-8")
        load_before = os.getloadavg()
        first, times, findings = asyncio.run(measure(path, text, args.edits))
        local = in_process(root, path, text, args.edits)
        load_after = os.getloadavg()
        ordered = sorted(times)
        p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
        print(f"kb lsp, {args.articles} articles, one of {len(text.encode('utf-8')):,} bytes "
              f"({text.count(chr(10)) + 1} lines, {findings} findings):")
        print(f"  open → diagnostics {first * 1000:.0f} ms (loads the knowledge base)")
        print(f"  change → diagnostics over {args.edits} edits: median {statistics.median(times) * 1000:.1f} ms, "
              f"p90 {p90 * 1000:.1f} ms, worst {max(times) * 1000:.1f} ms (debounce 0; an editor adds 150 ms)")
        print(f"  the same check in-process: median {local * 1000:.1f} ms")
        print(f"  goal: under 50 ms for a 10 KB article: {'met' if statistics.median(times) < 0.05 else 'NOT met'}")
        print(f"  load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} before, "
              f"{' '.join(f'{x:.2f}' for x in load_after)} after; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
