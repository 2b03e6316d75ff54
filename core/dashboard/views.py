"""The landing page: after login, the widgets the user may see."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app, g
from flask_appbuilder import IndexView, expose
from flask_babel import gettext
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from core.contributions import DashboardWidget
from core.extensions import db
from core.runtime import hooks

log = logging.getLogger(__name__)

WIDGET_KINDS = ("count", "list", "chart")


@dataclass(frozen=True)
class RenderedWidget:
    """A widget ready for the template: its spec, its data, or the error that replaced them."""

    spec: DashboardWidget
    data: dict[str, Any]
    error: str | None = None
    chart_json: Markup | None = None

    @property
    def dom_id(self) -> str:
        """A safe HTML id for the widget's tile (``widget-<name>``)."""
        return "widget-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in self.spec.name)


def visible_widgets(widgets: list[DashboardWidget], has_access: Any) -> list[DashboardWidget]:
    """The widgets whose permission ``has_access(permission, view_menu)`` grants, in order."""
    return [w for w in widgets if not w.permission or has_access(*w.permission)]


def render_widget(widget: DashboardWidget, session: Any) -> RenderedWidget:
    """Call the widget's data function; a failure becomes an error note, never a broken page.

    The exception is logged with the widget's name, and the session is rolled back so that
    the next widget (on PostgreSQL, where a failed statement aborts the transaction) still
    reads.
    """
    try:
        data = widget.data(session)
        check_widget_data(widget.kind, data)
        chart_json = None
        if widget.kind == "chart":
            # Serialised here, not in the template, so a value JSON cannot hold fails in the
            # tile; escaped for a <script> element (<, >, & and ' become \u escapes).
            chart_json = Markup(htmlsafe_json_dumps(data, dumps=current_app.json.dumps))
    except Exception:  # any contributor's bug must stay inside its tile
        log.exception("dashboard widget %r failed", widget.name)
        session.rollback()
        return RenderedWidget(widget, {}, gettext("This widget could not be loaded."))
    return RenderedWidget(widget, data, chart_json=chart_json)


def check_widget_data(kind: str, data: Any) -> None:
    """Raise ``ValueError`` when ``data`` does not have the shape its ``kind`` needs."""
    if kind not in WIDGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(WIDGET_KINDS)}, not {kind!r}")
    if not isinstance(data, dict):
        raise ValueError(f"data must return a dict, not {type(data).__name__}")
    if kind == "count" and "value" not in data:
        raise ValueError("a count widget's data needs a 'value'")
    if kind == "list" and not isinstance(data.get("rows"), (list, tuple)):
        raise ValueError("a list widget's data needs a 'rows' list")
    if kind == "chart" and not (data.get("type") and isinstance(data.get("data"), dict)):
        raise ValueError("a chart widget's data must be a Chart.js config with 'type' and 'data'")


class DashboardView(IndexView):
    """Home page: anonymous users see a welcome, logged-in users their widgets."""

    index_template = "aftersales/dashboard.html"

    @expose("/")
    def index(self) -> Any:
        """Render the dashboard with every widget the current user may see."""
        self.update_redirect()
        widgets: list[RenderedWidget] = []
        user = g.user
        if user is not None and user.is_authenticated:
            allowed = visible_widgets(hooks().dashboard_widgets(), self.appbuilder.sm.has_access)
            widgets = [render_widget(widget, db.session) for widget in allowed]
        has_charts = any(w.spec.kind == "chart" and not w.error for w in widgets)
        return self.render_template(self.index_template, widgets=widgets, has_charts=has_charts)
