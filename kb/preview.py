"""``kb preview``: serve the built site on 127.0.0.1, rebuild when a source file changes, reload the browser.

Never a 404 or a half-built page while a writer saves: every build goes into a new generation folder
(``<out>/gen-N``) and is swapped in by changing which folder the server reads, in one assignment under a
lock. A request holds the generation it started with until it has sent its last byte, and an old
generation is deleted only when no request holds it (the old preview deleted the folder it was serving,
so about one request in forty failed during a rebuild).

A rebuild is incremental (:class:`kb.site.BuildCache`): only changed articles are rendered again, and the
files that did not change are hard-linked from the generation being served into the new one.

Live reload: every HTML page gets a small script that long-polls ``/__kb/wait?since=N`` (N is the
generation that served the page) and reloads when a newer one exists, so a build finished between
the page loading and the script starting is not missed.
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
import sys
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from base.errors import SourceError, UsageError
from kb.site import BuildCache, build
from kb.spec import KbError, load_spec

log = logging.getLogger("csops.kb.preview")

WAIT_SECONDS = 25.0
RELOAD_SCRIPT = """<script>
(function () {{
  var since = {gen};
  function poll() {{
    fetch("/__kb/wait?since=" + since, {{cache: "no-store"}})
      .then(function (r) {{ return r.json(); }})
      .then(function (d) {{ if (d.generation > since) {{ location.reload(); }} else {{ poll(); }} }})
      .catch(function () {{ setTimeout(poll, 1000); }});
  }}
  poll();
}})();
</script>
"""


class PortInUse(UsageError, OSError):
    """The preview's port is taken by another program."""


def snapshot(root: Path) -> dict[Path, int]:
    files = [root / "kb.yaml", *root.joinpath("articles").rglob("*"), *root.joinpath("images").rglob("*")]
    out = {}
    for p in files:
        try:
            if p.is_file():
                out[p] = p.stat().st_mtime_ns
        except FileNotFoundError:  # removed while we looked (an editor's swap file)
            continue
    return out


class Generations:
    """Build folders, the one being served, and how many requests hold each."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.number = 0
        self.current: Path | None = None
        self._holders: dict[Path, int] = {}
        self._retired: set[Path] = set()
        self._lock = threading.Condition()
        self.closing = False

    def next_folder(self) -> Path:
        return self.base / f"gen-{self.number + 1}"

    def swap_in(self, folder: Path) -> None:
        with self._lock:
            old, self.current = self.current, folder
            self.number += 1
            if old is not None:
                self._retired.add(old)
                self._collect(old)
            self._lock.notify_all()

    def acquire(self) -> tuple[Path | None, int]:
        with self._lock:
            if self.current is not None:
                self._holders[self.current] = self._holders.get(self.current, 0) + 1
            return self.current, self.number

    def release(self, folder: Path | None) -> None:
        if folder is None:
            return
        with self._lock:
            self._holders[folder] -= 1
            self._collect(folder)

    def _collect(self, folder: Path) -> None:
        if folder in self._retired and not self._holders.get(folder):
            self._retired.discard(folder)
            self._holders.pop(folder, None)
            shutil.rmtree(folder, ignore_errors=True)

    def wait_newer(self, since: int, timeout: float) -> int:
        with self._lock:
            self._lock.wait_for(lambda: self.number > since or self.closing, timeout)
            return self.number

    def close(self) -> None:
        """Answer every waiting long-poll now, so no request thread outlives the preview."""
        with self._lock:
            self.closing = True
            self._lock.notify_all()


class PreviewServer(ThreadingHTTPServer):
    """Request threads are joined on close (none is left to write into a later test's or command's stderr),
    and a client that went away mid-answer (a reloaded page, a closed tab) is normal, not a traceback."""

    daemon_threads = False
    block_on_close = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            log.debug("client %s went away: %s", client_address[0], exc)
            return
        log.error("error answering a request from %s", client_address[0], exc_info=True)


class _Handler(SimpleHTTPRequestHandler):
    generations: Generations
    timeout = 60  # seconds a silent client may hold a request thread

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/__kb/wait":
            try:
                since = int((parse_qs(parts.query).get("since") or ["0"])[0] or 0)
            except ValueError:
                self._send(400, "text/plain; charset=utf-8", b"since must be a generation number\n")
                return
            self._send(200, "application/json",
                       json.dumps({"generation": self.generations.wait_newer(since, WAIT_SECONDS)}).encode())
            return
        folder, number = self.generations.acquire()
        try:
            if folder is None:
                self._send(503, "text/plain; charset=utf-8", b"the first build is not ready yet\n")
                return
            self.directory = str(folder)
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                html = target.read_text(encoding="utf-8")
                html = html.replace("</body>", RELOAD_SCRIPT.format(gen=number) + "</body>", 1)
                self._send(200, "text/html; charset=utf-8", html.encode("utf-8"))
                return
            super().do_GET()
        finally:
            self.generations.release(folder)

    def do_HEAD(self) -> None:
        folder, _ = self.generations.acquire()
        try:
            self.directory = str(folder or self.generations.base)
            super().do_HEAD()
        finally:
            self.generations.release(folder)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class Preview:
    """A site served over HTTP from the latest good build; a watcher thread rebuilds when sources change."""

    def __init__(self, root: Path, out: Path, port: int = 0, echo: Callable[[str], None] = print,
                 interval: float = 0.3) -> None:
        self.root, self.out, self.echo, self.interval = root, out, echo, interval
        self.builds = 0
        self.cache = BuildCache()
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob("gen-*"):
            shutil.rmtree(stale, ignore_errors=True)
        self.generations = Generations(out)
        handler = type("Handler", (_Handler,), {"generations": self.generations})
        try:
            self.server = PreviewServer(("127.0.0.1", port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(exc.errno, f"port {port} on 127.0.0.1 is already in use (another kb preview?): "
                                           f"pass --port {port + 1}, or --port 0 for any free port") from None
            raise
        # Taken before the first build, so no change made after construction can slip past the watcher.
        self._seen = snapshot(root)
        self.rebuild()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self.server.serve_forever, daemon=True),
                         threading.Thread(target=self._watch, daemon=True)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def rebuild(self) -> None:
        folder = self.generations.next_folder()
        try:
            result = build(load_spec(self.root), folder, cache=self.cache)
        except (KbError, SourceError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            self.echo(f"build failed, still serving the previous one:\n{exc}")
            return
        except Exception as exc:  # the watcher must outlive any one bad build
            shutil.rmtree(folder, ignore_errors=True)
            self.echo(f"build failed ({type(exc).__name__}: {exc}), still serving the previous one")
            return
        self.generations.swap_in(folder)
        self.builds += 1
        self.echo(f"built {result.articles} articles in {result.seconds:.2f}s "
                  f"({result.rendered} rendered, {result.written} files written)")

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
        self.generations.close()
        self.server.shutdown()
        self.server.server_close()
        self._threads[1].join(timeout=30)


def serve(root: Path, out: Path, port: int, echo: Callable[[str], None]) -> None:
    preview = Preview(root, out, port, echo).start()
    echo(f"serving {preview.url} (Ctrl-C to stop); rebuilding into {out} when files under {root} change, "
         "and open pages reload themselves")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
