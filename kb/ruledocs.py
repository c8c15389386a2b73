"""``kb rules`` and docs/kb-rules.md, from the registry of writing rules (kb/writing/base.py): what each rule
checks, with one wrong and one right example, in Japanese and English.

``kb rules`` prints it in the writer's language (kb.yaml's ``locale``); ``kb rules --format markdown``
writes docs/kb-rules.md, whose anchors ``kb check --format json`` puts in each finding's ``doc``.
"""

from __future__ import annotations

from pathlib import Path

from kb.articles import rel_path
from kb.model import KbSpec
from kb.morphology import INSTALL_HINT
from kb.writing import RULES, Rule

DOC_FILE = "docs/kb-rules.md"


def anchor(spec: KbSpec, rule: str) -> str:
    """Where a finding's rule is documented: docs/kb-rules.md#rule, or the team's rule in kb.yaml."""
    if rule in RULES:
        return f"{DOC_FILE}#{rule}"
    user = next((r for r in spec.user_rules if r.id == rule), None)
    if user is not None:
        return f"{rel_path(spec, Path(spec.file))}:{user.line or 1}"
    return f"{DOC_FILE}#other-findings"


#: Findings that are not writing rules (kb/articles.py, kb/suppress.py), for formats that describe every rule.
OTHER = {
    "front-matter": ("フロントマターの誤り", "a mistake in the front matter"),
    "location": ("記事の置き場所の誤り", "an article outside articles/<category>/<section>/"),
    "unknown-category": ("kb.yaml にないカテゴリー", "a category kb.yaml does not have"),
    "unknown-section": ("kb.yaml にないセクション", "a section kb.yaml does not have"),
    "unknown-type": ("kb.yaml にない記事タイプ", "an article type kb.yaml does not have"),
    "duplicate-slug": ("同じロケールで重複するスラッグ", "a slug used twice in one locale"),
    "encoding": ("UTF-8 ではないファイル", "a file that is not UTF-8"),
    "outside": ("ナレッジベースの外を指すファイル", "a file that leads outside the knowledge base"),
    "nesting": ("入れ子が深すぎる Markdown", "Markdown nested too deep to render"),
    "attachment": ("添付ファイルがない、重複している、または 20 MB を超える",
                   "an attachment that is missing, listed twice or over 20 MB"),
    "unknown-suppression": ("存在しないルールを無効にするコメント", "a suppression naming no rule"),
    "unused-suppression": ("何も無効にしていないコメント", "a suppression that silences nothing"),
    "variants": ("表記ゆれ（kb check --variants）: 一つの語の二通りの書き方",
                 "a spelling variant (kb check --variants): one word written two ways"),
}


def describe(spec: KbSpec, rule: str) -> str:
    """One line on what a finding's rule checks, in the knowledge base's language."""
    ja = spec.language == "ja"
    if rule in RULES:
        return RULES[rule].doc.ja if ja else RULES[rule].doc.en
    user = next((r for r in spec.user_rules if r.id == rule), None)
    if user is not None:
        kind = f"{user.kind}（kb.yaml のチームのルール）" if ja else f"{user.kind} (the team's rule in kb.yaml)"
        return f"{rule}: {kind}"
    pair = OTHER.get(rule)
    return (pair[0] if ja else pair[1]) if pair else rule


def explain(spec: KbSpec, rule: str, message: str) -> str:
    """A finding explained for an editor's hover (Markdown): its message, what the rule checks, and the rule's
    wrong and right example, in the knowledge base's language."""
    lang = spec.language
    wrong_l, right_l, fix_l, *_ = _LABELS[lang]
    out = [f"**{rule}**: {message}", describe(spec, rule)]
    r = RULES.get(rule)
    if r is not None:
        wrong, right = _example(r, lang)
        out.append(f"{wrong_l}: `{_one_line(wrong)}`  \n{right_l}: `{_one_line(right)}`")
        if r.fix:
            out.append(fix_l)
        out.append(f"[{DOC_FILE}#{rule}]({DOC_FILE}#{rule})")
    else:
        out.append(anchor(spec, rule))
    return "\n\n".join(out)


_LABELS = {"ja": ("誤", "正", "自動修正あり（kb check --fix）", "ja extra が必要です（{}）で有効になります",
                  "オプション", "チームのルール（kb.yaml）", "無効", "常に有効（kb.yaml で変更できません）"),
           "en": ("wrong", "right", "fixable (kb check --fix)", "off: needs the ja extra ({})", "options",
                  "the team's rules (kb.yaml)", "off", "always on (kb.yaml cannot change it)")}


def _example(r: Rule, lang: str) -> tuple[str, str]:
    if lang == "en" and r.doc.wrong_en:
        return r.doc.wrong_en, r.doc.right_en or r.doc.right
    return r.doc.wrong, r.doc.right


def rules_text(spec: KbSpec, morphology_on: bool) -> str:
    """Every rule with its level, options and examples, in the writer's language (kb.yaml's locale)."""
    lang = "ja" if spec.locale == "ja" else "en"
    wrong_l, right_l, fix_l, needs_l, opts_l, team_l, off_l, locked_l = _LABELS[lang]
    out = []
    for rid, r in RULES.items():
        setting = spec.rules.get(rid)
        level = r.level if setting is None else setting.level if setting.enabled else off_l
        opts = ", ".join(f"{k}: {v}" for k, v in (setting.options if setting else r.options).items())
        out.append(f"{rid}  [{level}]" + (f"  {opts_l}: {opts}" if opts else "") + (f"  {fix_l}" if r.fix else "")
                   + (f"  {locked_l}" if r.locked else ""))
        out.append(f"    {r.doc.ja if lang == 'ja' else r.doc.en}")
        if r.morphology and not morphology_on:
            out.append("    " + needs_l.format(INSTALL_HINT))
        wrong, right = _example(r, lang)
        out.append(f"    {wrong_l}: {_one_line(wrong)}")
        out.append(f"    {right_l}: {_one_line(right)}")
    if spec.user_rules:
        out.append("")
        out.append(team_l + ":")
        for u in spec.user_rules:
            detail = u.swap or u.tokens or u.patterns or u.either or f"{u.first} ⇒ {u.second}"
            out.append(f"{u.id}  [{u.level}]  {u.kind}  {detail}  ({anchor(spec, u.id)})")
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
    for rid, r in RULES.items():
        out += _rule_markdown(rid, r)
    out += ["## other-findings", "",
            "Findings about the files themselves (front-matter, location, encoding, duplicate-slug, unknown-category, "
            "unknown-section, unknown-type) cannot be silenced: fix the file. `unused-suppression` (info) names a "
            "suppression comment that silenced nothing; `unknown-suppression` one that names no rule.", ""]
    return "\n".join(out)


def _rule_markdown(rid: str, r: Rule) -> list[str]:
    options = dict(r.options)
    out = [f"## {rid}", "", f"{r.doc.ja} / {r.doc.en}", "",
           f"- level: {r.level}" + (f"; options: {options}" if options else ""),
           *(["- always on: kb.yaml cannot turn it off or change its level, and no suppression comment names it"]
             if r.locked else []),
           *([f"- matches: {r.origin}"] if r.origin else []),
           *(["- fixable: `kb check --fix`"] if r.fix else []),
           *([f"- needs the `ja` extra: `{INSTALL_HINT}`"] if r.morphology else []), ""]
    for lang in ("ja", "en"):
        if lang == "en" and not r.doc.wrong_en:
            continue
        wrong, right = _example(r, lang)
        out += ["Wrong:", "", "```markdown", wrong.rstrip("\n"), "```", "", "Right:", "", "```markdown",
                right.rstrip("\n"), "```", ""]
    return out
