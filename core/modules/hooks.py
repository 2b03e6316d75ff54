"""Core's Modules feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

import click
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from core.hooks import hookimpl
from core.menus import add_admin_view


@hookimpl
def aftersales_models() -> list[type]:
    """The module choice and generation tables."""
    from core.modules.models import ModuleChoice, ModuleGeneration

    return [ModuleChoice, ModuleGeneration]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Modules screen, under the Admin menu."""
    from core.modules.views import ModulesView

    add_admin_view(appbuilder, ModulesView, "Modules", _("Modules"), "fa-puzzle-piece")


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales plugins ...``."""
    from core.modules.cli import plugins_cli

    cli.add_command(plugins_cli)


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """``/api/v1/modules/``."""
    from core.modules.api import ModulesApi

    appbuilder.add_api(ModulesApi)
