"""Stock on hand: the quants, read-only (stock changes only through the stock actions)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from core.security.permissions import BusinessModelView
from plugins.inventory.models import (
    StockQuant,
)
from plugins.inventory.views.common import LABELS, READ_ONLY_ROUTES, quantity
from plugins.inventory.views.filters import FilterBelowMinimum


class StockOnHandView(BusinessModelView):
    """On hand, reserved and available per part and location (filter by part or location)."""

    datamodel = SQLAInterface(StockQuant)
    route_base = "/inventory/stock"
    class_permission_name = "inventory_stock"
    include_route_methods = READ_ONLY_ROUTES
    list_title = _("Stock on Hand")
    show_title = _("Stock")
    label_columns = {**LABELS, "available": _("Available")}
    list_columns = ["part.sku", "part.name", "location.label", "on_hand", "reserved", "available"]
    show_columns = ["part", "location", "on_hand", "reserved", "available"]
    search_columns = ["part", "location"]
    formatters_columns = {"on_hand": quantity, "reserved": quantity, "available": quantity}
    list_template = "inventory/stock_list.html"

    def _get_list_widget(self, filters: Any, **kwargs: Any) -> Any:
        """``?below_minimum=1`` keeps the rows below the reorder point of their rule."""
        if request.args.get("below_minimum"):
            filters = filters.copy()
            filters.add_filter("id", FilterBelowMinimum, "1")
        return super()._get_list_widget(filters, **kwargs)

    def render_template(self, template: str, **kwargs: Any) -> Any:
        """Tell the list template whether the below-minimum filter is on."""
        kwargs.setdefault("below_minimum", bool(request.args.get("below_minimum")))
        return super().render_template(template, **kwargs)
