"""REST endpoints of products and units under service."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi
from plugins.contracts import services
from plugins.contracts.models import Equipment, Product


class ProductApi(CheckedModelApi):
    """``/api/v1/product/``."""

    resource_name = "product"
    datamodel = SQLAInterface(Product)
    class_permission_name = "contracts_product"
    prepare = staticmethod(services.prepare_product)
    add_columns = edit_columns = ["product_type", "model", "specification", "manufacturer"]
    list_columns = show_columns = ["id", *add_columns]
    search_columns = ["product_type", "model", "manufacturer"]


class EquipmentApi(CheckedModelApi):
    """``/api/v1/equipment/``."""

    resource_name = "equipment"
    datamodel = SQLAInterface(Equipment)
    class_permission_name = "contracts_equipment"
    prepare = staticmethod(services.prepare_equipment)
    add_columns = edit_columns = [
        "product",
        "serial_number",
        "customer",
        "site",
        "site_address",
        "installed_on",
        "warranty_end",
        "status",
    ]
    list_columns = show_columns = [
        "id",
        "product.model",
        "serial_number",
        "customer.name",
        "site.id",
        "site_address",
        "installed_on",
        "warranty_end",
        "status",
    ]
    search_columns = ["serial_number", "customer", "product", "status"]
