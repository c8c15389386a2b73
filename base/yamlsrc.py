"""YAML that remembers where every value came from.

Rule files, ``csops.yaml`` and ``kb.yaml`` are written by people, so every
message about them must name the file and line at fault.  PyYAML's composed
node tree carries those marks; this module turns it into plain Python values
plus a table of positions keyed by the path to each value.  It lives in
``base/`` because every layer reads such files; of base's modules it alone imports PyYAML.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from base.errors import SourceError

PathKey = tuple[str | int, ...]

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass
class Document:
    """A parsed YAML document: its data and where each part of it stands."""

    file: str
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    from_env: set[PathKey] = field(default_factory=set)

    def pos(self, path: PathKey) -> tuple[int | None, int | None]:
        """Line and column of ``path``, or of its nearest located ancestor."""
        p = tuple(path)
        while True:
            if p in self.positions:
                return self.positions[p]
            if not p:
                return (None, None)
            p = p[:-1]

    def error(self, path: PathKey, message: str) -> SourceError:
        line, col = self.pos(path)
        return SourceError(message, self.file, line, col)


def dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def load_file(path: str | Path, env: Mapping[str, str] | None = None,
              missing: list[SourceError] | None = None) -> Document:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError("file not found", str(p)) from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", str(p)) from None
    return load_text(text, str(p), env=env, missing=missing)


MAX_DEPTH = 64
"""Nesting deeper than this is refused before PyYAML's recursive composer can overflow the stack."""
MAX_VALUES = 100_000
"""Values one file may expand to; aliases can multiply a few lines into billions (an alias bomb)."""


def _odd_quotes(line: str) -> bool:
    """A line with an odd number of unescaped double quotes outside a comment (a quote left open)."""
    count, i = 0, 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "#" and count % 2 == 0 and (i == 0 or line[i - 1] == " "):
            break
        count += ch == '"'
        i += 1
    return count % 2 == 1


def _located(exc: yaml.MarkedYAMLError, text: str, file: str, off: int) -> SourceError:
    """A YAML error at the line where the mistake is, saying what it is.

    PyYAML reports a full-width space (U+3000) in an indentation on the next
    line as a block error, a tab as "cannot start any token", and an unclosed
    quote where the file ends; a person needs the line they typed it on.
    """
    if exc.context and "quoted scalar" in exc.context and exc.context_mark:
        m = exc.context_mark
        return SourceError("invalid YAML: a quote opened on this line is not closed (it runs to the end of the "
                           "file)", file, m.line + 1 + off,
                           m.column + 1)
    mark = exc.problem_mark or exc.context_mark
    reported = mark.line + 1 if mark else len(text.splitlines())
    for n, line in enumerate(text.splitlines()[:reported], start=1):
        indent = line[:len(line) - len(line.lstrip(" \t\u3000"))]
        if "\u3000" in indent:
            return SourceError("invalid YAML: a full-width space (U+3000) in the indentation; indent with "
                               "half-width spaces", file, n + off, indent.index("\u3000") + 1)
        if "\t" in indent and line.strip():
            return SourceError("invalid YAML: a tab in the indentation; YAML indents with spaces only", file,
                               n + off, indent.index("\t") + 1)
    lines = text.splitlines()[:reported]
    open_quote = [n for n, ln in enumerate(lines, start=1) if _odd_quotes(ln)]
    if open_quote and open_quote[-1] < reported:
        n = open_quote[-1]
        return SourceError("invalid YAML: a quote opened on this line is not closed on it", file, n + off,
                           lines[n - 1].index('"') + 1)
    at = mark.line + 1 + off if mark else None
    col = mark.column + 1 if mark else None
    return SourceError(f"invalid YAML: {exc.problem or exc.context}", file, at, col)


def load_text(text: str, file: str, env: Mapping[str, str] | None = None,
              line_offset: int = 0, missing: list[SourceError] | None = None) -> Document:
    """Parse ``text``; with ``env``, replace ``${VAR}`` (or ``${VAR:-default}``) in strings.

    A variable that is not set is an error, unless ``missing`` is given: then
    the value becomes null and the error is collected there, for callers that
    need only the parts of the file without it.  Paths whose value came from
    the environment are kept in ``Document.from_env``, so no message echoes them.
    """
    try:
        _check_depth(text, file, line_offset)
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        raise _located(exc, text, file, line_offset) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", file) from None
    doc = Document(file=file, data=None)
    if node is None:
        doc.data = {}
        return doc
    doc.data = _Builder(doc, env, line_offset, missing).build(node, ())
    return doc


_LIBYAML: Any = getattr(yaml, "CSafeLoader", None)
"""PyYAML's libyaml binding, when installed: the same nodes and marks, several times faster."""


def _compose(text: str) -> yaml.Node | None:
    """Nodes through libyaml when available; a document it refuses is composed again by the pure-Python
    loader, so an error reads (and is located) the same everywhere."""
    if _LIBYAML is not None:
        try:
            return yaml.compose(text, Loader=_LIBYAML)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _check_depth(text: str, file: str, off: int) -> None:
    """Events are streamed (no recursion), so this bounds the nesting before any composer recurses.
    A syntax error libyaml finds here is left to :func:`_compose` to word and locate. libyaml 0.2.5's scanner
    refuses nesting past 1000 levels before it yields the events that would show it (PyYAML 6.0.3+ wheels bundle
    it): then the pure-Python parser, which streams too, looks for the depth again."""
    try:
        _bound_depth(yaml.parse(text, Loader=_LIBYAML or yaml.SafeLoader), file, off)
    except yaml.YAMLError:
        if _LIBYAML is None:
            raise
        with contextlib.suppress(yaml.YAMLError):
            _bound_depth(yaml.parse(text, Loader=yaml.SafeLoader), file, off)


def _bound_depth(events: Any, file: str, off: int) -> None:
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise SourceError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep", file,
                                  mark.line + 1 + off if mark else None, mark.column + 1 if mark else None)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


@dataclass
class _Builder:
    """Plain values from a composed node graph, with positions; bounded, because aliases share nodes."""

    doc: Document
    env: Mapping[str, str] | None
    off: int
    missing: list[SourceError] | None
    built: int = 0
    stack: set[int] = field(default_factory=set)

    def error(self, node: yaml.Node, message: str) -> SourceError:
        return SourceError(message, self.doc.file, node.start_mark.line + 1 + self.off, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.built += 1
        if self.built > MAX_VALUES:
            line, col = self.doc.pos(path[:1])  # the top-level entry whose aliases explode
            raise SourceError(f"invalid YAML: aliases expand to more than {MAX_VALUES:,} values "
                                   "(an alias bomb?); write the values out instead", self.doc.file, line, col)
        if id(node) in self.stack:
            raise self.error(node, "invalid YAML: an alias refers to a node that contains it (a recursive alias)")
        self.doc.positions[path] = (node.start_mark.line + 1 + self.off, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            self.stack.add(id(node))
            try:
                return self._mapping(node, path) if isinstance(node, yaml.MappingNode) else [
                    self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.stack.discard(id(node))
        value = self.scalar(node)
        if self.env is not None and isinstance(value, str) and "${" in value:
            try:
                value = _substitute(value, self.env, self.doc, path)
                self.doc.from_env.add(path)
            except SourceError as exc:
                if self.missing is None:
                    raise
                self.missing.append(exc)
                return None
        return value

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if isinstance(key, (list, dict)) or key is None:
                raise self.error(key_node, "mapping keys must be plain names")
            key = str(key) if not isinstance(key, (str, int)) else key
            if key in out:
                raise self.error(key_node, f"duplicate key '{key}'")
            out[key] = self.build(value_node, (*path, key))
            # A key's own line is more useful than its value's for messages.
            self.doc.positions[(*path, key)] = (key_node.start_mark.line + 1 + self.off,
                                                key_node.start_mark.column + 1)
        return out

    def scalar(self, node: yaml.Node) -> Any:
        """The scalar's value; a tagged or implicit value that cannot be built (``2024-02-30``,
        ``!!int abc``) is an error at its position, not a crash."""
        try:
            return _CONSTRUCTOR.construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError, yaml.constructor.ConstructorError) as exc:
            shown = node.value if isinstance(node.value, str) else ""
            reason = getattr(exc, "problem", None) or str(exc)
            raise self.error(node, f"invalid value '{shown}' for {node.tag.rsplit(':', 1)[-1]}: {reason}") from None


_CONSTRUCTOR = yaml.SafeLoader("")


def _substitute(value: str, env: Mapping[str, str], doc: Document, path: PathKey) -> str:
    try:
        return expand_env(value, env)
    except KeyError as unset:
        raise doc.error(path, f"{dotted(path)}: environment variable ${{{unset.args[0]}}} is not set") from None


def expand_env(value: str, env: Mapping[str, str]) -> str:
    """``value`` with its ``${VAR}`` (or ``${VAR:-default}``) parts read from ``env``; KeyError names an unset one.
    For values kept as written and read from the environment only when used (a rule file's source URL)."""
    def repl(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise KeyError(name)

    return _ENV_REF.sub(repl, value)


def environ() -> Mapping[str, str]:
    return os.environ
