"""Core's scaffolding feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

import click

from core.hooks import hookimpl


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales plugins new NAME``, added to the ``plugins`` group of core's Modules."""
    from core.modules.cli import plugins_cli
    from core.scaffold.cli import new_plugin_command

    plugins_cli.add_command(new_plugin_command)
