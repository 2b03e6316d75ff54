"""Hooks of parts_compatibility: the plugin's only contact with AfterSales core.

The entry point ``parts_compatibility = "plugins.parts_compatibility.plugin"`` targets this
module. Views, APIs and models are imported inside the hooks so that importing this module
stays cheap.
"""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import Session

from core.contributions import RoleSpec
from core.hooks import hookimpl
from core.menus import add_related_view
from core.security.permissions import read_only, read_write

LINK = "parts_compatibility_link"
MENU = "Compatible Products"
# Inventory's menu: the screen sits with the parts it describes.
CATEGORY = "Inventory"
WRITERS = ("Storekeeper", "Purchaser", "Inventory Manager")
# Inventory's and contracts' reading roles (the grants merge with theirs).
READERS = (
    "Technician",
    "Contract Manager",
    "Sales",
    "Staff Read-only",
    "Dispatcher",
    "Service Manager",
)
# The screens of the other two plugins that show the links as a related list, found by
# their (public) URLs so that this plugin imports neither plugin's views.
PART_PAGE = "/inventory/parts"
PRODUCT_PAGE = "/contracts/products"
# The manifest's label and summary, so that the Modules screen finds them in the catalogs.
MANIFEST_TEXT = (
    _("Parts Compatibility"),
    _("Which spare parts fit which products, and the parts in stock for a unit"),
)


@hookimpl
def aftersales_models() -> list[type]:
    """The part-product table."""
    from plugins.parts_compatibility.models import PartProduct

    return [PartProduct]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """Compatible Products in the Inventory menu; the products a part fits on the part's
    page, and the parts that fit a product on the product's page."""
    from plugins.parts_compatibility import views

    add_related_view(appbuilder, PART_PAGE, views.PartProductsView)
    add_related_view(appbuilder, PRODUCT_PAGE, views.ProductPartsView)
    appbuilder.add_view(
        views.CompatibleProductView,
        MENU,
        label=_("Compatible Products"),
        icon="fa-plug",
        category=CATEGORY,
        category_label=_("Inventory"),
        category_icon="fa-archive",
    )
    appbuilder.add_view_no_menu(views.PartProductsView)
    appbuilder.add_view_no_menu(views.ProductPartsView)


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """The links, and the parts that fit a unit with their stock."""
    from plugins.parts_compatibility.api import PartProductApi

    appbuilder.add_api(PartProductApi)


@hookimpl
def aftersales_roles() -> list[RoleSpec]:
    """Storekeeper, Purchaser and Inventory Manager keep the links; technicians, contract
    staff and the other staff roles read them."""
    menus = [("menu_access", CATEGORY), ("menu_access", MENU)]
    return [
        *(RoleSpec(name, [*read_write(LINK), *menus]) for name in WRITERS),
        *(RoleSpec(name, [*read_only(LINK), *menus]) for name in READERS),
    ]


# Demo parts (by SKU prefix) and the demo products they fit (manufacturer, model prefix).
DEMO_LINKS = [
    ("FUS-220", "HP", "LaserJet M507", "OEM fuser, 220 V"),
    ("BELT-TR", "HP", "LaserJet M507", ""),
    ("CMP-R32", "Daikin", "VRV X-12", "outdoor unit compressor"),
    ("REF-R32", "Daikin", "VRV X-12", "charge per kg"),
    ("FLT-AIR", "Daikin", "VRV X-12", "indoor unit return air"),
    ("PRB-C5", "Philips", "EPIQ 7", "C5-1 curved probe"),
]


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """Link the demo parts to the demo products they fit (fuser and belt: the printer;
    compressor, refrigerant and filter: the HVAC unit; probe cable: the ultrasound).
    Loading again links only the pairs that are not linked yet."""
    from sqlalchemy import select

    from plugins.contracts.models import Product
    from plugins.inventory.models import Part
    from plugins.parts_compatibility.models import PartProduct
    from plugins.parts_compatibility.services import link_part

    linked = {
        (row.part_id, row.product_id)
        for row in session.execute(select(PartProduct.part_id, PartProduct.product_id))
    }
    for sku, manufacturer, model, note in DEMO_LINKS:
        parts = session.scalars(select(Part.id).where(Part.sku.startswith(sku))).all()
        products = session.scalars(
            select(Product.id).where(
                Product.manufacturer == manufacturer, Product.model.startswith(model)
            )
        ).all()
        for pair in ((part, product) for part in parts for product in products):
            if pair not in linked:
                link_part(session, *pair, note=note)
                linked.add(pair)
