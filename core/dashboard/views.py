"""The landing page: after login, the widgets the user may see."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_appbuilder import IndexView, expose

from core.extensions import db
from core.runtime import hooks


class DashboardView(IndexView):
    """Home page: anonymous users see a welcome, logged-in users their widgets."""

    index_template = "aftersales/dashboard.html"

    @expose("/")
    def index(self) -> Any:
        """Render the dashboard with every widget the current user may see."""
        self.update_redirect()
        widgets = []
        user = g.user
        if user is not None and user.is_authenticated:
            sm = self.appbuilder.sm
            for widget in hooks().dashboard_widgets():
                if widget.permission and not sm.has_access(*widget.permission):
                    continue
                widgets.append({"spec": widget, "data": widget.data(db.session)})
        return self.render_template(self.index_template, widgets=widgets)
