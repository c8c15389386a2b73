"""The prose of an article, with every character's line and column.

Code (fenced and inline), URLs, HTML, link targets and front matter are masked
so that writing rules never check them.  Lines of one paragraph are joined the
way the renderer joins them (no space between two Japanese characters), so a
sentence that wraps is still one sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

MASK = "\ue000"

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_LIST = re.compile(r"^(\s*)([-*+]|\d+[.)])[ \t]+")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ADMONITION = re.compile(r"^!!!\s+\w+")
_ATTR = re.compile(r"\s*\{[:#.][^}]*\}\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*([^)\s]*)(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*([^)\s]*)(?:\s+\"[^\"]*\")?\s*\)")
_CODE = re.compile(r"(`+)(.+?)\1")
_URL = re.compile(r"<?https?://[^\s<>()\]]+>?")
_HTML = re.compile(r"<[^>\n]+>")
_FOOTREF = re.compile(r"\[\^[^\]]+\]")
_EMPH = re.compile(r"\*\*|__|~~")
_MAYBE_INLINE = re.compile(r"[`\[<*_~{!]|http")  # a character every pattern below needs


_ANY_JA = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def has_ja(text: str) -> bool:
    return _ANY_JA.search(text) is not None


def is_ja(c: str) -> bool:
    o = ord(c)
    return (0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0xF900 <= o <= 0xFAFF)


@dataclass
class Heading:
    level: int
    text: str
    line: int
    col: int


@dataclass
class Link:
    text: str
    target: str
    line: int
    col: int
    image: bool


def pack(line: int, col: int) -> int:
    return (line << 16) | col


def unpack(p: int) -> tuple[int, int]:
    return p >> 16, p & 0xFFFF


@dataclass(slots=True)
class Block:
    """A heading, paragraph, list item or table cell: its text and where each of its parts starts.

    Each part is one run of a source line (or the "\\n" that joins two), so a character's line and column
    are its part's start plus its offset in the part: kept per part, not per character.
    """

    kind: str
    parts: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # each part's offset in the text
    bases: list[int] = field(default_factory=list)  # each part's first character's packed line/column
    length: int = 0
    _text: str | None = None

    def append(self, part: str, base: int) -> None:
        self.parts.append(part)
        self.starts.append(self.length)
        self.bases.append(base)
        self.length += len(part)
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.parts)
        return self._text

    def at(self, i: int) -> tuple[int, int]:
        if not self.length:
            return 1, 1
        i = min(max(i, 0), self.length - 1)
        k = bisect_right(self.starts, i) - 1
        return unpack(self.bases[k] + i - self.starts[k])


@dataclass(slots=True)
class Sentence:
    block: Block
    start: int
    end: int
    text: str = ""
    _ja: bool | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.text = self.block.text[self.start:self.end]

    @property
    def ja(self) -> bool:
        """Whether the sentence has Japanese in it (asked by most rules: computed once)."""
        if self._ja is None:
            self._ja = has_ja(self.text)
        return self._ja

    @property
    def kind(self) -> str:
        return self.block.kind

    def pos(self, offset: int = 0) -> tuple[int, int]:
        return self.block.at(self.start + max(0, min(offset, self.end - self.start - 1)))


@dataclass
class Prose:
    blocks: list[Block] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    h1_lines: list[int] = field(default_factory=list)

    _split: dict[int, list[Sentence]] = field(default_factory=dict, repr=False)
    anchors: set[str] | None = None
    _all: str | None = None

    @property
    def all_text(self) -> str:
        """Every block's text, joined: one search here tells whether a rule can match at all."""
        if self._all is None:
            self._all = "\n".join(b.text for b in self.blocks)
        return self._all

    def sentences(self, kinds: tuple[str, ...] = ("paragraph", "list", "heading", "table")) -> list[Sentence]:
        out: list[Sentence] = []
        for b in self.blocks:
            if b.kind in kinds:
                key = id(b)
                if key not in self._split:
                    self._split[key] = split_sentences(b)
                out.extend(self._split[key])
        return out


def mask_inline(line: str, lineno: int, links: list[Link] | None = None) -> str:
    """The line with code, URLs, HTML and link targets replaced by MASK (same length, so columns hold)."""
    if not _MAYBE_INLINE.search(line):
        return line
    masked = line
    if "`" in masked:
        masked = _blank(masked, [m.span() for m in _CODE.finditer(masked)])
    if "![" in masked:
        masked = _mask_links(masked, _IMAGE, lineno, links, image=True)
    if "[" in masked:
        masked = _mask_links(masked, _LINK, lineno, links, image=False)
    for rx, needs in _MASKED_TOO:
        if any(x in masked for x in needs):
            masked = _blank(masked, [m.span() for m in rx.finditer(masked)])
    if "{" in masked:
        attr = _ATTR.search(masked)
        if attr:
            masked = _blank(masked, [attr.span()])
    return masked


def _mask_links(masked: str, rx: re.Pattern[str], lineno: int, links: list[Link] | None, image: bool) -> str:
    """Images blanked whole; a link's brackets and target blanked, its text kept (it is prose). Each noted."""
    spans: list[tuple[int, int]] = []
    for m in rx.finditer(masked):
        if links is not None:
            links.append(Link(m.group(1), m.group(2), lineno, m.start() + 1, image))
        spans += [m.span()] if image else [(m.start(), m.start(1)), (m.end(1), m.end())]
    return _blank(masked, spans)


_MASKED_TOO = ((_URL, ("http",)), (_HTML, ("<",)), (_FOOTREF, ("[^",)), (_EMPH, ("**", "__", "~~")))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with each span (in order, not overlapping) replaced by as many MASKs."""
    if not spans:
        return text
    out = []
    at = 0
    for a, b in spans:
        out += [text[at:a], MASK * (b - a)]
        at = b
    out.append(text[at:])
    return "".join(out)


def extract(body: str, first_line: int = 1) -> Prose:
    """The prose of an article's body: paragraphs, list items, headings and table cells, outside code fences and
    HTML comments, each part with its line and column."""
    ex = _Extractor(Prose())
    for i, raw in enumerate(body.split("\n")):
        ex.line(raw, first_line + i)
    ex.close()
    return ex.prose


class _Extractor:
    """:func:`extract`'s state as it goes line by line: the block being filled, and whether a fence or an HTML
    comment is open."""

    __slots__ = ("current", "fence", "in_comment", "prose")

    def __init__(self, prose: Prose) -> None:
        self.prose = prose
        self.current: Block | None = None
        self.fence: str | None = None
        self.in_comment = False

    def close(self) -> None:
        if self.current is not None and self.current.parts:
            self.prose.blocks.append(self.current)
        self.current = None

    def line(self, raw: str, lineno: int) -> None:
        if self.outside_prose(raw):
            return
        line = mask_inline(raw, lineno, self.prose.links)
        hm = _HEADING.match(line) if line[:1] == "#" else None
        if hm and not raw.startswith("    "):
            self.heading(raw, hm, lineno)
        elif line[:3] == "!!!" and _ADMONITION.match(line):
            self.close()
        elif line.lstrip().startswith("|"):
            self.table_row(line, lineno)
        elif lm := _LIST.match(line):
            self.close()
            self.current = Block("list")
            _add(self.current, line[lm.end():], lineno, lm.end())
        else:
            self.paragraph(line, lineno)

    def outside_prose(self, raw: str) -> bool:
        """Whether ``raw`` is no prose: inside or opening a code fence or HTML comment, or blank (which ends the
        block being filled, as an opening does)."""
        if self.fence is not None:
            if raw.strip().startswith(self.fence):
                self.fence = None
            return True
        text = raw.lstrip()
        m = _FENCE.match(raw) if text[:1] in ("`", "~") else None
        if m:
            self.close()
            self.fence = m.group(1)
            return True
        if self.in_comment:
            self.in_comment = "-->" not in raw
            return True
        if text.startswith("<!--") or not text:
            self.close()
            self.in_comment = text.startswith("<!--") and "-->" not in raw
            return True
        return False

    def heading(self, raw: str, hm: re.Match[str], lineno: int) -> None:
        self.close()
        level = len(hm.group(1))
        text_start = hm.start(2)
        title = _ATTR.sub("", raw[text_start:len(hm.group(0))]).strip().rstrip("#").strip()
        self.prose.headings.append(Heading(level, title, lineno, 1))
        if level == 1:
            self.prose.h1_lines.append(lineno)
        block = Block("heading")
        _add(block, hm.group(2), lineno, text_start)
        self.prose.blocks.append(block)

    def table_row(self, line: str, lineno: int) -> None:
        self.close()
        if _TABLE_SEP.match(line):
            return
        for cell in re.finditer(r"[^|]+", line):
            if cell.group(0).strip(" \t" + MASK):
                block = Block("table")
                _add(block, cell.group(0), lineno, cell.start())
                self.prose.blocks.append(block)

    def paragraph(self, line: str, lineno: int) -> None:
        content, col0 = line, 0
        if content.lstrip().startswith(">"):
            col0 = content.index(">") + 1
            content = content[col0:]
        if self.current is None:
            self.current = Block("paragraph")
        _add(self.current, content, lineno, col0)


def _add(block: Block, text: str, lineno: int, col0: int) -> None:
    stripped = text.rstrip()
    content = stripped.lstrip()
    if not content:
        return
    base = pack(lineno, col0 + len(stripped) - len(content) + 1)
    if block.parts:
        prev = block.parts[-1][-1:]
        if not (prev and is_ja(prev) and is_ja(content[0])):
            # a soft line break the renderer shows as a space ("\n": no writing rule counts it as one)
            block.append("\n", base)
    block.append(content, base)


_OPEN = "「『（(【〔［"
_CLOSE = "」』）)】〕］"
_END = re.compile(r"[。！？!?．]+[」』）)】〕］]*|(?<=[^\d\s])\.(?=[\s\n]|$)")
_ANY_OPEN = re.compile("[" + re.escape(_OPEN) + "]")
_DEPTH = str.maketrans({c: "(" for c in _OPEN} | {c: ")" for c in _CLOSE})


def split_sentences(block: Block) -> list[Sentence]:
    """Sentences, split on 。！？!? (and '. ' in English) outside 「」（）."""
    text = block.text
    out: list[Sentence] = []
    start = 0
    nested = _ANY_OPEN.search(text) is not None
    for m in _END.finditer(text):
        if m.start() < start:
            continue
        if nested:
            piece = text[start:m.start()].translate(_DEPTH)
            if piece.count("(") > piece.count(")"):
                continue
        end = m.end()
        out.append(Sentence(block, start, end))
        while end < len(text) and text[end] in " \n":
            end += 1
        start = end
    if start < len(text) and text[start:].strip(" \n" + MASK):
        out.append(Sentence(block, start, len(text)))
    return out
