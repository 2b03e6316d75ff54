"""``/api/v1/inventory_quant/``: stock on hand, read-only (the ledger is changed only by the
stock actions)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.security.permissions import BusinessModelApi
from plugins.inventory.api.common import READ_ONLY
from plugins.inventory.models import (
    StockQuant,
)
from plugins.inventory.views.filters import FilterBelowMinimum


class QuantApi(BusinessModelApi):
    """Stock on hand per part and location (read-only); the ``below_minimum`` filter keeps
    the rows below the reorder point of their rule."""

    resource_name = "inventory_quant"
    datamodel = SQLAInterface(StockQuant)
    class_permission_name = "inventory_stock"
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id",
        "part.id",
        "part.sku",
        "location.id",
        "location.code",
        "location.label",
        "on_hand",
        "reserved",
    ]
    search_columns = ["part", "location", "id"]
    # ?q=(filters:!((col:id,opr:below_minimum,value:1))): below a reorder rule's minimum
    search_filters = {"id": [FilterBelowMinimum]}
