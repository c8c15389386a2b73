"""The ``kb`` command: help-center articles in Markdown, checked, built, previewed and published."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from base.errors import InputError, Unavailable, UsageError
from base.terminal import printable
from csops import __version__
from csops.exits import EXIT_FINDINGS, EXIT_PARTIAL, BoundaryGroup, exit_code_epilog
from csops.logs import setup_logging

#: kb check's formats (kb/output.py's FORMATS, written here so the CLI does not import it to build --help).
CHECK_FORMATS = ("text", "line", "json", "github", "rdjsonl", "rdjson", "sarif", "checkstyle", "junit")

if TYPE_CHECKING:
    from kb.check import CheckResult
    from kb.model import KbSpec
    from kb.publish import Publisher, PublishReport
    from store.tickets import TicketText


class KbApp:
    def __init__(self, root: Path, config_path: str | None = None) -> None:
        self.root = root
        self.config_path = config_path

    def publisher(self, progress: Callable[[str], None] | None = None, need_spec: bool = True) -> Publisher:
        from csops.jobs import kb_publisher
        from csops.shell import App
        from kb.model import KbSpec

        spec = self.spec() if need_spec else KbSpec(root=self.root, file=str(self.root / "kb.yaml"))
        return kb_publisher(App(config_path=self.config_path), spec, progress)

    def spec(self) -> KbSpec:
        from kb.spec import load_spec

        if not (self.root / "kb.yaml").exists():
            raise InputError(f"{self.root / 'kb.yaml'}: not found (run kb from the project folder, or pass --root)")
        return load_spec(self.root)


@click.group(cls=BoundaryGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=exit_code_epilog())
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("kb"), show_default=True,
              envvar="KB_ROOT", help="The knowledge-base folder (kb.yaml, articles/, templates/).")
@click.option("--config", "config_path", metavar="PATH", envvar="CSOPS_CONFIG",
              help="csops.yaml with the Zendesk credentials, for publish and pull.")
@click.option("-v", "--verbose", count=True, help="More log output: -v progress, -vv debug with tracebacks.")
@click.version_option(__version__, prog_name="kb")
@click.pass_context
def kb(ctx: click.Context, root: Path, config_path: str | None, verbose: int) -> None:
    """kb: help-center articles in Markdown, checked, previewed and published to Zendesk.

    \b
    Articles live in kb/articles/<category>/<section>/<slug>.md (a translation
    beside it as <slug>.<locale>.md); kb/kb.yaml holds the category tree, the
    article types and the writing rules.
    \b
      kb new getting-started/setup my-article --title "…"   a skeleton of the right type
      kb check                                               structure and writing rules
      kb check --fix                                         fix widths, NFD, invisible characters, spacing
      kb build && kb preview                                 the preview site on 127.0.0.1
    """
    setup_logging("text", verbose)
    ctx.obj = KbApp(root, config_path)


@kb.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default="text", show_default=True,
              help="text: grouped by file, for people; line: path:line:col level rule message; json: a list of "
                   "findings; github: workflow annotations (10 of each kind per step); rdjsonl, rdjson: reviewdog; "
                   "sarif: SARIF 2.1.0; checkstyle, junit: XML for CI.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour in the text format: auto = on a terminal, unless NO_COLOR is set.")
@click.option("--changed", is_flag=True, help="Only the articles changed against --base (uncommitted and untracked "
                                              "files too), their translations and the articles that link to them.")
@click.option("--base", "base", default="HEAD", show_default=True, metavar="REF",
              help="With --changed: the git revision to compare with, through its merge base with HEAD "
                   "(origin/main in a pull request).")
@click.option("--baseline", "baseline", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Report only findings that FILE does not record (see --write-baseline).")
@click.option("--write-baseline", is_flag=True, help="With --baseline FILE: record today's findings in FILE and "
                                                     "exit 0.")
@click.option("--variants", is_flag=True, help="Also report 表記ゆれ across the whole knowledge base: one word written "
                                               "two ways (サーバ/サーバー), the commoner form suggested (needs the ja "
                                               "extra).")
@click.option("--fix", is_flag=True, help="Apply every built-in fix (widths, NFD, invisible characters, spacing) "
                                          "and every kb.yaml substitution with one replacement; print each change, "
                                          "then check again.")
@click.option("--diff", "show_diff", is_flag=True, help="With --fix: print the changes as a unified diff and write "
                                                         "nothing (exit 1 when there is something to fix).")
@click.pass_obj
def check_cmd(app: KbApp, paths: tuple[Path, ...], fmt: str, color: str, changed: bool, base: str,
              baseline: Path | None, write_baseline: bool, variants: bool, fix: bool, show_diff: bool) -> None:
    """Check articles (all, or PATHS) against kb.yaml's structure and writing rules.

    Exit 1 when any error-level finding remains, 0 otherwise (warnings,
    suggestions and info are printed but do not fail); a crash exits 70, a
    broken kb.yaml 78, so a CI step can tell findings from failures. The
    counts per level go to stderr in every format. `kb rules` lists the
    rules; silence one with <!-- kb-disable-next-line RULE -->.

    \b
    In a pull request:
      kb check --changed --base origin/main --format rdjsonl   (reviewdog)
      kb check --baseline kb/check-baseline.json --write-baseline   (once)
      kb check --baseline kb/check-baseline.json               (only new findings)
    """
    from kb.check import CheckResult, check

    if show_diff and not fix:
        raise UsageError("--diff goes with --fix (kb check --fix --diff)")
    if write_baseline and baseline is None:
        raise UsageError("--write-baseline goes with --baseline FILE")
    spec = app.spec()
    _morphology_note(spec)
    selected = _changed_paths(spec, list(paths), base) if changed else list(paths) or None
    if selected == []:
        click.echo(f"no article changed against {base}", err=True)
        _print_findings(spec, CheckResult(), fmt, color)
        return
    result = check(spec, selected)
    if fix:
        result = _fix(spec, result, selected, show_diff)
    if variants:
        result = _with_variants(spec, result)
    if baseline is not None:
        result = _against_baseline(spec, result, baseline, write_baseline)
    _print_findings(spec, result, fmt, color)
    if result.errors:
        raise SystemExit(EXIT_FINDINGS)


def _changed_paths(spec: KbSpec, paths: list[Path], base: str) -> list[Path] | None:
    """The files --changed checks (None: all, kb.yaml changed), within PATHS when given."""
    import os

    from kb.articles import load_articles
    from kb.changed import affected, changed_files

    changed = changed_files(spec.root, base)
    articles, _ = load_articles(spec)
    chosen = affected(spec, articles, changed)
    if chosen is None:
        return paths or None
    files = {os.path.realpath(a.path) for a in chosen}
    inside = os.path.join(os.path.realpath(spec.root / "articles"), "")
    files |= {f for f in changed if f.startswith(inside) and f.endswith(".md") and os.path.isfile(f)}
    if paths:
        wanted = [os.path.realpath(p) for p in paths]
        files = {f for f in files if any(f == w or f.startswith(os.path.join(w, "")) for w in wanted)}
    return [Path(f) for f in sorted(files)]


def _with_variants(spec: KbSpec, result: CheckResult) -> CheckResult:
    """The findings and the knowledge base's 表記ゆれ on the articles checked."""
    from kb import morphology, variants
    from kb.articles import load_articles
    from kb.check import CheckResult, sort_key

    if not morphology.available():
        raise Unavailable(f"kb check --variants needs Japanese morphology: {morphology.INSTALL_HINT}")
    found = variants.find(spec, load_articles(spec)[0], {a.rel for a in result.articles})
    return CheckResult(sorted(result.findings + found, key=sort_key), result.articles)


def _fix(spec: KbSpec, result: CheckResult, selected: list[Path] | None, show_diff: bool) -> CheckResult:
    from kb.check import check
    from kb.fix import fix_files

    changes, diff = fix_files(spec, result.articles, write=not show_diff)
    if show_diff:
        click.echo(diff, nl=False)
        click.echo(f"{len(changes)} fixes in {len({c.path for c in changes})} files (--diff: nothing written)",
                   err=True)
        raise SystemExit(EXIT_FINDINGS if changes else 0)
    for c in changes:
        click.echo(f"fixed {c.text()}", err=True)
    return check(spec, selected) if changes else result


def _against_baseline(spec: KbSpec, result: CheckResult, path: Path, write: bool) -> CheckResult:
    from kb import baseline
    from kb.check import CheckResult

    lines = baseline.Lines(spec.root.parent)
    if write:
        n = baseline.write(path, result.findings, lines)
        click.echo(f"recorded {n} findings in {path}; kb check --baseline {path} reports only new ones", err=True)
        raise SystemExit(0)
    new, known = baseline.new_findings(result.findings, baseline.read(path), lines)
    if known:
        click.echo(f"{known} findings recorded in {path} not shown", err=True)
    return CheckResult(new, result.articles)


def _morphology_note(spec: KbSpec) -> None:
    from kb import morphology
    from kb.writing import morphology_rules

    on = morphology_rules(spec)
    if on and not morphology.available():
        click.echo(f"note: {', '.join(on)} are off: they need Japanese morphology "
                   f"({morphology.INSTALL_HINT})", err=True)


def _print_findings(spec: KbSpec, result: CheckResult, fmt: str, color: str) -> None:
    from kb.output import Report, render

    report = Report(spec, result.findings, [a.rel for a in result.articles], _colored(color), __version__)
    click.echo(render(fmt, report), nl=False, color=report.color)
    for note in report.notes:
        click.echo(note, err=True)
    click.echo(summary_line(result), err=True)


def _colored(color: str) -> bool:
    """Whether the text format is coloured: --color always or never, else on a terminal without NO_COLOR."""
    import os
    import sys

    if color != "auto":
        return color == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def summary_line(result: CheckResult) -> str:
    """The counts per level, info included (a suppression that suppresses nothing); on stderr in every format,
    so --format json's stdout stays one JSON list."""
    counts = {lv: 0 for lv in ("error", "warning", "suggestion", "info")}
    for f in result.findings:
        counts[f.level] = counts.get(f.level, 0) + 1
    return (f"{len(result.articles)} articles: {counts['error']} errors, {counts['warning']} warnings, "
            f"{counts['suggestion']} suggestions, {counts['info']} info")


@kb.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the only way; accepted for clients that "
                                            "pass it).")
def lsp_cmd(stdio: bool) -> None:
    """A language server for editors: kb check's findings as you type, quick fixes and "fix all", a suppression
    comment as a code action, the rule's explanation on hover.

    Needs the lsp extra (pip install 'csops[lsp]'). Each document's knowledge base is the folder above it that
    holds kb.yaml; README "kb check in the editor" sets up VS Code, Neovim and Zed.
    """
    try:
        from kb.lsp import serve
    except ImportError as exc:
        raise Unavailable(f"kb lsp needs the lsp extra: pip install 'csops[lsp]' ({exc})") from None
    serve(__version__)


@kb.group("rules", invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="text: in kb.yaml's language, with this kb's levels; markdown: docs/kb-rules.md.")
@click.pass_context
def rules_cmd(ctx: click.Context, fmt: str) -> None:
    """List every rule: level, options, one wrong and one right example, and the team's rules.

    `kb rules import FILE` checks a prh dictionary or a Vale vocabulary and says how kb.yaml reads it.
    """
    if ctx.invoked_subcommand is not None:
        return
    from kb import morphology
    from kb.ruledocs import rules_markdown, rules_text

    spec = ctx.obj.spec()
    click.echo(rules_markdown(spec) if fmt == "markdown" else rules_text(spec, morphology.available()), nl=False)


@rules_cmd.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def rules_import_cmd(app: KbApp, source: Path) -> None:
    """Check a textlint prh dictionary (prh.yml: its imports read, its specs run) or a Vale vocabulary folder
    (accept.txt, reject.txt), and print the kb.yaml lines that read it as it is (writing.dictionaries)."""
    import os

    from kb import dictionaries

    project = app.root.resolve().parent
    rel = os.path.relpath(source.resolve(), app.root.resolve())
    if source.is_dir():
        accept, reject = dictionaries.load_vocabulary(source, project)
        click.echo(f"{source}: {len(accept.entries)} accepted terms, {len(reject.entries)} rejected")
        entry = f"    - {{vale: {rel}}}"
    else:
        d = dictionaries.load_prh(source, project)
        click.echo(f"{source}: {len(d.entries)} rules from {len(d.files)} files, {d.specs} specs pass")
        entry = f"    - {{prh: {rel}}}"
    click.echo("kb check reads it as it is (keep editing it there) with these lines in kb.yaml:\n"
               f"  writing:\n    dictionaries:\n{entry}       # level: warning by default; id: the rule id")


@kb.command("new")
@click.argument("where", metavar="CATEGORY/SECTION")
@click.argument("slug")
@click.option("--title", required=True, help="The article's title.")
@click.option("--type", "type_", help="Article type (default: the section's, the category's, then kb.yaml's).")
@click.option("--locale", help="Locale (default: kb.yaml's locale; another one writes SLUG.LOCALE.md).")
@click.pass_obj
def new_cmd(app: KbApp, where: str, slug: str, title: str, type_: str | None, locale: str | None) -> None:
    """Write the skeleton of a new article, with the sections its type requires."""
    from kb.skeleton import new_article

    path = new_article(app.spec(), where, slug, title, type_, locale)
    click.echo(f"created {path}")


@kb.command("mv")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.pass_obj
def mv_cmd(app: KbApp, old: str, new: str) -> None:
    """Move or rename an article (with its translations), or every article of a section or a category, so that
    kb publish keeps their Help Center articles (id, URL, votes, comments, subscriptions).

    \b
      kb mv admin/users/roles.md admin/permissions/roles.md   an article to another section
      kb mv admin/users/roles admin/users/user-roles           a rename (keys work as well as files)
      kb mv admin/users admin/members                          a section (renamed in kb.yaml first)

    Relative links to the moved files, in every article, and the moved files' own links are rewritten;
    helpcenter-ids.yaml names the same Help Center ids under the new keys. A file is never written over (exit 78).
    """
    from kb.move import describe, move

    spec = app.spec()
    for line in describe(move(spec, old, new), spec.root):
        click.echo(line)


@kb.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: "
                                                                              "<root>/_site).")
@click.option("--clean", is_flag=True, help="Replace --out even if it holds files kb build did not write.")
@click.pass_obj
def build_cmd(app: KbApp, out: Path | None, clean: bool) -> None:
    """Render every article to sanitised HTML and write the static preview site.

    The site is built in a temporary folder and swapped in, so --out is never
    half-written. kb build refuses (exit 2) an --out that contains the
    knowledge base or its sources, and one holding files it did not write
    (unless --clean). Exit 78 when an article cannot be built (front matter,
    unknown category, section or type, duplicate slug, a link or image that
    leads outside the knowledge base); writing findings do not stop a build.
    """
    from kb.site import build

    spec = app.spec()
    target = out or app.root / "_site"
    result = build(spec, target, clean=clean)
    click.echo(f"built {result.articles} articles, {result.pages} pages, {result.images} images into {target} "
               f"in {result.seconds:.2f}s")


@kb.command("preview")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0: a free one).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder for the preview's builds "
                                                                              "(default: <root>/_preview).")
@click.pass_obj
def preview_cmd(app: KbApp, port: int, out: Path | None) -> None:
    """Build, serve the site on 127.0.0.1, rebuild when an article or kb.yaml changes, and reload open pages.

    Each build goes into a new folder and is swapped in whole, so a page is never missing or half-built
    while you save. A busy port exits 2: pass another --port (0 picks a free one).
    """
    from kb.preview import PortInUse, serve

    app.spec()
    try:
        serve(app.root, out or app.root / "_preview", port, echo=click.echo)
    except PortInUse as exc:
        raise UsageError(str(exc.strerror)) from None


@kb.command("publish")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", "--plan", "dry_run", is_flag=True,
              help="Print the plan (create and whether it notifies / update and what / move / unchanged / archive "
                   "and redirect) and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--archive-removed", is_flag=True, help="Archive Help Center articles whose file was removed "
                                                      "(otherwise they are only reported).")
@click.option("--adopt", is_flag=True, help="Take over an article with the same title in the same section that "
                                            "csops did not publish (otherwise it is reported, not duplicated).")
@click.option("--locale", help="Write only this locale's translations (the others stay as they are).")
@click.option("--force", is_flag=True, help="Overwrite translations and settings edited in the Help Center (drifted) "
                                            "and publish articles that have kb check errors.")
@click.option("--replace-content-blocks", is_flag=True,
              help="Write the body of articles whose Help Center version holds Guide content blocks "
                   "(<!-- kb-content-block: NAME --> in the file): the blocks become their text, unlinked.")
@click.option("--create-tags", is_flag=True, help="Create the content tags articles name that the Help Center does not "
                                                  "have (otherwise such a name stops the publish, exit 78).")
@click.option("--verbose-plan", "show_all", is_flag=True, help="Also list unchanged articles.")
@click.pass_obj
def publish_cmd(app: KbApp, paths: tuple[Path, ...], dry_run: bool, as_json: bool, archive_removed: bool,
                adopt: bool, locale: str | None, force: bool, replace_content_blocks: bool, create_tags: bool,
                show_all: bool) -> None:
    """Make the Help Center match kb/: categories and sections, then articles.

    Writes only what changed (an unchanged KB costs no write call). Title, body
    and draft go through the translation endpoint, section, labels, promotion
    and position through the article endpoint; category and section names and
    descriptions through their translations, in every locale. kb locales map
    to the Help Center's enabled ones (kb.yaml help_center_locales, e.g.
    en: en-us). Images are inline attachments of each article translation;
    links between articles become Help Center URLs. Ids are kept in
    kb/helpcenter-ids.yaml (commit it): a rename in kb.yaml renames.

    \b
    Never overwritten silently: a translation edited in the Help Center is
    listed as "drifted" and kept (kb pull PATH brings the edit into the file;
    --force overwrites); an article with kb check errors is "blocked".
    Exit 3 when some articles failed, drifted or were blocked (run it again:
    it resumes without duplicates), 75 when another publish is running, 78
    when the setup is wrong.
    """
    import sys
    from contextlib import nullcontext

    from kb.publish import Options
    from store import RunLock

    bar_enabled = sys.stderr.isatty() and not as_json
    done: list[str] = []

    def progress(key: str) -> None:
        done.append(key)
        if bar_enabled:
            click.echo(f"\r{len(done)} articles written", nl=False, err=True)

    only = _article_keys(app, paths) if paths else None
    publisher = app.publisher(progress)
    if locale is not None and locale not in publisher.spec.locales:
        raise UsageError(f"--locale {locale}: not one of kb.yaml's locales ({', '.join(publisher.spec.locales)})")
    # The same kind of lock as the sync's: a second publish at once exits 75 instead of duplicating.
    with nullcontext() if dry_run else RunLock(app.root / ".publish"):
        options = Options(archive_removed, adopt, only, locale, force, create_tags, replace_content_blocks)
        report = publisher.publish(options, dry_run=dry_run)
    if bar_enabled and done:
        click.echo("", err=True)
    if as_json:
        click.echo(json.dumps(report.summary(), ensure_ascii=False))
    else:
        _print_plan(report, dry_run, show_all)
    if not report.ok:
        raise SystemExit(EXIT_PARTIAL)


def _article_keys(app: KbApp, paths: tuple[Path, ...]) -> set[str]:
    """The keys of the articles in PATHS (files, or folders holding them)."""
    from kb.articles import load_articles

    wanted = {p.resolve() for p in paths}
    arts, _ = load_articles(app.spec())
    return {a.key for a in arts if a.path.resolve() in wanted or any(w in a.path.resolve().parents for w in wanted)}


def _print_plan(report: PublishReport, dry_run: bool, show_all: bool) -> None:
    """The plan's steps (a real run: those it got through), then the counts."""
    from kb.publish import Unchanged

    for step in report.steps:
        if show_all or not isinstance(step, Unchanged):
            click.echo(printable(step.line()))  # Help Center titles are remote data
    s = report.summary()
    would = "would be " if dry_run else ""
    held = "".join(f", {s[k]} {k}" for k in ("drifted", "held", "blocked") if s[k])
    click.echo(f"{s['created']} {would}created, {s['updated']} {would}updated, {s['unchanged']} unchanged, "
               f"{s['archived']} {would}archived, "
               + (f"{s['redirected']} {would}redirected, " if s["redirected"] else "")
               + f"{s['images_uploaded']} images {would}uploaded, "
               + (f"{s['attachments_uploaded']} attachments {would}uploaded, " if s["attachments_uploaded"] else "")
               + f"{s['failed']} failed{held} [{s['api_calls']} API calls]"
               + (" — dry run: nothing was written" if dry_run else ""))


@kb.command("pull")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), default=Path("kb-pulled"),
              show_default=True, help="Folder for kb.yaml, articles/ and images/ (kb.yaml is kept if present).")
@click.option("--external-images", is_flag=True,
              help="Also download images hosted outside Zendesk (without credentials). By default they stay "
                   "remote links.")
@click.pass_obj
def pull_cmd(app: KbApp, paths: tuple[Path, ...], into: Path, external_images: bool) -> None:
    """Import the Help Center as Markdown files with front matter; or, with
    PATHS, bring each article file's Help Center version back into it.

    Articles csops published keep their paths; links between articles become
    relative links and images are downloaded, so `kb check` and `kb build`
    work on the pulled tree and `kb publish` from it changes nothing.

    \b
    With PATHS (articles `kb publish` lists as drifted: edited in Guide), the
    file takes the Help Center's title and body; its other front matter is
    kept. Review it with git diff, then `kb publish` only re-marks it.

    Credentials are sent only to the configured Zendesk host. Names taken from
    the Help Center (marker keys, locales, image names) that are not safe file
    names are skipped and listed (exit 3); nothing is written outside --into.
    """
    from kb.fetch import ImageFetcher
    from kb.pull import pull, pull_file

    publisher = app.publisher(None, need_spec=bool(paths))
    client = publisher.hc.client
    fetcher = ImageFetcher(own=client.base_url, authed=client.session, external=external_images)
    if paths:
        for path in paths:
            click.echo(f"{path}: {pull_file(publisher, path, fetcher)}")
        return
    report = pull(publisher.hc, into, fetcher)
    for line in report.skipped:
        click.echo(f"skipped: {printable(line)}", err=True)
    click.echo(f"pulled {report.articles} articles ({report.translations} translations), {report.categories} "
               f"categories, {report.sections} sections, {report.images} images into {into}"
               + (f"; {len(report.skipped)} skipped" if report.skipped else ""))
    if any(not line.startswith("image ") for line in report.skipped):
        raise SystemExit(EXIT_PARTIAL)


@kb.command("gaps")
@click.option("--days", default=90, show_default=True, help="The period: tickets created in the last N days, "
                                                            "compared with the N days before for the trend.")
@click.option("--min-tickets", default=5, show_default=True, help="Smallest topic shown.")
@click.option("--until", "until", metavar="YYYY-MM-DD", help="Last day of the period (default: today, UTC).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]), default="table",
              show_default=True, help="json and csv carry every ticket id of every topic.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option("--help-center", "help_center", is_flag=True,
              help="Also read article votes and outdated translations from the Help Center (csops.yaml's zendesk).")
@click.option("--draft", "drafts", type=int, multiple=True, metavar="TOPIC",
              help="Write a draft article for this topic (repeatable), through the kb new templates. Topic "
                   "numbers are those of a run with the same --days, --until and --min-tickets.")
@click.option("--explain", "explain_id", type=int, metavar="TICKET",
              help="Show what this ticket was reduced to, line by line, and which topic it went to (table or json).")
@click.pass_obj
def gaps_cmd(app: KbApp, days: int, min_tickets: int, until: str | None, fmt: str, output: Path | None,
             help_center: bool, drafts: tuple[int, ...], explain_id: int | None) -> None:
    """Which articles to write next: the tickets' topics and how well kb/ covers each.

    \b
    Reads ticket subjects and descriptions from the store (csops pull zendesk),
    strips what is not the customer's question (greetings, signatures, quoted
    replies, form fields that name the customer, phone-memo headers, chat system
    lines; add your own in kb/gaps.yaml), groups the last N days' tickets into
    topics that are one topic each (Japanese and English together), and judges
    each against the articles' titles, headings and bodies in every locale:
    covered, weakly covered or not covered. Gaps are ranked by tickets × how
    uncovered. Also lists articles that look alike and covered topics whose
    tickets grew (articles to update).
    \b
      kb gaps                          the table
      kb gaps --format json -o gaps.json   every topic with its ticket ids
      kb gaps --draft 3 --draft 7      draft articles for topics 3 and 7
      kb gaps --explain 12345          what ticket 12345 was reduced to
    """
    import datetime as dt

    from csops.shell import App
    from kb.gaps.report import build_report, render

    try:
        end = dt.date.fromisoformat(until) if until else None
    except ValueError:
        raise click.BadParameter(f"'{until}' is not a date (YYYY-MM-DD)", param_hint="--until") from None
    spec = app.spec()
    shell = App(config_path=app.config_path)
    try:
        report = build_report(spec, shell.store, days, min_tickets, end)
        ticket = shell.store.ticket_text(explain_id) if explain_id is not None else None
    finally:
        shell.close()
    if explain_id is not None:
        _explain(report, explain_id, ticket, fmt)
        return
    if help_center:
        _help_center_signals(app, report)
    if drafts:
        _drafts(spec, report, drafts)
        return
    text = render(report, fmt)
    if output:
        from base.files import write_file

        write_file(output, text if text.endswith("\n") else text + "\n", named=True)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(printable(text) if fmt == "table" else text)  # labels and subjects come from tickets


def _explain(report: object, ticket_id: int, ticket: TicketText | None, fmt: str) -> None:
    from kb.gaps.report import GapsReport, explain, render_explain

    assert isinstance(report, GapsReport)
    if ticket is None:
        raise click.BadParameter(f"no ticket {ticket_id} with text in the store (deleted, never pulled, or pulled "
                                 "with zendesk.store_ticket_text: false)", param_hint="--explain")
    click.echo(render_explain(explain(report, ticket), "json" if fmt == "json" else "table"))


def _drafts(spec: object, report: object, drafts: tuple[int, ...]) -> None:
    from kb.gaps import GapsError
    from kb.gaps.draft import write_draft
    from kb.gaps.report import GapsReport
    from kb.model import KbSpec

    assert isinstance(report, GapsReport) and isinstance(spec, KbSpec)
    for topic_id in drafts:
        try:
            topic = report.topic(topic_id)
        except GapsError as exc:
            raise click.BadParameter(str(exc), param_hint="--draft") from None
        path = write_draft(spec, topic, report.subjects)
        click.echo(f"created {path} (topic {topic_id}); fill in the placeholders, then kb check")


def _help_center_signals(app: KbApp, report: object) -> None:
    from kb.gaps.report import GapsReport, add_help_center_signals
    from kb.publish import HelpCenterIds

    assert isinstance(report, GapsReport)
    hc = app.publisher(None).hc
    ids = HelpCenterIds(app.root, hc.client.base_url).ids["articles"]
    add_help_center_signals(report, [a for page in hc.articles() for a in page], {v: k for k, v in ids.items()})


def main() -> None:
    kb.main(prog_name="kb")
