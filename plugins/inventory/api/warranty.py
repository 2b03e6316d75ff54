"""``/api/v1/inventory_vendor_return/``: vendor returns (read-only; they change through the
vendor actions of ``/api/v1/inventory_stock/``)."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.security.permissions import BusinessModelApi
from plugins.inventory.api.common import READ_ONLY, json_value
from plugins.inventory.models import (
    VendorReturn,
)


class VendorReturnApi(BusinessModelApi):
    """Defective parts sent to suppliers under warranty (read-only; changed only through the
    ``vendor_return``, ``vendor_receipt`` and ``vendor_write_off`` actions)."""

    resource_name = "inventory_vendor_return"
    datamodel = SQLAInterface(VendorReturn)
    class_permission_name = "inventory_stock"
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id",
        "part.id",
        "part.sku",
        "supplier.id",
        "supplier.name",
        "from_location.id",
        "rma",
        "quantity",
        "unit_cost",
        "received",
        "written_off",
        "write_off_note",
        "note",
        "created_on",
        "closed_on",
    ]
    search_columns = ["part", "supplier", "rma", "created_on", "closed_on"]
    base_order = ("id", "desc")


def vendor_return_json(vendor_return: VendorReturn) -> dict[str, Any]:
    """A vendor return as the action endpoints answer it (with its outstanding quantity)."""
    body = {
        key: json_value(getattr(vendor_return, key))
        for key in (
            "id",
            "part_id",
            "supplier_id",
            "from_location_id",
            "rma",
            "quantity",
            "unit_cost",
            "received",
            "written_off",
            "outstanding",
            "write_off_note",
        )
    }
    body["closed"] = vendor_return.closed_on is not None
    return body
