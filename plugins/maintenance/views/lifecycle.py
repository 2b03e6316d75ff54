"""The technician's phone screen: my work orders and the actions their states allow."""

from __future__ import annotations

import datetime
from typing import Any

from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from core.company.service import company_zone
from core.extensions import db
from plugins.maintenance import services
from plugins.maintenance.models import (
    WorkOrder,
)
from plugins.maintenance.services import sla
from plugins.maintenance.services.access import (
    current_user_id,
    sees_all_orders,
)
from plugins.maintenance.views.common import ACTION_LABELS, STATE_LABELS, local_time


class MyWorkOrdersView(BaseView):
    """A technician's own orders for today and the week, made for a phone screen: start,
    record results and complete them from here."""

    route_base = "/maintenance/my-work-orders"
    default_view = "mine"
    class_permission_name = "maintenance_work_order"
    method_permission_name = {"mine": "read"}

    @staticmethod
    def _phone_actions(order: WorkOrder) -> list[str]:
        """The actions run on site: neither assigning nor cancelling (the office does that),
        nor the dispatch actions unless the user holds the dispatch permission."""
        return [
            name
            for name in services.available_actions(order, sees_all_orders())
            if name not in ("assign", "cancel")
        ]

    @expose("/")
    @has_access
    def mine(self) -> Any:
        """Today's and this week's orders of the signed-in technician."""
        today = services.company_today()
        orders = services.my_orders(db.session, current_user_id() or -1, today)
        zone = company_zone()
        end_of_today = datetime.datetime.combine(
            today + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
        todays = [
            o
            for o in orders
            if o.scheduled_start is None or sla.as_utc(o.scheduled_start) < end_of_today
        ]
        later = [o for o in orders if o not in todays]
        return self.render_template(
            "maintenance/mine.html",
            sections=[(gettext("Today"), todays), (gettext("This week"), later)],
            actions={o.id: self._phone_actions(o) for o in orders},
            action_labels=ACTION_LABELS,
            state_labels=STATE_LABELS,
            inputs=services.ACTION_INPUTS,
            local_time=local_time,
        )
