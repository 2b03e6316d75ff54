"""Screens of the parts products and plans use: the lines behind the expected-demand
figures inventory's reorder planning asks for (see :mod:`plugins.maintenance.services.demand`).

Part and location ids are plain integers (inventory is optional); the lists show their
labels, loaded once per request.
"""

from __future__ import annotations

from flask import g
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from sqlalchemy import select

from core.crud import CheckedModelView
from core.extensions import db
from core.security.permissions import BusinessModelView
from plugins.maintenance.models import (
    PlanPart,
    ProductPart,
    WorkOrderPart,
)
from plugins.maintenance.services import demand, parts
from plugins.maintenance.views.common import LABELS, LINE_LABELS, plain

PART_LABELS = {
    "plan": _("Plan"),
    "product": _("Product"),
    "part_id": _("Part"),
    "location_id": _("Stock Location"),
    "quantity": _("Quantity"),
}


def _inventory_names() -> tuple[dict[int, str], dict[int, str]]:
    """Part and location labels by id, loaded once per request (two queries)."""
    cached = getattr(g, "maintenance_inventory_names", None)
    if cached is not None:
        return cached
    names: tuple[dict[int, str], dict[int, str]] = ({}, {})
    if parts.inventory_enabled():
        from plugins.inventory.models import Location, Part

        names = (
            {
                i: f"{sku} {name}"
                for i, sku, name in db.session.execute(select(Part.id, Part.sku, Part.name))
            },
            {row.id: row.label for row in db.session.execute(select(Location.id, Location.label))},
        )
    g.maintenance_inventory_names = names
    return names


def part_label(value: int | None) -> str:
    """``SKU name`` of an inventory part (its id when inventory is off)."""
    return _inventory_names()[0].get(value, str(value or ""))


def location_label(value: int | None) -> str:
    """``WAREHOUSE/CODE`` of an inventory location (its id when inventory is off)."""
    return _inventory_names()[1].get(value, str(value or ""))


class _PartLinkView(CheckedModelView):
    """Lines naming an inventory part (``prepare`` checks inventory is enabled)."""

    label_columns = PART_LABELS
    formatters_columns = {"part_id": part_label, "location_id": location_label, "quantity": plain}


class ProductPartView(_PartLinkView):
    """Parts that units of a product use per repair (expected repairs x quantity)."""

    datamodel = SQLAInterface(ProductPart)
    route_base = "/maintenance/product-parts"
    class_permission_name = "maintenance_plan"
    prepare = staticmethod(demand.prepare_product_part)
    list_title = _("Parts per Product")
    list_columns = ["product", "part_id", "location_id", "quantity"]
    add_columns = edit_columns = show_columns = list_columns
    base_order = ("product_id", "asc")


class PlanPartView(_PartLinkView):
    """Parts each inspection of a plan needs (shown inside the plan)."""

    datamodel = SQLAInterface(PlanPart)
    route_base = "/maintenance/plan-parts"
    class_permission_name = "maintenance_plan"
    prepare = staticmethod(demand.prepare_plan_part)
    list_title = _("Parts per Inspection")
    list_columns = ["part_id", "location_id", "quantity"]
    add_columns = edit_columns = show_columns = ["plan", *list_columns]


class PartLineView(BusinessModelView):
    """Part lines of a work order (shown inside it; planned through the order's form)."""

    datamodel = SQLAInterface(WorkOrderPart)
    route_base = "/maintenance/work-order-parts"
    class_permission_name = "maintenance_work_order"
    base_permissions = ["can_read"]
    label_columns = LABELS
    list_title = _("Parts")
    list_columns = ["description", "quantity", "state", "unit_cost", "unit_price"]
    show_columns = list_columns
    formatters_columns = {
        "state": lambda v: LINE_LABELS.get(v, v),
        "quantity": plain,
        "unit_cost": lambda v: "" if v is None else v,
        "unit_price": lambda v: "" if v is None else v,
    }
