"""``csops demo``."""

from __future__ import annotations

import logging

import click

from csops.shell import App, pass_app


@click.command()
@click.option("--accounts", default=200, show_default=True, help="Accounts in the sandbox.")
@click.option("--tickets", default=3000, show_default=True, help="Tickets in the sandbox.")
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo's folder here (config, store).")
@pass_app
def demo(app: App, accounts: int, tickets: int, keep: str | None) -> None:
    """Run everything against a local sandbox: sync twice (the second writes nothing) and summarise."""
    from csops.demo import run_demo

    if app.verbosity <= 0:
        # The sandbox seeds unlinked organizations on purpose; their warnings are for real runs (-v shows them).
        logging.getLogger("csops").setLevel(logging.ERROR)
    run_demo(accounts, tickets, keep, click.echo)
