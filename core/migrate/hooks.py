"""Core's migrations feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

import click

from core.hooks import hookimpl


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales db ...``."""
    from core.migrate.cli import db_cli

    cli.add_command(db_cli)
