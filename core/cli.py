"""The ``aftersales`` command: core's commands plus whatever enabled plugins add.

Plugins add commands through the ``aftersales_cli_commands`` hook; they appear here because
the command group builds the app (and so loads the enabled plugins) before it lists them.
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from core.plugins import PluginConfigError
from core.settings_types import SettingsError


def _create_app() -> object:
    from core.app import create_app

    return create_app()


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False
)
@click.version_option(package_name="aftersales", prog_name="aftersales")
def cli() -> None:
    """AfterSales: after-sales service management."""


def main() -> None:
    """Console entry point; start-up problems are printed as one message, exit status 2."""
    try:
        cli.main(prog_name="aftersales")
    except (PluginConfigError, SettingsError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
