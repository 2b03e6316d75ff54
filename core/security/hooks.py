"""Core's security commands and tables, plugged in like a plugin's."""

from __future__ import annotations

import click

from core.hooks import hookimpl


@hookimpl
def aftersales_models() -> list[type]:
    """The login lockout table."""
    from core.security.models import LoginLock

    return [LoginLock]


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales users ...``."""
    from core.security.cli import users_cli

    cli.add_command(users_cli)
