"""The contract calendar screen: upcoming cancel-by and end dates, by month."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder import BaseView, expose, has_access

from core.extensions import db
from plugins.contracts import services
from plugins.contracts.services import ContractError
from plugins.contracts.services.labels import STATE_LABELS


class ContractCalendarView(BaseView):
    """Upcoming cancel-by and end dates across contracts, grouped by month."""

    route_base = "/contracts/calendar"
    default_view = "upcoming"
    class_permission_name = "contracts_contract"
    method_permission_name = {"upcoming": "read"}

    @expose("/")
    @has_access
    def upcoming(self) -> Any:
        """``?days=N`` (default 90)."""
        text = request.args.get("days", "90")
        today = services.company_today()
        months, error = [], None
        try:
            months = services.by_month(services.upcoming_dates(db.session, today, text))
        except ContractError as exc:
            error = str(exc)
        return self.render_template(
            "contracts/calendar.html",
            months=months,
            days=text,
            today=today,
            error=error,
            state_labels=STATE_LABELS,
        )
