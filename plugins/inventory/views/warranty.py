"""Defective parts: the quarantine stock and the open vendor returns."""

from __future__ import annotations

from typing import Any

from flask_appbuilder import BaseView, expose, has_access

from core.extensions import db
from core.money import format_money
from plugins.inventory.services import warranty
from plugins.inventory.views.common import local_time, quantity


class DefectivePartsView(BaseView):
    """Defective parts: stock waiting in quarantine locations and the open vendor returns
    with what is still outstanding (``can_read`` on ``inventory_stock``). Two queries."""

    route_base = "/inventory/defective"
    default_view = "list"
    class_permission_name = "inventory_stock"
    method_permission_name = {"list": "read"}

    @expose("/")
    @has_access
    def list(self) -> Any:
        """The quarantine stock and the open vendor returns, with links to the actions."""
        open_returns = warranty.open_vendor_returns(db.session)
        return self.render_template(
            "inventory/defective.html",
            quarantine=warranty.quarantine_stock(db.session),
            vendor_returns=open_returns,
            outstanding_value=warranty.outstanding_value(open_returns),
            quantity=quantity,
            money=format_money,
            local_time=local_time,
        )
