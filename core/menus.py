"""Menu placement shared by core's screens."""

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
