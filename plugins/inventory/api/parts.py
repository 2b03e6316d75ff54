"""``/api/v1/inventory_part/``, ``inventory_warehouse`` and ``inventory_location``: read and write,
no delete (deactivate a part instead)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import validate

from core.crud import CheckedModelApi
from core.security.permissions import BusinessModelApi
from plugins.inventory import services
from plugins.inventory.api.common import NO_DELETE
from plugins.inventory.models import (
    LOCATION_KINDS,
    WAREHOUSE_KINDS,
    Location,
    Part,
    Warehouse,
)

PART_EDITABLE = ["sku", "name", "specification", "unit", "standard_cost", "sale_price", "active"]


class PartApi(CheckedModelApi):
    """Spare parts. ``average_cost`` is kept by receipts and is read-only."""

    resource_name = "inventory_part"
    datamodel = SQLAInterface(Part)
    class_permission_name = "inventory_part"
    include_route_methods = NO_DELETE
    list_columns = show_columns = ["id", *PART_EDITABLE, "average_cost"]
    add_columns = edit_columns = PART_EDITABLE
    search_columns = ["sku", "name", "active"]
    order_columns = ["sku", "name"]
    base_order = ("sku", "asc")

    prepare = staticmethod(services.prepare_part)


class WarehouseApi(CheckedModelApi):
    """Warehouses: central store, branch stores and vans (a van's technician must hold a
    role that keeps vans)."""

    resource_name = "inventory_warehouse"
    datamodel = SQLAInterface(Warehouse)
    class_permission_name = "inventory_warehouse"
    include_route_methods = NO_DELETE
    list_columns = show_columns = ["id", "code", "name", "kind", "technician.username"]
    add_columns = edit_columns = ["code", "name", "kind", "technician"]
    validators_columns = {"kind": validate.OneOf(WAREHOUSE_KINDS)}
    search_columns = ["code", "name", "kind"]
    base_order = ("code", "asc")

    prepare = staticmethod(services.prepare_warehouse)


class LocationApi(BusinessModelApi):
    """Locations inside warehouses (normal or quarantine)."""

    resource_name = "inventory_location"
    datamodel = SQLAInterface(Location)
    class_permission_name = "inventory_location"
    include_route_methods = NO_DELETE
    list_columns = show_columns = ["id", "warehouse.id", "warehouse.code", "code", "kind"]
    add_columns = edit_columns = ["warehouse", "code", "kind"]
    validators_columns = {"kind": validate.OneOf(LOCATION_KINDS)}
    search_columns = ["warehouse", "code", "kind"]
    base_order = ("code", "asc")
