"""Core's Company feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from core.hooks import hookimpl


@hookimpl
def aftersales_models() -> list[type]:
    """The one-row company table."""
    from core.company.models import Company

    return [Company]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """Admin > Company."""
    from core.company.views import CompanyView

    appbuilder.add_view(
        CompanyView,
        "Company",
        label=_("Company"),
        icon="fa-building",
        category="Admin",
        category_label=_("Admin"),
        category_icon="fa-cogs",
    )
