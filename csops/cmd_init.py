"""``csops init``: a folder to start from, outside any repository."""

from __future__ import annotations

from pathlib import Path

import click

from csops.starter import init_project


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="Language of the comments, labels and names in the starter files.")
@click.option("--kb", "with_kb", is_flag=True, help="Also write kb/kb.yaml and kb/articles/ for the knowledge base.")
def init(folder: Path, lang: str, with_kb: bool) -> None:
    """Write a commented csops.yaml, a starter rule file and a .gitignore for .csops/ into FOLDER.

    Nothing is overwritten: when csops.yaml or the rule file exists already,
    init stops and says which. Then edit csops.yaml (your Zendesk subdomain
    and Salesforce instance) and set the variables it names.
    """
    written = init_project(folder, lang, with_kb)
    for path in written:
        click.echo(f"wrote {path}")
    cd = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    click.echo("\nNext:")
    click.echo(f"  {cd}csops rules check   # the rule file is valid")
    click.echo("  csops doctor          # after editing csops.yaml and setting ZENDESK_CLIENT_SECRET (a Zendesk "
               "OAuth client), and the Salesforce connected app's key (auth: jwt)")
    click.echo("  csops sync --dry-run  # what the first sync would write, writing nothing")
    click.echo(f"\nTo try it first against a local sandbox, no real accounts needed (in another terminal):\n"
               f"  {cd}csops sandbox serve --write-config sandbox.yaml")
