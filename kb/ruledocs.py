"""What each built-in rule checks, with one wrong and one right example, in Japanese and English.

``kb rules`` prints it in the writer's language (kb.yaml's ``locale``); ``kb rules --format markdown``
writes docs/kb-rules.md, whose anchors ``kb check --format json`` puts in each finding's ``doc``. The
examples are executable: a test checks that every wrong example is reported and every right one is not.
An example is an article body (under a ``## 概要`` heading of an FAQ article), or a whole file when it
starts with ``---``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.articles import rel_path
from kb.morphology import INSTALL_HINT, MORPHOLOGY_RULES
from kb.spec import BUILTIN_RULES, KbSpec

DOC_FILE = "docs/kb-rules.md"


@dataclass(frozen=True)
class RuleDoc:
    id: str
    what: dict[str, str]
    wrong: str
    right: str
    fix: bool = False
    origin: str = ""  # the textlint, markdownlint or Vale rule it matches
    wrong_en: str | None = None
    right_en: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


def _doc(rule: str, ja: str, en: str, wrong: str, right: str, **kw: Any) -> RuleDoc:
    return RuleDoc(rule, {"ja": ja, "en": en}, wrong, right, **kw)


_FM = "---\ntitle: {}\ntype: faq\n---\n\n## 例\n\n設定を保存します。\n"

DOCS: dict[str, RuleDoc] = {d.id: d for d in [
    _doc("sentence-length", "一文が長すぎる（日本語は文字数、英語は語数）", "a sentence longer than the limit "
         "(characters in Japanese, words in English)",
         "この機能を使うと" + "勤怠データを出力して給与計算ソフトに取り込み" * 5 + "ます。",
         "この機能で勤怠データを出力します。出力したデータを給与計算ソフトに取り込みます。",
         origin="textlint sentence-length"),
    _doc("max-ten", "一文の読点「、」が多すぎる", "too many commas in one sentence",
         "設定を開き、項目を選び、値を入力し、保存を押して、完了します。",
         "設定を開いて項目を選びます。値を入力し、保存します。",
         origin="textlint max-ten", wrong_en="Open it, select it, change it, save it, and close it.",
         right_en="Open it and select it. Change it, then save it."),
    _doc("style", "本文の「です・ます」調と「だ・である」調の混在", "a body sentence in the other politeness style",
         "設定を保存します。保存した内容はすぐに反映される。", "設定を保存します。保存した内容はすぐに反映されます。",
         origin="textlint no-mix-dearu-desumasu"),
    _doc("ja-period", "本文の文末に「。」がない", "a Japanese body sentence without 。",
         "設定を保存します", "設定を保存します。", origin="textlint ja-no-mixed-period"),
    _doc("no-exclamation-question", "本文の感嘆符・疑問符", "! and ? in help-center prose",
         "設定を保存しましょう！", "設定を保存します。", origin="textlint no-exclamation-question-mark",
         wrong_en="Save your work now!", right_en="Save your work."),
    _doc("no-hankaku-kana", "半角カタカナ", "half-width katakana", "ｶﾀｶﾅで書きます。", "カタカナで書きます。",
         fix=True, origin="textlint no-hankaku-kana"),
    _doc("no-fullwidth-alnum", "全角英数字", "full-width letters and digits", "ＣＳＶファイルを出力します。",
         "CSVファイルを出力します。", fix=True),
    _doc("spacing", "全角文字と半角英数字の間のスペース（space: never / always）",
         "spaces between Japanese and ASCII (space: never / always)", "CSV ファイルを出力します。",
         "CSVファイルを出力します。", fix=True, origin="textlint ja-space-between-half-and-full-width"),
    _doc("no-nfd", "濁点・半濁点が結合文字（NFD）", "a voiced mark stored as a combining character (NFD)",
         "フ\u309aリンターで印刷します。", "プリンターで印刷します。",
         fix=True, origin="textlint no-nfd"),
    _doc("no-invisible-chars", "ゼロ幅スペースや制御文字", "zero-width and control characters",
         "設定を\u200b保存します。", "設定を保存します。", fix=True, origin="textlint no-zero-width-spaces"),
    _doc("unmatched-pair", "対応していない括弧", "an unmatched bracket", "「保存を選択します。",
         "「保存」を選択します。",
         origin="textlint no-unmatched-pair"),
    _doc("weak-phrase", "弱い表現（かもしれません、と思います）", "weak phrases (might, I think)",
         "反映されるかもしれません。", "反映されます。", origin="textlint ja-no-weak-phrase",
         wrong_en="The export might fail.", right_en="The export fails."),
    _doc("redundant-expression", "冗長な表現（することができる）", "redundant expressions (in order to)",
         "データを出力することができます。", "データを出力できます。", fix=True,
         origin="textlint ja-no-redundant-expression",
         wrong_en="Open the page in order to export.", right_en="Open the page to export."),
    _doc("no-dropping-the-ra", "ら抜き言葉（ja extra が必要）", "ら-dropped potential verbs (needs the ja extra)",
         "この画面は管理者しか見れません。", "この画面は管理者しか見られません。",
         origin="textlint no-dropping-the-ra"),
    _doc("no-doubled-joshi", "一文の中で同じ助詞が続く（ja extra が必要）",
         "the same particle twice in a row in a sentence (needs the ja extra)",
         "設定画面で一覧で選択します。", "設定画面の一覧から選択します。", origin="textlint no-doubled-joshi"),
    _doc("no-double-negative", "二重否定（ja extra が必要）", "double negatives (needs the ja extra)",
         "この設定は変更できないことはありません。", "この設定は変更できます。",
         origin="textlint no-double-negative-ja"),
    _doc("placeholder", "kb new のひな形の文言（〇〇、空の箇条書き）が残っている",
         "text left from a kb new skeleton (〇〇, an empty list item)",
         "この記事では、〇〇する方法を説明します。", "この記事では、打刻を修正する方法を説明します。"),
    _doc("title-length", "タイトルが長すぎる", "a title longer than the limit",
         _FM.format("とても長いタイトル" * 6), _FM.format("打刻を修正する")),
    _doc("heading-structure", "見出しレベルの飛び、本文の H1、兄弟見出しの重複",
         "a skipped heading level, an H1 in the body, duplicate sibling headings",
         "設定を保存します。\n\n#### 詳細", "設定を保存します。\n\n### 詳細",
         origin="markdownlint MD001, MD024, MD025"),
    _doc("required-sections", "記事の種類に必要な H2 見出しがない（kb.yaml の types）",
         "an H2 section the article's type requires is missing (kb.yaml types)",
         "---\ntitle: 動かない\ntype: troubleshooting\n---\n\n## 症状\n\n動きません。\n",
         "---\ntitle: 動かない\ntype: troubleshooting\n---\n\n## 症状\n\n動きません。\n\n## 原因\n\n設定です。\n\n"
         "## 解決方法\n\n再設定します。\n", origin="markdownlint MD043"),
    _doc("image-alt", "画像の代替テキストがない", "an image without alt text",
         "![](../../../images/setup-flow.png)", "![初期設定の流れ](../../../images/setup-flow.png)",
         origin="markdownlint MD045"),
    _doc("empty-link", "リンクの文字列またはリンク先が空", "a link without text or target",
         "[](https://example.com)を見てください。", "[公式サイト](https://example.com)を見てください。",
         origin="markdownlint MD042"),
    _doc("internal-link", "記事へのリンク先や見出しのアンカーがない",
         "a linked article or heading anchor that does not exist",
         "[手順](#存在しない)を見てください。", "[手順](#例)を見てください。", origin="markdownlint MD051"),
    _doc("image-exists", "画像ファイルがない、または kb の外にある", "an image file that is missing or outside kb/",
         "![画面](../../../images/nope.png)", "![画面](../../../images/setup-flow.png)"),
]}



def anchor(spec: KbSpec, rule: str) -> str:
    """Where a finding's rule is documented: docs/kb-rules.md#rule, or the team's rule in kb.yaml."""
    if rule in DOCS:
        return f"{DOC_FILE}#{rule}"
    user = next((r for r in spec.user_rules if r.id == rule), None)
    if user is not None:
        return f"{rel_path(spec, Path(spec.file))}:{user.line or 1}"
    return f"{DOC_FILE}#other-findings"


_LABELS = {"ja": ("誤", "正", "自動修正あり（kb check --fix）", "ja extra が必要です（{}）で有効になります",
         "オプション",
                  "チームのルール（kb.yaml）", "無効"),
           "en": ("wrong", "right", "fixable (kb check --fix)", "off: needs the ja extra ({})", "options",
                  "the team's rules (kb.yaml)", "off")}


def _example(doc: RuleDoc, lang: str) -> tuple[str, str]:
    if lang == "en" and doc.wrong_en:
        return doc.wrong_en, doc.right_en or doc.right
    return doc.wrong, doc.right


def rules_text(spec: KbSpec, morphology_on: bool) -> str:
    """Every rule with its level, options and examples, in the writer's language (kb.yaml's locale)."""
    lang = "ja" if spec.locale == "ja" else "en"
    wrong_l, right_l, fix_l, needs_l, opts_l, team_l, off_l = _LABELS[lang]
    out = []
    for rid, doc in DOCS.items():
        setting = spec.rules[rid]
        level = setting.level if setting.enabled else off_l
        opts = ", ".join(f"{k}: {v}" for k, v in setting.options.items())
        out.append(f"{rid}  [{level}]" + (f"  {opts_l}: {opts}" if opts else "") + (f"  {fix_l}" if doc.fix else ""))
        out.append(f"    {doc.what[lang]}")
        if rid in MORPHOLOGY_RULES and not morphology_on:
            out.append("    " + needs_l.format(INSTALL_HINT))
        wrong, right = _example(doc, lang)
        out.append(f"    {wrong_l}: {_one_line(wrong)}")
        out.append(f"    {right_l}: {_one_line(right)}")
    if spec.user_rules:
        out.append("")
        out.append(team_l + ":")
        for r in spec.user_rules:
            detail = r.swap or r.tokens or r.patterns or r.either or f"{r.first} ⇒ {r.second}"
            out.append(f"{r.id}  [{r.level}]  {r.kind}  {detail}  ({anchor(spec, r.id)})")
    return "\n".join(out) + "\n"


def _one_line(example: str) -> str:
    return example.replace("\n", "⏎")


def rules_markdown(spec: KbSpec) -> str:
    """docs/kb-rules.md: the built-in rules with their default levels, options and examples (both languages)."""
    out = ["# kb check rules", "",
           "Generated by `kb rules --format markdown` (a test keeps it in step). Levels and options are the "
           "defaults; set them in kb.yaml under `writing.rules`. Silence a rule with "
           "`<!-- kb-disable RULE -->` … `<!-- kb-enable RULE -->`, `<!-- kb-disable-next-line RULE -->` or "
           "`kb: {disable: [RULE]}` in the front matter (textlint and markdownlint comments work too).", ""]
    for rid, doc in DOCS.items():
        level, options = BUILTIN_RULES[rid]
        out += [f"## {rid}", "", f"{doc.what['ja']} / {doc.what['en']}", "",
                f"- level: {level}" + (f"; options: {options}" if options else ""),
                *([f"- matches: {doc.origin}"] if doc.origin else []),
                *(["- fixable: `kb check --fix`"] if doc.fix else []),
                *([f"- needs the `ja` extra: `{INSTALL_HINT}`"] if rid in MORPHOLOGY_RULES else []), ""]
        for lang in ("ja", "en"):
            wrong, right = _example(doc, lang)
            if lang == "en" and not doc.wrong_en:
                continue
            out += ["Wrong:", "", "```markdown", wrong.rstrip("\n"), "```", "", "Right:", "", "```markdown",
                    right.rstrip("\n"), "```", ""]
    out += ["## other-findings", "",
            "Findings about the files themselves (front-matter, location, encoding, duplicate-slug, unknown-category, "
            "unknown-section, unknown-type) cannot be silenced: fix the file. `unused-suppression` (info) names a "
            "suppression comment that silenced nothing; `unknown-suppression` one that names no rule.", ""]
    return "\n".join(out)
