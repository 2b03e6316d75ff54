"""The reliability screen: failures, MTBF and MTTR per product and per unit in a period.

It needs the dispatch permission (dispatchers, service managers).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access

from core.extensions import db
from plugins.maintenance import services
from plugins.maintenance.services import reliability
from plugins.maintenance.services.errors import MaintenanceError

UNITS_SHOWN = 200


class ReliabilityView(BaseView):
    """``/maintenance/reliability/?from=&to=&product_id=``: figures per product and unit."""

    route_base = "/maintenance/reliability"
    default_view = "show"
    class_permission_name = "maintenance_work_order"
    method_permission_name = {"show": "dispatch"}

    @expose("/")
    @has_access
    def show(self) -> Any:
        """The period form, the products table and the units (most failures first)."""
        try:
            start, end = reliability.parse_period(
                request.args.get("from"), request.args.get("to"), services.company_today()
            )
            product_id = request.args.get("product_id", type=int)
        except MaintenanceError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ReliabilityView.show"))
        products = reliability.product_figures(db.session, start, end)
        units = reliability.unit_figures(db.session, start, end, product_id=product_id)
        return self.render_template(
            "maintenance/reliability.html",
            start=start,
            end=end,
            product_id=product_id,
            products=products,
            units=units[:UNITS_SHOWN],
            units_total=len(units),
            units_failed=sum(1 for u in units if u.failures),
        )
