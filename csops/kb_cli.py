"""The ``kb`` command: help-center articles in Markdown, checked, built, previewed and published."""

from __future__ import annotations

import json
from pathlib import Path

import click

from csops import __version__
from csops.logs import setup_logging
from csops.shell import BoundaryGroup, CsopsError

EXIT_FINDINGS = 1


class KbApp:
    def __init__(self, root: Path) -> None:
        self.root = root

    def spec(self):  # type: ignore[no-untyped-def]
        from kb.spec import load_spec

        if not (self.root / "kb.yaml").exists():
            raise CsopsError(f"{self.root / 'kb.yaml'}: not found (run kb from the project folder, or pass --root)",
                             78)
        return load_spec(self.root)


@click.group(cls=BoundaryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("kb"), show_default=True,
              envvar="KB_ROOT", help="The knowledge-base folder (kb.yaml, articles/, templates/).")
@click.option("-v", "--verbose", count=True, help="More log output.")
@click.version_option(__version__, prog_name="kb")
@click.pass_context
def kb(ctx: click.Context, root: Path, verbose: int) -> None:
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
    ctx.obj = KbApp(root)


@kb.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text: path:line:col level rule message; json: a list of findings; github: workflow annotations.")
@click.option("--fix", is_flag=True, help="Rewrite files to fix the mechanical findings (widths, NFD, invisible "
                                          "characters, spacing), then check again.")
@click.pass_obj
def check_cmd(app: KbApp, paths: tuple[Path, ...], fmt: str, fix: bool) -> None:
    """Check articles (all, or PATHS) against kb.yaml's structure and writing rules.

    Exit 1 when any error-level finding remains, 0 otherwise (warnings and
    suggestions are printed but do not fail).
    """
    from kb.check import check, fix_files

    spec = app.spec()
    result = check(spec, list(paths) or None)
    if fix:
        changed = fix_files(spec, result.articles)
        for a in changed:
            click.echo(f"fixed {a.rel}", err=True)
        if changed:
            result = check(spec, list(paths) or None)
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in result.findings], ensure_ascii=False, indent=2))
    elif fmt == "github":
        for f in result.findings:
            kind = {"error": "error", "warning": "warning"}.get(f.level, "notice")
            click.echo(f"::{kind} file={f.path},line={f.line},col={f.col},title={f.rule}::{f.message}")
    else:
        for f in result.findings:
            click.echo(f.text())
        counts = {lv: sum(1 for f in result.findings if f.level == lv) for lv in ("error", "warning", "suggestion")}
        click.echo(f"{len(result.articles)} articles: {counts['error']} errors, {counts['warning']} warnings, "
                   f"{counts['suggestion']} suggestions", err=True)
    if result.errors:
        raise SystemExit(EXIT_FINDINGS)


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


@kb.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: "
                                                                              "<root>/_site).")
@click.pass_obj
def build_cmd(app: KbApp, out: Path | None) -> None:
    """Render every article to sanitised HTML and write the static preview site.

    Exit 78 when an article cannot be built (front matter, unknown category,
    section or type, duplicate slug); writing findings do not stop a build.
    """
    from kb.site import build

    spec = app.spec()
    target = out or app.root / "_site"
    result = build(spec, target)
    click.echo(f"built {result.articles} articles, {result.pages} pages, {result.images} images into {target} "
               f"in {result.seconds:.2f}s")


@kb.command("preview")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0: a free one).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Build folder (default: <root>/_site).")
@click.pass_obj
def preview_cmd(app: KbApp, port: int, out: Path | None) -> None:
    """Build, serve the site on 127.0.0.1 and rebuild when an article or kb.yaml changes."""
    from kb.preview import serve

    serve(app.root, out or app.root / "_site", port, echo=click.echo)


def main() -> None:
    kb.main(prog_name="kb")
