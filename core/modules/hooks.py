"""Core's Modules feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

import click
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from core.hooks import hookimpl


@hookimpl
def aftersales_models() -> list[type]:
    """The module choice and generation tables."""
    from core.modules.models import ModuleChoice, ModuleGeneration

    return [ModuleChoice, ModuleGeneration]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Modules screen, under the Admin menu."""
    from core.modules.views import ModulesView

    appbuilder.add_view(
        ModulesView,
        "Modules",
        label=_("Modules"),
        icon="fa-puzzle-piece",
        category="Admin",
        category_label=_("Admin"),
        category_icon="fa-cogs",
    )


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales plugins ...``."""
    from core.modules.cli import plugins_cli

    cli.add_command(plugins_cli)
