"""First-run set-up, demo data and the development server, as core CLI commands."""

from __future__ import annotations

import click

from core.hooks import hookimpl


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales setup``, ``aftersales demo load``, ``aftersales serve``."""
    from core.demo.cli import demo_cli, setup_command
    from core.serve import serve_command

    for command in (setup_command, demo_cli, serve_command):
        cli.add_command(command)
