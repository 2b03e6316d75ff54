"""Suppliers and their prices: the checks of a supplier record, a supplier's price for a part."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.inventory.models import (
    Part,
    Supplier,
    SupplierPrice,
)
from plugins.inventory.services.common import (
    clean_text,
    get_part,
    parse_cost,
    record_id,
)
from plugins.inventory.services.errors import InventoryError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAX_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{4,39}$")
_MAX_LEAD_DAYS = 365


# --- suppliers --------------------------------------------------------------------------------


def _lead_time(value: Any, field: str = "lead_time_days", *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            raise InventoryError(gettext("%(field)s: is required", field=field), field)
        return None
    if isinstance(value, bool):
        raise InventoryError(gettext("%(field)s: must be a whole number", field=field), field)
    try:
        days = int(str(value).strip())
    except ValueError:
        raise InventoryError(
            gettext("%(field)s: must be a whole number", field=field), field
        ) from None
    if not 0 <= days <= _MAX_LEAD_DAYS:
        raise InventoryError(
            gettext(
                "%(field)s: must be between 0 and %(max)d days", field=field, max=_MAX_LEAD_DAYS
            ),
            field,
        )
    return days


def prepare_supplier(session: Session, supplier: Supplier) -> Supplier:
    """Check a new or edited supplier (nothing is flushed): name required and unique (409),
    tax ID and e-mail well-formed when given, lead time 0-365 days."""
    supplier.name = clean_text(supplier.name, "name", required=True, length=200)
    supplier.tax_id = clean_text(supplier.tax_id, "tax_id", required=False, length=40)
    if supplier.tax_id and not _TAX_ID.match(supplier.tax_id):
        raise InventoryError(
            gettext(
                "tax_id: %(value)s is not a tax ID (5-40 letters and digits)", value=supplier.tax_id
            ),
            "tax_id",
        )
    supplier.contact_name = clean_text(supplier.contact_name, "contact_name", False)
    supplier.phone = clean_text(supplier.phone, "phone", False, length=40)
    supplier.email = clean_text(supplier.email, "email", False, length=120)
    if supplier.email and not _EMAIL.match(supplier.email):
        raise InventoryError(
            gettext("email: %(value)s is not an e-mail address", value=supplier.email), "email"
        )
    supplier.lead_time_days = _lead_time(
        7 if supplier.lead_time_days is None else supplier.lead_time_days
    )
    if supplier.active is None:
        supplier.active = True
    same = select(Supplier.id).where(Supplier.name == supplier.name)
    if supplier.id is not None:
        same = same.where(Supplier.id != supplier.id)
    with session.no_autoflush:
        taken = session.scalar(same)
    if taken is not None:
        raise InventoryError(
            gettext("name: supplier %(name)s already exists", name=supplier.name), "name", 409
        )
    return supplier


def create_supplier(session: Session, **values: Any) -> Supplier:
    """Create a supplier after :func:`prepare_supplier`; returns it flushed."""
    supplier = Supplier(**values)
    prepare_supplier(session, supplier)
    session.add(supplier)
    session.flush()
    return supplier


def prepare_supplier_price(session: Session, price: SupplierPrice) -> SupplierPrice:
    """Check a supplier price: supplier and part given, price not negative, one price per
    supplier and part (409)."""
    with session.no_autoflush:
        supplier_id = price.supplier.id if price.supplier is not None else price.supplier_id
        part_id = price.part.id if price.part is not None else price.part_id
        if supplier_id is None:
            raise InventoryError(gettext("%(field)s: is required", field="supplier"), "supplier")
        if part_id is None:
            raise InventoryError(gettext("%(field)s: is required", field="part"), "part")
        price.unit_price = parse_cost(price.unit_price, "unit_price")
        price.supplier_sku = clean_text(price.supplier_sku, "supplier_sku", False, 60)
        same = select(SupplierPrice.id).where(
            SupplierPrice.supplier_id == supplier_id, SupplierPrice.part_id == part_id
        )
        if price.id is not None:
            same = same.where(SupplierPrice.id != price.id)
        if session.scalar(same) is not None:
            raise InventoryError(
                gettext("part: this supplier already has a price for this part"), "part", 409
            )
    return price


def set_supplier_price(
    session: Session, supplier_id: Any, part_id: Any, unit_price: Any, supplier_sku: Any = None
) -> SupplierPrice:
    """Create or replace the price of a part at a supplier."""
    supplier = get_supplier(session, supplier_id)
    part = get_part(session, part_id)
    price = session.scalar(
        select(SupplierPrice).where(
            SupplierPrice.supplier_id == supplier.id, SupplierPrice.part_id == part.id
        )
    ) or SupplierPrice(supplier_id=supplier.id, part_id=part.id)
    price.unit_price = unit_price
    price.supplier_sku = supplier_sku
    prepare_supplier_price(session, price)
    session.add(price)
    session.flush()
    return price


def get_supplier(session: Session, supplier_id: Any, field: str = "supplier_id") -> Supplier:
    """The supplier ``supplier_id`` (404 on ``field`` when it does not exist)."""
    supplier = session.get(Supplier, record_id(supplier_id, field))
    if supplier is None:
        raise InventoryError(
            gettext("%(field)s: supplier %(id)s does not exist", field=field, id=supplier_id),
            field,
            404,
        )
    return supplier


def price_for(session: Session, supplier_id: int, part: Part) -> Decimal:
    """The supplier's price for the part, else the part's standard cost."""
    found = session.scalar(
        select(SupplierPrice.unit_price).where(
            SupplierPrice.supplier_id == supplier_id, SupplierPrice.part_id == part.id
        )
    )
    return found if found is not None else part.standard_cost
