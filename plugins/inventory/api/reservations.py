"""``/api/v1/inventory_reservation/``: reservations (read-only; they change through the
``reserve`` and ``release`` actions)."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.security.permissions import BusinessModelApi
from plugins.inventory.api.common import READ_ONLY, json_value
from plugins.inventory.models import (
    Reservation,
)


class ReservationApi(BusinessModelApi):
    """Reservations (read-only; reserve and release through ``inventory_stock``)."""

    resource_name = "inventory_reservation"
    datamodel = SQLAInterface(Reservation)
    class_permission_name = "inventory_reservation"
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id",
        "part.id",
        "part.sku",
        "location.id",
        "quantity",
        "reference",
        "state",
        "created_on",
        "closed_on",
    ]
    search_columns = ["part", "location", "reference", "state"]
    base_order = ("id", "desc")


def reservation_json(reservation: Reservation) -> dict[str, Any]:
    """A reservation as the action endpoints answer it."""
    return {
        key: json_value(getattr(reservation, key))
        for key in ("id", "part_id", "location_id", "quantity", "reference", "state")
    }
