"""The ``kb`` command: the knowledge base writers use."""

from __future__ import annotations

import click

from csops import __version__
from csops.shell import BoundaryGroup


@click.group(cls=BoundaryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def kb() -> None:
    """kb: help-center articles in Markdown, checked, previewed and published to Zendesk."""


def main() -> None:
    kb.main(prog_name="kb")
