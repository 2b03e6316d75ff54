"""Menu placement shared by core's screens, and tabs plugins add to each other's pages."""

from __future__ import annotations

from typing import Any

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

ADMIN_CATEGORY = "Admin"


def add_admin_view(appbuilder: AppBuilder, view: Any, name: str, label: Any, icon: str) -> None:
    """Add ``view`` to the Admin menu (``name`` is the stable menu/permission name)."""
    appbuilder.add_view(
        view,
        name,
        label=label,
        icon=icon,
        category=ADMIN_CATEGORY,
        category_label=_("Admin"),
        category_icon="fa-cogs",
    )


def add_related_view(appbuilder: AppBuilder, route_base: str, related: type) -> None:
    """Show ``related`` as a tab on the record page of the screen at ``route_base``.

    For a plugin that adds records about another plugin's records (a glue plugin's links to
    a part, say) and cannot edit that plugin's view class. Call it from
    ``aftersales_register_views`` *before* adding ``related`` itself (with
    ``add_view_no_menu``), so Flask-AppBuilder wires it. Only this app's registered instance
    changes (a new list, never the class's), so an app built without the calling plugin is
    untouched. Nothing happens when no screen has that ``route_base`` (its plugin is off).
    """
    for view in appbuilder.baseviews:
        if getattr(view, "route_base", None) == route_base and hasattr(view, "related_views"):
            view.related_views = [*(view.related_views or []), related]
