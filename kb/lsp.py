"""``kb lsp``: kb check in the editor, over the Language Server Protocol (pygls; the ``lsp`` extra).

- Diagnostics when an article is opened (at once) and changed (after a pause in typing: ``debounce_ms``, 150 by
  default, in the client's initializationOptions), from the text the editor holds, saved or not, against the rest
  of the knowledge base on disk (links, anchors). Front matter mistakes are diagnostics of the article; kb.yaml's
  own mistakes are diagnostics of kb.yaml (and articles are checked with the last kb.yaml that loaded).
- Code actions: a quick fix for every fixable finding, "fix all" (``source.fixAll``: what ``kb check --fix``
  writes), and a suppression comment (``<!-- kb-disable-next-line RULE -->``) for a rule kb.yaml lets writers
  silence.
- Hover on a finding: the rule's explanation and its wrong and right example, in the knowledge base's language.

The knowledge base of a document is the nearest folder above it that holds kb.yaml and, for an article, the
``articles/`` folder the document is in. Positions go out in the encoding the client asked for (UTF-16 unless it
said otherwise): kb counts characters.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from base.errors import SourceError, SourceErrors
from kb.articles import Finding, load_article, load_articles
from kb.check import Checker, check_text
from kb.fix import fix_article, fixers
from kb.model import KbSpec
from kb.spec import load_spec

log = logging.getLogger("csops.kb.lsp")
DEBOUNCE_MS = 150
SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
            "suggestion": lsp.DiagnosticSeverity.Information, "info": lsp.DiagnosticSeverity.Hint}
FIX_ALL = lsp.CodeActionKind.SourceFixAll


@dataclass
class Knowledge:
    """One knowledge base the editor has documents of: its kb.yaml (the last that loaded) and its articles."""

    root: Path
    spec: KbSpec | None = None
    checker: Checker | None = None
    problem: str | None = None  # why kb.yaml does not load, for the articles' diagnostics

    def load(self, text: str | None = None) -> list[SourceError]:
        """kb.yaml (the editor's text, or the file) and every article on disk; kb.yaml's mistakes, if any."""
        try:
            spec = load_spec(self.root, text)
        except SourceErrors as exc:
            self.problem = str(exc.problems[0])
            return list(exc.problems)
        except SourceError as exc:
            self.problem = str(exc)
            return [exc]
        self.spec, self.problem = spec, None
        self.checker = Checker(spec, load_articles(spec)[0])
        return []


@dataclass
class Checked:
    """The findings of one version of a document."""

    version: int | None
    findings: list[Finding] = field(default_factory=list)


class KbServer(LanguageServer):
    """The editor sends the whole text on each change (Full sync): pygls applies an incremental change on its own
    line split, which also breaks at U+2028 and form feeds where the client does not, so after one of them a
    change would land on the wrong line and the server's copy would drift from the editor's. An article is a
    few KB; sending it whole costs nothing beside the check."""

    def __init__(self, version: str) -> None:
        super().__init__("kb", version, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.knowledge: dict[Path, Knowledge] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.checked: dict[str, Checked] = {}
        self.debounce = DEBOUNCE_MS / 1000

    # -- which knowledge base ---------------------------------------------------------------------------------

    def knowledge_of(self, path: Path) -> tuple[Knowledge, bool] | None:
        """The knowledge base of a file, and whether the file is its kb.yaml; None when it has none."""
        if path.name == "kb.yaml":
            return self._knowledge(path.parent), True
        for parent in path.parents:
            if parent.name == "articles" and (parent.parent / "kb.yaml").is_file():
                return self._knowledge(parent.parent), False
        return None

    def _knowledge(self, root: Path) -> Knowledge:
        if root not in self.knowledge:
            kb = self.knowledge[root] = Knowledge(root)
            kb.load()
        return self.knowledge[root]

    # -- checking -----------------------------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Check the document after ``delay`` seconds, unless it changes again meanwhile."""
        if uri in self.pending:
            self.pending.pop(uri).cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(delay, self.publish, uri)

    def findings(self, uri: str) -> list[Finding]:
        """The findings of the document as the editor holds it now (computed once per version)."""
        doc = self.workspace.get_text_document(uri)
        done = self.checked.get(uri)
        if done is not None and done.version == doc.version:
            return done.findings
        found = self._check(doc)
        self.checked[uri] = Checked(doc.version, found)
        return found

    def _check(self, doc: TextDocument) -> list[Finding]:
        path = _path(doc.uri)
        where = self.knowledge_of(path) if path else None
        if path is None or where is None:
            return []
        kb, is_spec = where
        if is_spec:
            return [_spec_finding(kb, p) for p in kb.load(doc.source)]
        if kb.checker is None:
            return [Finding(str(path), 1, 1, "error", "kb.yaml", f"kb.yaml does not load: {kb.problem}")]
        return check_text(kb.checker, path, doc.source)

    def publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        try:
            doc = self.workspace.get_text_document(uri)
            view = View(doc)
            diagnostics = [diagnostic(view, f) for f in self.findings(uri)]
        except Exception:  # a bug must not end the editor's session: log it, keep serving
            log.exception("checking %s failed", uri)
            self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error,
                                                         message=f"kb check failed on {uri}"))
            return
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics,
                                                                            version=doc.version))

    def saved(self, uri: str) -> None:
        """A file was written: the rest of the knowledge base sees it now (kb.yaml: everything is rechecked)."""
        path = _path(uri)
        where = self.knowledge_of(path) if path else None
        if path is None or where is None:
            return
        kb, is_spec = where
        if is_spec:
            kb.load()
            for open_uri in list(self.workspace.text_documents):
                self.checked.pop(open_uri, None)
                self.schedule(open_uri, 0)
        elif kb.checker is not None and kb.spec is not None:
            article, _ = load_article(kb.spec, path)
            if article is not None:
                kb.checker.replace(article)

    # -- code actions and hover ---------------------------------------------------------------------------------

    def actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        doc = self.workspace.get_text_document(uri)
        found = self.findings(uri)
        start, end = params.range.start.line + 1, params.range.end.line + 1
        here = [f for f in found if start <= f.line <= end]
        view = View(doc)
        out: list[lsp.CodeAction] = [quick_fix(view, f) for f in here if f.fix is not None]
        out += self._suppressions(doc, here)
        fix_all = self._fix_all(doc, found)
        if fix_all is not None:
            out.append(fix_all)
        only = params.context.only
        return [a for a in out if not only or any(_kind(a.kind).startswith(_kind(k)) for k in only)]

    def _suppressions(self, doc: TextDocument, here: list[Finding]) -> list[lsp.CodeAction]:
        path = _path(doc.uri)
        where = self.knowledge_of(path) if path else None
        if path is None or where is None or where[0].spec is None:
            return []
        spec = where[0].spec
        article, _ = load_article(spec, path, doc.source)
        known = set(spec.rules) | {r.id for r in spec.user_rules}
        out, seen, view = [], set(), View(doc)
        for f in here:
            if f.rule not in known or (f.line, f.rule) in seen or article is None or f.line < article.body_line:
                continue
            seen.add((f.line, f.rule))
            out.append(suppression(view, f))
        return out

    def _fix_all(self, doc: TextDocument, found: list[Finding]) -> lsp.CodeAction | None:
        path = _path(doc.uri)
        where = self.knowledge_of(path) if path else None
        if not any(f.fix for f in found) or path is None or where is None or where[0].spec is None:
            return None
        spec = where[0].spec
        article, _ = load_article(spec, path, doc.source)
        if article is None:
            return None
        fixed, changes = fix_article(spec, article, fixers(spec))
        if not changes:
            return None
        title = f"kb: fix all ({len(changes)} changes)"
        return lsp.CodeAction(title, kind=FIX_ALL, edit=_edit(doc.uri, [lsp.TextEdit(View(doc).whole(), fixed)]))

    def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        from kb.ruledocs import explain

        uri = params.text_document.uri
        doc = self.workspace.get_text_document(uri)
        path = _path(uri)
        where = self.knowledge_of(path) if path else None
        if where is None or where[0].spec is None:
            return None
        view = View(doc)
        at = [f for f in self.findings(uri) if _covers(view, f, params.position)]
        if not at:
            return None
        text = "\n\n---\n\n".join(explain(where[0].spec, f.rule, f.message) for f in at)
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
                         range=finding_range(view, at[0]))


# -- from findings to LSP ----------------------------------------------------------------------------------------

def _kind(kind: Any) -> str:
    return str(getattr(kind, "value", kind))


def _path(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(os.path.abspath(fs)) if fs and uri.startswith("file:") else None


class View:
    """One version of a document with its lines as kb numbers them and the protocol counts them: split at \\n only
    (pygls's ``TextDocument.lines`` also splits at U+2028, form feeds and other characters the protocol does not
    end lines at, which put a finding after one on the wrong column, and it splits the whole text again on every
    access). Columns go out in the client's position encoding (UTF-16 unless it asked otherwise)."""

    def __init__(self, doc: TextDocument) -> None:
        self.uri = doc.uri
        self.source = doc.source
        self.lines = doc.source.split("\n")
        self.encoding = doc.position_codec.encoding

    def line(self, n: int) -> str:
        """Line ``n`` (1-based), empty past the end."""
        return self.lines[n - 1] if 0 < n <= len(self.lines) else ""

    def position(self, line: int, col: int) -> lsp.Position:
        """A 1-based line and character column as the client counts (its position encoding)."""
        before = self.line(line)[:col - 1]
        if self.encoding == lsp.PositionEncodingKind.Utf32:
            units = len(before)
        elif self.encoding == lsp.PositionEncodingKind.Utf8:
            units = len(before.encode("utf-8", "surrogatepass"))
        else:
            units = len(before.encode("utf-16-le", "surrogatepass")) // 2
        return lsp.Position(line - 1, units)

    def whole(self) -> lsp.Range:
        """The range of the whole text."""
        return lsp.Range(lsp.Position(0, 0), self.position(len(self.lines), len(self.lines[-1]) + 1))


def finding_range(view: View, f: Finding) -> lsp.Range:
    """The fix's span when there is one, else the character the finding points at."""
    if f.fix is not None:
        return lsp.Range(view.position(f.line, f.fix.col), view.position(f.line, f.fix.end))
    return lsp.Range(view.position(f.line, f.col), view.position(f.line, f.col + 1))


def diagnostic(view: View, f: Finding) -> lsp.Diagnostic:
    data = {"fix": f.fix.text} if f.fix is not None else None
    return lsp.Diagnostic(finding_range(view, f), f.message, severity=SEVERITY.get(f.level), code=f.rule,
                          source="kb", data=data)


def _covers(view: View, f: Finding, at: lsp.Position) -> bool:
    r = finding_range(view, f)
    return r.start.line == at.line and r.start.character <= at.character <= max(r.end.character,
                                                                                 r.start.character + 1)


def _edit(uri: str, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(changes={uri: edits})


def quick_fix(view: View, f: Finding) -> lsp.CodeAction:
    assert f.fix is not None
    before = view.line(f.line)[f.fix.col - 1:f.fix.end - 1]
    return lsp.CodeAction(f"kb: '{before}' → '{f.fix.text}' ({f.rule})", kind=lsp.CodeActionKind.QuickFix,
                          diagnostics=[diagnostic(view, f)], is_preferred=True,
                          edit=_edit(view.uri, [lsp.TextEdit(finding_range(view, f), f.fix.text)]))


def suppression(view: View, f: Finding) -> lsp.CodeAction:
    line = view.line(f.line)
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    comment = f"{indent}<!-- kb-disable-next-line {f.rule} -->\n"
    return lsp.CodeAction(f"kb: silence {f.rule} on this line", kind=lsp.CodeActionKind.QuickFix,
                          diagnostics=[diagnostic(view, f)],
                          edit=_edit(view.uri, [lsp.TextEdit(lsp.Range(lsp.Position(f.line - 1, 0),
                                                                       lsp.Position(f.line - 1, 0)), comment)]))


def _spec_finding(kb: Knowledge, problem: SourceError) -> Finding:
    return Finding(str(kb.root / "kb.yaml"), problem.line or 1, problem.col or 1, "error", "kb.yaml",
                   problem.message)


# -- the server ------------------------------------------------------------------------------------------------------

def make_server(version: str) -> KbServer:
    server = KbServer(version)
    on: Callable[..., Callable[[Callable[..., Any]], Any]] = server.feature

    @on(lsp.INITIALIZE)
    def initialize(ls: KbServer, params: lsp.InitializeParams) -> None:
        _configure(ls, params.initialization_options)

    @on(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KbServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @on(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KbServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @on(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KbServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)

    @on(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KbServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.pending:
            ls.pending.pop(uri).cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @on(lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: KbServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return ls.actions(params)

    @on(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: KbServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return ls.hover(params)

    return server


def _configure(ls: KbServer, options: Any) -> None:
    if isinstance(options, dict) and isinstance(options.get("debounce_ms"), int | float):
        ls.debounce = max(0.0, float(options["debounce_ms"]) / 1000)


def serve(version: str) -> None:
    """Serve on stdin and stdout until the client says exit."""
    make_server(version).start_io()


__all__ = ["KbServer", "from_fs_path", "make_server", "serve"]
