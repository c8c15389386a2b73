"""``kb preview``: serve the built site on 127.0.0.1 and rebuild when a source file changes."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kb.site import build
from kb.spec import KbError, load_spec
from rules.yamlsrc import SourceError


def snapshot(root: Path) -> dict[Path, float]:
    files = [root / "kb.yaml", *root.joinpath("articles").rglob("*"), *root.joinpath("images").rglob("*")]
    return {p: p.stat().st_mtime for p in files if p.is_file()}


class _Quiet(SimpleHTTPRequestHandler):
    #: Held by a rebuild (which empties the folder first) and by each request, so no request sees a half-built
    #: site: one arriving mid-rebuild waits for it instead of getting a 404.
    build_lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        with self.build_lock:
            super().do_GET()

    def do_HEAD(self) -> None:
        with self.build_lock:
            super().do_HEAD()


class Preview:
    """A build folder served over HTTP, rebuilt by a watcher thread when sources change."""

    def __init__(self, root: Path, out: Path, port: int = 0, echo: Callable[[str], None] = print,
                 interval: float = 0.5) -> None:
        self.root, self.out, self.echo, self.interval = root, out, echo, interval
        self.builds = 0
        # Taken before the first build, so no change made after construction can slip past the watcher.
        self._seen = snapshot(root)
        self._handler: type[_Quiet] = type("_Handler", (_Quiet,), {"build_lock": threading.Lock()})
        self.rebuild()
        handler = functools.partial(self._handler, directory=str(out))
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self.server.serve_forever, daemon=True),
                         threading.Thread(target=self._watch, daemon=True)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def rebuild(self) -> None:
        try:
            with self._handler.build_lock:
                result = build(load_spec(self.root), self.out)
            self.builds += 1
            self.echo(f"built {result.articles} articles in {result.seconds:.2f}s")
        except (KbError, SourceError) as exc:
            self.echo(f"build failed, still serving the previous one:\n{exc}")

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            now = snapshot(self.root)
            if now != self._seen:
                self._seen = now
                self.rebuild()

    def start(self) -> Preview:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def serve(root: Path, out: Path, port: int, echo: Callable[[str], None]) -> None:
    preview = Preview(root, out, port, echo).start()
    echo(f"serving {out} on {preview.url} (Ctrl-C to stop); rebuilding when files under {root} change")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
