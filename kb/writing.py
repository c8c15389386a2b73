"""Writing rules over an article's prose: the built-ins and the team's own (Vale's kinds).

Every rule works on Japanese: no ``\\b`` word boundaries (they never match
between Japanese characters); ASCII tokens get explicit ASCII boundaries and
Japanese tokens match as they are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kb import morphology
from kb.prose import MASK, Block, Prose, Sentence, has_ja, is_ja
from kb.spec import KbSpec, RuleSetting, UserRule

Emit = Callable[[int, int, str, str], None]  # line, col, rule id, message


@dataclass
class Ctx:
    spec: KbSpec
    prose: Prose
    emit: Emit

    _body: list[Sentence] | None = None

    def opt(self, rule: str, key: str) -> object:
        return self.spec.rules[rule].options[key]

    def ja_body(self, sentences: list[Sentence]) -> list[Sentence]:
        """The paragraph and list sentences with Japanese in them (the morphology rules' input)."""
        if self._body is None:
            self._body = [s for s in sentences if s.kind in _BODY and s.ja]
        return self._body


_BODY = ("paragraph", "list")
_DESUMASU = re.compile(r"(です|ます|でした|ました|ません|ませんでした|でしょう|ましょう|ください|下さい)(か|ね|よ)?$")
# Plain forms (…る, …た, …ない) count as だ・である: in a です・ます body they are the mix to report.
# _DESUMASU is tried first, so でした and ません never reach here.
_DEARU = re.compile(r"(である|だ|であった|だった|ではない|でない|であろう|だろう|であり"
                    r"|[ぁ-ん]る|[ぁ-ん]た|ない)(か|ね|よ)?$")
_TRAIL = "。．！？!?」』）)】 \n" + MASK


def sentence_length(c: Ctx, sentences: list[Sentence]) -> None:
    limit, words_limit = int(c.opt("sentence-length", "max")), int(c.opt("sentence-length", "max_words"))  # type: ignore[call-overload]
    for s in sentences:
        if s.kind not in _BODY:
            continue
        text = s.text.replace(MASK, "")
        if s.ja:
            n = len(text.replace("\n", ""))
            if n > limit:
                c.emit(*s.pos(), "sentence-length",
                       f"文が長すぎます（{n}文字、上限{limit}文字）。分けられないか検討してください")
        else:
            n = len(text.split())
            if n > words_limit:
                c.emit(*s.pos(), "sentence-length",
                       f"sentence is {n} words long (max {words_limit}); consider splitting it")


def max_ten(c: Ctx, sentences: list[Sentence]) -> None:
    limit = int(c.opt("max-ten", "max"))  # type: ignore[call-overload]
    for s in sentences:
        text = s.text
        if text.count("、") + text.count("，") + text.count(",") <= limit:
            continue
        ja = s.ja
        marks = [i for i, ch in enumerate(text) if ch in ("、，" if ja else ",")]
        if len(marks) > limit:
            msg = (f"一文の読点「、」が{len(marks)}個あります（上限{limit}個）" if ja else
                   f"{len(marks)} commas in one sentence (max {limit})")
            c.emit(*s.pos(marks[limit]), "max-ten", msg)


def _ending(text: str) -> str | None:
    core = text.rstrip(_TRAIL)
    if _DESUMASU.search(core):
        return "desumasu"
    if _DEARU.search(core):
        return "dearu"
    return None


def style(c: Ctx, sentences: list[Sentence]) -> None:
    names = {"desumasu": "「です・ます」調", "dearu": "「だ・である」調"}
    for kind, key in (("paragraph", "body"), ("list", "list")):
        want = str(c.opt("style", key))
        found = [(s, e) for s in sentences if s.kind == kind and s.ja for e in [_ending(s.text)] if e]
        if want in ("any", "off") or not found:
            continue
        if want == "auto":
            n_desu = sum(1 for _, e in found if e == "desumasu")
            want = "desumasu" if n_desu >= len(found) - n_desu else "dearu"
        where = "本文" if kind == "paragraph" else "箇条書き"
        for s, e in found:
            if e != want:
                c.emit(*s.pos(len(s.text.rstrip(_TRAIL)) - 1), "style",
                       f"{where}は{names[want]}で書きます（この文は{names[e]}）")


def ja_period(c: Ctx, sentences: list[Sentence]) -> None:
    for s in sentences:
        if s.kind != "paragraph":
            continue
        text = s.text.rstrip(" \n" + MASK)
        if not text or not s.ja:
            continue
        core = text.rstrip("」』）)】")
        if core and core[-1] not in "。！？!?:：" and is_ja(core[-1]):
            c.emit(*s.pos(len(text) - 1), "ja-period", "文末に「。」がありません")


_EXCLAIM = re.compile(r"[！？!?]")


def no_exclamation_question(c: Ctx, sentences: list[Sentence]) -> None:
    if not _EXCLAIM.search(c.prose.all_text):
        return
    for s in sentences:
        if s.kind not in _BODY:
            continue
        for m in _EXCLAIM.finditer(s.text):
            c.emit(*s.pos(m.start()), "no-exclamation-question",
                   f"感嘆符・疑問符「{m.group(0)}」は使いません" if s.ja else
                   f"avoid '{m.group(0)}' in help-center prose")


def _each_char(c: Ctx, rx: re.Pattern[str]) -> Iterator[tuple[Block, re.Match[str]]]:
    if not rx.search(c.prose.all_text):
        return
    for b in c.prose.blocks:
        for m in rx.finditer(b.text):
            yield b, m


_HANKAKU = re.compile(r"[\uff61-\uff9f]+")
_FULL_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NFD = re.compile(r"[\u0300-\u036f\u3099\u309a]")
_JA = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_SPACE_NEVER = re.compile(rf"(?<={_JA}) +(?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) +(?={_JA})")
_SPACE_ALWAYS = re.compile(rf"(?<={_JA})(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?={_JA})")


def no_hankaku_kana(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, _HANKAKU):
        c.emit(*b.at(m.start()), "no-hankaku-kana",
               f"半角カナ「{m.group(0)}」は全角で書きます（{unicodedata.normalize('NFKC', m.group(0))}）")


def no_fullwidth_alnum(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, _FULL_ALNUM):
        c.emit(*b.at(m.start()), "no-fullwidth-alnum",
               f"全角英数字「{m.group(0)}」は半角で書きます（{unicodedata.normalize('NFKC', m.group(0))}）")


def spacing(c: Ctx, _: list[Sentence]) -> None:
    always = c.opt("spacing", "space") == "always"
    for b, m in _each_char(c, _SPACE_ALWAYS if always else _SPACE_NEVER):
        c.emit(*b.at(m.start()), "spacing", "全角文字と半角英数字の間にスペースを入れます" if always
               else "全角文字と半角英数字の間にスペースを入れません")


def no_nfd(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, _NFD):
        c.emit(*b.at(max(0, m.start() - 1)), "no-nfd",
               "濁点・半濁点が結合文字（NFD）です。NFC に正規化してください（kb check --fix）")


def no_invisible(c: Ctx, _: list[Sentence]) -> None:
    for b, m in _each_char(c, _INVISIBLE):
        c.emit(*b.at(m.start()), "no-invisible-chars",
               f"見えない文字 U+{ord(m.group(0)):04X} ({unicodedata.name(m.group(0), 'control')}) があります")


_PAIRS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


_BRACKETS = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_CLOSERS)) + "]")


def unmatched_pair(c: Ctx, _: list[Sentence]) -> None:
    for b in c.prose.blocks:
        if not _BRACKETS.search(b.text):
            continue
        stack: list[tuple[str, int]] = []
        for i, ch in enumerate(b.text):
            if ch in _PAIRS:
                stack.append((ch, i))
            elif ch in _CLOSERS:
                if stack and stack[-1][0] == _CLOSERS[ch]:
                    stack.pop()
                else:
                    c.emit(*b.at(i), "unmatched-pair", f"「{ch}」に対応する「{_CLOSERS[ch]}」がありません")
        for ch, i in stack:
            c.emit(*b.at(i), "unmatched-pair", f"「{ch}」に対応する「{_PAIRS[ch]}」がありません")


@functools.lru_cache(maxsize=1024)
def token_regex(token: str, ignorecase: bool = False) -> re.Pattern[str]:
    """A literal token: ASCII words get ASCII boundaries; Japanese text matches as it is."""
    body = re.escape(token)
    if token[:1].isascii() and token[:1].isalnum():
        body = r"(?<![A-Za-z0-9_])" + body
    if token[-1:].isascii() and token[-1:].isalnum():
        body += r"(?![A-Za-z0-9_])"
    return re.compile(body, re.IGNORECASE if ignorecase else 0)


_WEAK_TOKENS = ("かもしれません", "かもしれない", "と思います", "と思われます", "ような気がします", "おそらく",
                "might", "I think", "probably", "perhaps")
_WEAK = re.compile("|".join(token_regex(t).pattern for t in _WEAK_TOKENS) + r"|(?<![A-Za-z])may be(?![A-Za-z])")
_REDUNDANT = [(re.compile(p), p_show, better) for p, p_show, better in (
    (r"することができ(る|ます)", "することができる", "できる"),
    (r"することが可能(です|だ|である)?", "することが可能", "できる"),
    (r"を行(?:う|い|います|いました|った|って|える|えます)", "を行う", "（動詞で直接書く）"),
    (r"(?<![A-Za-z])in order to(?![A-Za-z])", "in order to", "to"),
    (r"(?<![A-Za-z])is able to(?![A-Za-z])", "is able to", "can"))]


# Every match holds one of these: substring tests rule a text out far faster than the pattern can.
_WEAK_LITERALS = (*_WEAK_TOKENS, "may be")
_REDUNDANT_LITERALS = ("することが", "を行", "in order to", "is able to")


def _has_any(text: str, literals: tuple[str, ...]) -> bool:
    return any(x in text for x in literals)


def weak_phrase(c: Ctx, sentences: list[Sentence]) -> None:
    if not _has_any(c.prose.all_text, _WEAK_LITERALS):
        return
    for s in sentences:
        if not _has_any(s.text, _WEAK_LITERALS):
            continue
        for m in _WEAK.finditer(s.text):
            token = m.group(0)
            c.emit(*s.pos(m.start()), "weak-phrase",
                   f"「{token}」は弱い表現です。言い切れるなら言い切ります" if has_ja(token) else
                   f"'{token}' is a weak phrase; say it plainly if you can")


_ANY_REDUNDANT = re.compile("|".join(f"(?:{rx.pattern})" for rx, _, _ in _REDUNDANT))


def redundant_expression(c: Ctx, sentences: list[Sentence]) -> None:
    if not _has_any(c.prose.all_text, _REDUNDANT_LITERALS):
        return
    for s in sentences:
        if not _has_any(s.text, _REDUNDANT_LITERALS) or not _ANY_REDUNDANT.search(s.text):
            continue
        for rx, shown, better in _REDUNDANT:
            for m in rx.finditer(s.text):
                c.emit(*s.pos(m.start()), "redundant-expression",
                       f"「{m.group(0)}」は冗長です。「{better}」と書けます" if has_ja(shown) else
                       f"'{m.group(0)}' is redundant: write '{better}'")


def _morphology(rule: str) -> Callable[[Ctx, list[Sentence]], None]:
    """A rule from kb.morphology over body sentences; nothing when the ``ja`` extra is missing."""

    def run(c: Ctx, sentences: list[Sentence]) -> None:
        if not morphology.available():
            return
        body = c.ja_body(sentences)

        def report(s: Sentence, offset: int, message: str) -> None:
            c.emit(*s.pos(offset), rule, message)

        if rule == "no-doubled-joshi":
            morphology.no_doubled_joshi(body, report, int(c.opt(rule, "min_interval")))  # type: ignore[call-overload]
        elif rule == "no-dropping-the-ra":
            morphology.no_dropping_the_ra(body, report)
        else:
            morphology.no_double_negative(body, report)

    return run


BUILTINS: dict[str, Callable[[Ctx, list[Sentence]], None]] = {
    "sentence-length": sentence_length, "max-ten": max_ten, "style": style, "ja-period": ja_period,
    "no-exclamation-question": no_exclamation_question, "no-hankaku-kana": no_hankaku_kana,
    "no-fullwidth-alnum": no_fullwidth_alnum, "spacing": spacing, "no-nfd": no_nfd,
    "no-invisible-chars": no_invisible, "unmatched-pair": unmatched_pair, "weak-phrase": weak_phrase,
    "redundant-expression": redundant_expression,
    **{rule: _morphology(rule) for rule in morphology.MORPHOLOGY_RULES},
}


def run_builtin(spec: KbSpec, prose: Prose, emit: Emit) -> None:
    c = Ctx(spec, prose, emit)
    sentences = prose.sentences()
    for rid, fn in BUILTINS.items():
        setting: RuleSetting = spec.rules[rid]
        if setting.enabled:
            fn(c, sentences)


# -- the team's rules -------------------------------------------------------

Locate = Callable[[int], tuple[int, int]]


def _units(prose: Prose, scope: str) -> list[tuple[str, Locate]]:
    """The texts a user rule looks at for its scope, each with a way to locate an offset in it."""
    if scope == "sentence":
        return [(s.text, s.pos) for s in prose.sentences(("paragraph", "list"))]
    if scope == "article":
        return [(b.text, b.at) for b in prose.blocks]
    kinds = {"paragraph": ("paragraph",), "heading": ("heading",), "list": ("list",), "table": ("table",)}[scope]
    return [(b.text, b.at) for b in prose.blocks if b.kind in kinds]


def _matchers(rule: UserRule) -> list[re.Pattern[str]]:
    out = [token_regex(t, rule.ignorecase) for t in rule.tokens]
    out += [re.compile(p, re.IGNORECASE if rule.ignorecase else 0) for p in rule.patterns]
    return out


def _could_match(rule: UserRule, text: str) -> bool:
    if rule.kind in ("existence", "occurrence"):
        return rule.min is not None or any(rx.search(text) for rx in _matchers(rule))
    if rule.kind == "substitution":
        return any(_could_swap(rule, k, text) for k in rule.swap)
    return True


def _could_swap(rule: UserRule, key: str, text: str) -> bool:
    return key in text or (rule.ignorecase and key.lower() in text.lower())


def run_user_rules(rules: list[UserRule], prose: Prose, emit: Callable[[int, int, UserRule, str], None]) -> None:
    for rule in rules:
        if not _could_match(rule, prose.all_text):
            continue
        if rule.kind == "existence":
            rxs = _matchers(rule)
            for text, at in _units(prose, rule.scope):
                for rx in rxs:
                    for m in rx.finditer(text):
                        message = rule.message or "'{match}' should not be used"
                        emit(*at(m.start()), rule, message.format(match=m.group(0)))
        elif rule.kind == "substitution":
            swaps = [(token_regex(k, rule.ignorecase), v) for k, v in rule.swap.items()
                     if _could_swap(rule, k, prose.all_text)]
            for text, at in _units(prose, rule.scope):
                for rx, repl in swaps:
                    for m in rx.finditer(text):
                        if text.startswith(repl, m.start()):
                            continue  # サーバー already contains サーバ: the text is right
                        emit(*at(m.start()), rule, (rule.message or "use '{replacement}' instead of '{match}'")
                             .format(match=m.group(0), replacement=repl))
        elif rule.kind == "occurrence":
            rxs = _matchers(rule)
            units = _units(prose, rule.scope)
            if rule.scope == "article":
                units = [("\n".join(t for t, _ in units), units[0][1] if units else (lambda i: (1, 1)))]
            for text, at in units:
                hits = sorted(m.start() for rx in rxs for m in rx.finditer(text))
                if rule.max is not None and len(hits) > rule.max:
                    emit(*at(hits[rule.max]), rule, (rule.message or "{count} occurrences (max {max})")
                         .format(count=len(hits), max=rule.max, min=rule.min))
                if rule.min is not None and len(hits) < rule.min and text.strip():
                    emit(*at(0), rule, (rule.message or "{count} occurrences (min {min})")
                         .format(count=len(hits), max=rule.max, min=rule.min))
        elif rule.kind in ("conditional", "consistency"):
            blocks = [(b.text, b) for b in prose.blocks]
            if rule.kind == "conditional":
                first, second = re.compile(rule.first or ""), re.compile(rule.second or "")
                firsts = [(b, m) for t, b in blocks for m in first.finditer(t)]
                if firsts and not any(second.search(t) for t, _ in blocks):
                    b, m = firsts[0]
                    emit(*b.at(m.start()), rule, (rule.message or "'{match}' is used but never defined")
                         .format(match=m.group(0)))
            else:
                for a, b_ in rule.either:
                    ra, rb = token_regex(a, rule.ignorecase), token_regex(b_, rule.ignorecase)
                    if not (ra.search(prose.all_text) and rb.search(prose.all_text)):
                        continue  # a block's match is a match in the blocks joined: both are needed
                    hits_a = [(blk, m) for t, blk in blocks for m in ra.finditer(t)]
                    hits_b = [(blk, m) for t, blk in blocks for m in rb.finditer(t)]
                    if hits_a and hits_b:
                        loser = hits_b if len(hits_b) <= len(hits_a) else hits_a
                        blk, m = loser[0]
                        emit(*blk.at(m.start()), rule, (rule.message or "use either '{a}' or '{b}' in one article, "
                                                        "not both").format(a=a, b=b_, match=m.group(0)))
