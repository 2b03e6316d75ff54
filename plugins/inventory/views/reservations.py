"""Reservations, read-only: stock held for a reference (a planned work order)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from core.security.permissions import BusinessModelView
from plugins.inventory.models import (
    Reservation,
)
from plugins.inventory.views.common import (
    LABELS,
    READ_ONLY_ROUTES,
    STATE_LABELS,
    label_formatter,
    local_time,
    quantity,
)


class ReservationView(BusinessModelView):
    """Stock held for work orders (reserve and release through the stock actions)."""

    datamodel = SQLAInterface(Reservation)
    route_base = "/inventory/reservations"
    class_permission_name = "inventory_reservation"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _("Reservations")
    show_title = _("Reservation")
    label_columns = LABELS
    list_columns = ["part.sku", "location.label", "quantity", "reference", "state", "created_on"]
    show_columns = ["part", "location", "quantity", "reference", "state", "created_on", "closed_on"]
    search_columns = ["part", "location", "reference", "state"]
    base_order = ("id", "desc")
    formatters_columns = {
        "created_on": local_time,
        "closed_on": local_time,
        "quantity": quantity,
        "state": label_formatter(STATE_LABELS),
    }
