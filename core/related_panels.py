"""Related panels on record pages: "Work orders (3)" on a customer, linking to the list.

Plugins declare them with ``aftersales_related_panels`` (:class:`core.contributions.
RelatedPanel`). A business screen's record page shows, above the record, a button per panel
declared for its table whose model's screen the user may read: the panel's label, the
number of that model's rows pointing to the record that the user sees (one ``COUNT`` per
panel), and a link to the model's list filtered on the record when that screen searches on
the relation. Nothing is shown for a plugin that is disabled: its hook is not called.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, inspect, select

from core.contributions import RelatedPanel
from core.extensions import db
from core.record_links import record_pages
from core.visibility import visible_only


def panels_by_table() -> dict[str, list[RelatedPanel]]:
    """The panels of the current app, by the table whose pages show them (once per app)."""
    from core.runtime import runtime

    rt = runtime()
    found = rt.extra.get("related_panels")
    if found is None:
        found = {}
        for panel in rt.hooks.related_panels():
            found.setdefault(panel.on, []).append(panel)
        rt.extra["related_panels"] = found
    return found


def list_url(screen: Any, panel: RelatedPanel, record: Any) -> str | None:
    """The list of ``panel``'s rows of ``record`` on ``screen``, if it filters on the
    relation (Flask-AppBuilder's "relation equals" filter, the first of a relation's)."""
    if panel.relation not in (screen.search_columns or []):
        return None
    pk = inspect(record).identity[0]
    return f"{screen.route_base}/list/?_flt_0_{panel.relation}={pk}"


def related_panels(record: Any) -> list[dict[str, Any]]:
    """The panels of ``record``'s page the signed-in user may see: label, icon, count, url."""
    panels = panels_by_table().get(getattr(type(record), "__tablename__", ""), [])
    if not panels:
        return []
    screens = record_pages(current_app.appbuilder)
    security = current_app.appbuilder.sm
    shown = []
    for panel in panels:
        screen = screens.get(panel.model)
        if screen is None or not security.has_access("can_read", screen.class_permission_name):
            continue
        relation = getattr(panel.model, panel.relation)
        query = select(func.count()).select_from(panel.model).where(relation == record)
        count = db.session.scalar(visible_only(query, panel.model)) or 0
        shown.append(
            {
                "label": str(panel.label),
                "icon": panel.icon,
                "count": count,
                "url": list_url(screen, panel, record),
            }
        )
    return shown
