"""Screens of products and the units under service."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from plugins.contracts import services
from plugins.contracts.models import Equipment, Product
from plugins.contracts.views.common import ContractsView, choice_labels, selects


class ProductView(ContractsView):
    """Products: type, model, specification, manufacturer."""

    datamodel = SQLAInterface(Product)
    route_base = "/contracts/products"
    class_permission_name = "contracts_product"
    prepare = staticmethod(services.prepare_product)
    list_title = _("Products")
    list_columns = ["manufacturer", "model", "product_type", "specification"]
    add_columns = edit_columns = show_columns = [
        "product_type",
        "model",
        "specification",
        "manufacturer",
    ]
    search_columns = ["manufacturer", "model", "product_type"]


class EquipmentView(ContractsView):
    """Units under service."""

    datamodel = SQLAInterface(Equipment)
    route_base = "/contracts/equipment"
    class_permission_name = "contracts_equipment"
    prepare = staticmethod(services.prepare_equipment)
    list_title = _("Equipment")
    list_columns = [
        "serial_number",
        "product.model",
        "customer.name",
        "installed_on",
        "warranty_end",
        "status",
    ]
    add_columns = edit_columns = [
        "product",
        "serial_number",
        "customer",
        "site",
        "installed_on",
        "warranty_end",
        "status",
    ]
    show_columns = [
        "product",
        "serial_number",
        "customer",
        "site_address",
        "installed_on",
        "warranty_end",
        "status",
    ]
    description_columns = {
        "site": _("One of the customer's site addresses; empty: the customer's default one"),
    }
    search_columns = ["serial_number", "product", "customer", "status"]
    add_form_extra_fields = edit_form_extra_fields = selects("status")
    formatters_columns = {
        **choice_labels("status"),
        "installed_on": lambda v: v or "",
        "warranty_end": lambda v: v or "",
    }
