"""Screens of parts_compatibility: the Compatible Products list (Inventory menu), and the
same links shown on a part's page (the products it fits) and on a product's page (the parts
that fit it). They only call services."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from core.crud import CheckedModelView
from plugins.parts_compatibility import services
from plugins.parts_compatibility.models import PartProduct

PERMISSION = "parts_compatibility_link"

LABELS = {
    "part": _("Part"),
    "part.sku": _("SKU"),
    "part.name": _("Part Name"),
    "product": _("Product"),
    "product.product_type": _("Product Type"),
    "product.manufacturer": _("Manufacturer"),
    "product.model": _("Model"),
    "note": _("Note"),
}
PART_COLUMNS = ["part.sku", "part.name"]
PRODUCT_COLUMNS = ["product.product_type", "product.manufacturer", "product.model"]


class _LinkView(CheckedModelView):
    """What every screen of the links shares: table, permission, labels and checks."""

    datamodel = SQLAInterface(PartProduct)
    class_permission_name = PERMISSION
    label_columns = LABELS
    add_columns = edit_columns = ["part", "product", "note"]
    show_columns = [*PART_COLUMNS, *PRODUCT_COLUMNS, "note"]
    search_columns = ["part", "product", "note"]

    prepare = staticmethod(services.prepare_link)  # known part and product, not linked yet


class CompatibleProductView(_LinkView):
    """Compatible Products: which parts fit which products; search by part or product."""

    route_base = "/parts-compatibility/links"
    list_title = _("Compatible Products")
    show_title = _("Compatible Product")
    add_title = _("Add Compatible Product")
    edit_title = _("Edit Compatible Product")
    list_columns = [*PART_COLUMNS, *PRODUCT_COLUMNS, "note"]
    order_columns = ["part.sku", "product.manufacturer", "product.model"]
    base_order = ("part.sku", "asc")


class PartProductsView(_LinkView):
    """On a part's page: the products it fits."""

    route_base = "/parts-compatibility/part-products"
    list_title = _("Compatible Products")
    list_columns = [*PRODUCT_COLUMNS, "note"]
    base_order = ("product.manufacturer", "asc")


class ProductPartsView(_LinkView):
    """On a product's page: the parts that fit it."""

    route_base = "/parts-compatibility/product-parts"
    list_title = _("Compatible Parts")
    list_columns = [*PART_COLUMNS, "note"]
    base_order = ("part.sku", "asc")
