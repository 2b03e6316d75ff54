"""Core's Company feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from core.hooks import hookimpl
from core.menus import add_admin_view


@hookimpl
def aftersales_models() -> list[type]:
    """The one-row company table."""
    from core.company.models import Company

    return [Company]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """Admin > Company."""
    from core.company.views import CompanyView

    add_admin_view(appbuilder, CompanyView, "Company", _("Company"), "fa-building")
