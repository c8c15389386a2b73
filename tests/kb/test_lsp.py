"""kb lsp driven by a real LSP client over stdio (pytest-lsp, on pygls's client), as an editor drives it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.kb.helpers import HOWTO_JA, ROOT, make_kb

KB = str(Path(sys.executable).with_name("kb"))
BODY = "まず、ユーザを追加して、サーバの設定をします。ＣＳＶを出力することができます。\n\n反映されるかもしれません。"
TEXT = HOWTO_JA.format(title="テスト記事", body=BODY)
FIXED_WORDS = {"ユーザ": "ユーザー", "サーバ": "サーバー", "ＣＳＶ": "CSV", "することができ": "でき"}
FIXED = HOWTO_JA.format(title="テスト記事", body=BODY.replace("ユーザ", "ユーザー").replace("サーバ", "サーバー")
                        .replace("ＣＳＶ", "CSV").replace("することができ", "でき"))


class Client(LanguageClient):
    """pytest-lsp's client, also keeping the document version each diagnostics notification is for."""

    versions: dict[str, int | None]
    published: list[tuple[str, int | None]]  # every notification's document and version, in order
    initialized: lsp.InitializeResult


def _publish(client: Client, params: lsp.PublishDiagnosticsParams) -> None:
    client.published.append((params.uri, params.version))
    client.versions[params.uri] = params.version
    client.diagnostics[params.uri] = params.diagnostics


def _make_client() -> Client:
    from pygls.protocol import default_converter
    from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

    client = Client(converter_factory=default_converter)
    client.versions = {}
    client.published = []
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish})
    return client


async def _session(lsp_client: Client, debounce_ms: int) -> None:
    params = lsp.InitializeParams(capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
                                  root_uri=from_fs_path(str(ROOT)),
                                  initialization_options={"debounce_ms": debounce_ms})
    lsp_client.initialized = await lsp_client.initialize_session(params)


CONFIG = ClientServerConfig(server_command=[KB, "lsp"], client_factory=_make_client)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: Client) -> Any:
    await _session(lsp_client, 20)
    yield
    await lsp_client.shutdown_session()


DEBOUNCE_MS = 1000  # long beside the time the client takes to send a burst of changes, even on a loaded machine


@pytest_lsp.fixture(config=CONFIG)
async def typing_client(lsp_client: Client) -> Any:
    await _session(lsp_client, DEBOUNCE_MS)
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: Client, uri: str, version: int) -> list[lsp.Diagnostic]:
    """The diagnostics published for this version of the document."""
    for _ in range(200):
        got = client.diagnostics.get(uri)
        if got is not None and client.versions.get(uri) == version:
            return list(got)
        await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    raise AssertionError(f"no diagnostics for version {version} of {uri}")


def _open(client: Client, path: Path, text: str, version: int = 1) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    item = lsp.TextDocumentItem(uri=uri, language_id="markdown", version=version, text=text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))
    return uri


def _change(client: Client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [lsp.TextDocumentContentChangeWholeDocument(text=text)]))


def _apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions, as VS Code counts) to the text, from the last one back."""
    lines = text.split("\n")

    def offset(pos: lsp.Position) -> int:
        before = sum(len(line) + 1 for line in lines[:pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units, chars = 0, 0
        while units < pos.character and chars < len(line):
            units += 2 if ord(line[chars]) > 0xFFFF else 1
            chars += 1
        return before + chars

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


@pytest.mark.asyncio
async def test_open_diagnose_fix_all_and_get_a_clean_document(client: Client, tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = root / "articles" / "employees" / "timecard" / "test.md"
    path.parent.mkdir(parents=True)
    path.write_text(TEXT, encoding="utf-8")
    uri = _open(client, path, TEXT)
    found = await _diagnostics(client, uri, 1)
    codes = sorted(str(d.code) for d in found)
    assert codes == ["no-fullwidth-alnum", "redundant-expression", "terms", "terms", "weak-phrase"]
    terms = [d for d in found if d.code == "terms"]
    line = TEXT.split("\n")[terms[0].range.start.line]
    assert [line[d.range.start.character:d.range.end.character] for d in terms] == ["ユーザ", "サーバ"]
    assert {d.severity for d in terms} == {lsp.DiagnosticSeverity.Error}
    assert [d.source for d in found] == ["kb"] * 5

    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
        lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.SourceFixAll])))
    assert actions is not None and len(actions) == 1
    fix_all = actions[0]
    assert isinstance(fix_all, lsp.CodeAction) and fix_all.kind == lsp.CodeActionKind.SourceFixAll
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    fixed = _apply(TEXT, list(fix_all.edit.changes[uri]))
    assert fixed == FIXED
    # the editor applies the edit: the document comes back clean (the weak phrase is a suggestion, not fixable)
    _change(client, uri, 2, fixed)
    after = await _diagnostics(client, uri, 2)
    assert [str(d.code) for d in after] == ["weak-phrase"]

    # an article whose findings are all fixable comes back with none
    only_fixable = TEXT.replace("\n\n反映されるかもしれません。", "")
    other = _open(client, path.with_name("other.md"), only_fixable)
    assert len(await _diagnostics(client, other, 1)) == 4
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(other), lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
        lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.SourceFixAll])))
    assert actions is not None and len(actions) == 1 and isinstance(actions[0], lsp.CodeAction)
    assert actions[0].edit is not None and actions[0].edit.changes is not None
    _change(client, other, 2, _apply(only_fixable, list(actions[0].edit.changes[other])))
    assert await _diagnostics(client, other, 2) == []


@pytest.mark.asyncio
async def test_a_burst_of_typing_is_checked_once_after_the_pause(typing_client: Client, tmp_path: Path) -> None:
    """Changes are checked only when typing pauses for debounce_ms: four changes sent together give one
    diagnostics notification, for the last version, no sooner than the pause."""
    client = typing_client
    root = make_kb(tmp_path)
    path = root / "articles" / "employees" / "timecard" / "test.md"
    path.parent.mkdir(parents=True)
    path.write_text(TEXT, encoding="utf-8")
    uri = _open(client, path, TEXT)
    assert len(await _diagnostics(client, uri, 1)) == 5
    text = TEXT
    for version, word in enumerate(["ユーザ", "サーバ", "ＣＳＶ", "することができ"], start=2):
        text = text.replace(word, FIXED_WORDS[word])
        _change(client, uri, version, text)
    sent = time.monotonic()
    assert [str(d.code) for d in await _diagnostics(client, uri, 5)] == ["weak-phrase"]
    assert time.monotonic() - sent >= 0.9 * DEBOUNCE_MS / 1000
    assert [v for u, v in client.published if u == uri] == [1, 5]


@pytest.mark.asyncio
async def test_quick_fixes_suppression_and_hover(client: Client, tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = root / "articles" / "employees" / "timecard" / "test.md"
    path.parent.mkdir(parents=True)
    text = TEXT.replace("まず、", "👍まず、")  # a character outside the BMP: two UTF-16 units before the findings
    uri = _open(client, path, text)
    found = await _diagnostics(client, uri, 1)
    first = next(d for d in found if d.code == "terms")
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(uri), first.range, lsp.CodeActionContext(diagnostics=[first])))
    assert actions is not None
    titles = [a.title for a in actions if isinstance(a, lsp.CodeAction)]
    assert "kb: 'ユーザ' → 'ユーザー' (terms)" in titles
    assert "kb: silence terms on this line" in titles
    quick = next(a for a in actions if isinstance(a, lsp.CodeAction) and a.title.startswith("kb: 'ユーザ'"))
    assert quick.edit is not None and quick.edit.changes is not None
    assert "ユーザーを追加して、サーバの" in _apply(text, list(quick.edit.changes[uri]))
    silence = next(a for a in actions if isinstance(a, lsp.CodeAction) and a.title.startswith("kb: silence"))
    assert silence.edit is not None and silence.edit.changes is not None
    silenced = _apply(text, list(silence.edit.changes[uri]))
    assert "<!-- kb-disable-next-line terms -->\n👍まず、ユーザを" in silenced
    _change(client, uri, 2, silenced)
    assert "terms" not in [str(d.code) for d in await _diagnostics(client, uri, 2)]

    weak = next(d for d in found if d.code == "weak-phrase")
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri),
                                                                   weak.range.start))
    assert hover is None  # version 2 moved it one line down: nothing at the old place
    hover = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(uri), lsp.Position(weak.range.start.line + 1, weak.range.start.character)))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "**weak-phrase**" in hover.contents.value and "誤:" in hover.contents.value  # kb.yaml's language: ja


@pytest.mark.asyncio
async def test_a_prh_dictionary_and_a_vale_vocabulary_have_quick_fixes(client: Client, tmp_path: Path) -> None:
    from tests.kb.test_dictionaries import _kb as kb_with_dictionaries

    root = kb_with_dictionaries(tmp_path)
    path = root / "articles" / "employees" / "timecard" / "test.md"
    path.parent.mkdir(parents=True)
    text = HOWTO_JA.format(title="テスト記事", body="ディフォルトの設定を github に送ります。")
    uri = _open(client, path, text)
    found = {str(d.code): d for d in await _diagnostics(client, uri, 1)}
    assert {"prh", "vocabulary"} <= set(found)
    edits: list[lsp.TextEdit] = []
    for rule in ("prh", "vocabulary"):
        actions = await client.text_document_code_action_async(lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri), found[rule].range, lsp.CodeActionContext(diagnostics=[found[rule]])))
        quick = [a for a in actions or [] if isinstance(a, lsp.CodeAction) and a.title.endswith(f"({rule})")]
        assert len(quick) == 1 and quick[0].edit is not None and quick[0].edit.changes is not None
        edits += quick[0].edit.changes[uri]
    assert "デフォルトの設定を GitHub に送ります。" in _apply(text, edits)


@pytest.mark.asyncio
async def test_positions_count_lines_as_the_protocol_does(client: Client, tmp_path: Path) -> None:
    """LSP ends lines at \\n, \\r\\n and \\r only: a U+2028 or a form feed inside a line (Python's splitlines
    breaks there) leaves the findings after it on that line, at their columns."""
    root = make_kb(tmp_path)
    path = root / "articles" / "employees" / "timecard" / "test.md"
    path.parent.mkdir(parents=True)
    text = TEXT.replace("まず、", "まず\u2028\x0c、")
    uri = _open(client, path, text)
    terms = [d for d in await _diagnostics(client, uri, 1) if d.code == "terms"]
    lines = text.split("\n")
    assert [(d.range.start.line, lines[d.range.start.line][d.range.start.character:d.range.end.character])
            for d in terms] == [(6, "ユーザ"), (6, "サーバ")]
    # and the editor sends whole texts: pygls would apply an incremental change on its own line split
    sync = client.initialized.capabilities.text_document_sync
    assert isinstance(sync, lsp.TextDocumentSyncOptions) and sync.change == lsp.TextDocumentSyncKind.Full


@pytest.mark.asyncio
async def test_front_matter_and_kb_yaml_mistakes_are_diagnostics(client: Client, tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    path = root / "articles" / "employees" / "timecard" / "test.md"
    path.parent.mkdir(parents=True)
    uri = _open(client, path, TEXT.replace("title: テスト記事", "title: テスト記事\ntitel: x"))
    found = await _diagnostics(client, uri, 1)
    front = [d for d in found if d.code == "front-matter"]
    assert front and front[0].range.start.line == 2 and "did you mean 'title'" in front[0].message
    spec_uri = _open(client, root / "kb.yaml", (root / "kb.yaml").read_text(encoding="utf-8")
                     .replace("    max-ten: {level: warning, max: 3}", "    max-tne: {level: warning, max: 3}"))
    spec_found = await _diagnostics(client, spec_uri, 1)
    assert len(spec_found) == 1 and "unknown rule 'max-tne'" in spec_found[0].message
    assert spec_found[0].severity == lsp.DiagnosticSeverity.Error
    lines = (root / "kb.yaml").read_text(encoding="utf-8").split("\n")
    line = next(i for i, text in enumerate(lines) if text.startswith("    max-ten:"))
    assert spec_found[0].range.start.line == line


def test_kb_lsp_without_the_lsp_extra_says_how_to_install_it(tmp_path: Path) -> None:
    import subprocess

    block = ("import sys\nclass B:\n    def find_spec(self, name, path=None, target=None):\n"
             "        if name == 'pygls' or name.startswith('pygls.'):\n            raise ImportError('blocked')\n"
             "sys.meta_path.insert(0, B())\nfrom csops.kb_cli import main\nsys.argv = ['kb', 'lsp']\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 69 and "pip install 'csops[lsp]'" in proc.stderr

