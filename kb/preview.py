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
from kb.model import KbError, KbSpec
from kb.site import BuildCache, build
from kb.spec import load_spec

log = logging.getLogger("csops.kb.preview")

WAIT_SECONDS = 25.0
RELOAD_SCRIPT = """<script>
(function () {{
  var since = {gen}, state = -1, page = decodeURIComponent(location.pathname).replace(/^\\//, "");
  function el(tag, text, cls) {{
    var e = document.createElement(tag);
    if (text) {{ e.textContent = text; }}
    if (cls) {{ e.className = cls; }}
    return e;
  }}
  function show(s) {{
    var box = document.getElementById("kb-overlay");
    var found = (s.findings || {{}})[page] || [];
    if (!s.error && !found.length) {{ if (box) {{ box.remove(); }} return; }}
    if (!box) {{
      box = el("aside"); box.id = "kb-overlay"; box.setAttribute("role", "status");
      document.body.appendChild(box);
    }}
    box.textContent = "";
    if (s.error) {{ box.appendChild(el("strong", s.labels.error)); box.appendChild(el("pre", s.error)); }}
    if (found.length) {{
      box.appendChild(el("strong", s.labels.findings.replace("{{n}}", found.length)));
      var list = el("ul");
      found.forEach(function (f) {{
        var item = el("li", null, "kb-" + f.level);
        item.appendChild(el("span", f.line + ":" + f.col + " " + f.level, "kb-where"));
        item.appendChild(el("span", " " + f.message + " ", "kb-message"));
        item.appendChild(el("code", f.rule));
        list.appendChild(item);
      }});
      box.appendChild(list);
    }}
  }}
  function status() {{
    return fetch("/__kb/status", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }})
      .then(function (s) {{ state = s.state; show(s); }});
  }}
  function poll() {{
    fetch("/__kb/wait?since=" + since + "&state=" + state, {{cache: "no-store"}})
      .then(function (r) {{ return r.json(); }})
      .then(function (d) {{
        if (d.generation > since) {{ location.reload(); return; }}
        if (d.state !== state) {{ status().then(poll, poll); }} else {{ poll(); }}
      }})
      .catch(function () {{ setTimeout(poll, 1000); }});
  }}
  status().then(poll, poll);
}})();
</script>
"""
#: The overlay's headings, in the knowledge base's language.
LABELS = {"ja": {"error": "ビルドに失敗しました。前回のビルドを表示しています:",
                 "findings": "kb check: この記事の指摘 {n} 件"},
          "en": {"error": "The build failed; this is the previous build:",
                 "findings": "kb check: {n} findings in this article"}}


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
        self.state = 0  # counts build attempts, failed ones too: the overlay follows it
        self.status: dict[str, Any] = {"error": None, "findings": {}, "labels": LABELS["en"]}

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

    def wait_newer(self, since: int, timeout: float, state: int | None = None) -> tuple[int, int]:
        """The generation and state once the generation is newer than ``since`` or the state differs from
        ``state`` (or after ``timeout``)."""
        with self._lock:
            self._lock.wait_for(lambda: self.number > since or (state is not None and self.state != state)
                                or self.closing, timeout)
            return self.number, self.state

    def report(self, error: str | None, findings: dict[str, list[dict[str, Any]]] | None,
               labels: dict[str, str]) -> None:
        """The last build's error (None: it worked) and, after a good build, each article page's findings."""
        with self._lock:
            self.status = {"error": error, "labels": labels,
                           "findings": self.status["findings"] if findings is None else findings}
            self.state += 1
            self._lock.notify_all()

    def status_json(self) -> bytes:
        with self._lock:
            return json.dumps({**self.status, "state": self.state}, ensure_ascii=False).encode("utf-8")

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
            query = parse_qs(parts.query)
            try:
                since = int((query.get("since") or ["0"])[0] or 0)
                state = int(query["state"][0]) if query.get("state") else None
            except ValueError:
                self._send(400, "text/plain; charset=utf-8", b"since and state must be numbers\n")
                return
            number, now = self.generations.wait_newer(since, WAIT_SECONDS, state)
            self._send(200, "application/json", json.dumps({"generation": number, "state": now}).encode())
            return
        if parts.path == "/__kb/status":
            self._send(200, "application/json; charset=utf-8", self.generations.status_json())
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
        self.language = "en"  # the last kb.yaml's that loaded: the overlay's words when kb.yaml does not
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
        spec = None
        try:
            spec = load_spec(self.root)
            self.language = spec.language
            result = build(spec, folder, cache=self.cache)
        except (KbError, SourceError) as exc:
            self._failed(folder, str(exc), spec)
            return
        except Exception as exc:  # the watcher must outlive any one bad build
            self._failed(folder, f"{type(exc).__name__}: {exc}", spec)
            return
        self.generations.swap_in(folder)
        self.builds += 1
        self.echo(f"built {result.articles} articles in {result.seconds:.2f}s "
                  f"({result.rendered} rendered, {result.written} files written)")
        self.generations.report(None, self._findings(spec), LABELS[spec.language])

    def _failed(self, folder: Path, error: str, spec: KbSpec | None) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        self.echo(f"build failed, still serving the previous one:\n{error}")
        self.generations.report(error, None, LABELS[spec.language if spec else self.language])

    def _findings(self, spec: KbSpec) -> dict[str, list[dict[str, Any]]]:
        """kb check over the knowledge base, by the page each article is built into (the overlay's list)."""
        from kb.check import check
        from kb.site import article_url

        try:
            result = check(spec)
        except Exception:  # the overlay is a help; a failing check must not stop the preview
            log.exception("kb check failed in the preview")
            return {}
        pages = {a.rel: article_url(a, spec) for a in result.articles}
        out: dict[str, list[dict[str, Any]]] = {}
        for f in result.findings:
            if f.path in pages:
                out.setdefault(pages[f.path], []).append(
                    {"line": f.line, "col": f.col, "level": f.level, "rule": f.rule, "message": f.message})
        return out

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
