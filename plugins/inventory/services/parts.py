"""Parts and warehouses: the checks of a new or edited record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.inventory.models import (
    CENTRAL,
    VAN,
    WAREHOUSE_KINDS,
    Part,
    Warehouse,
)
from plugins.inventory.services.common import clean_text, parse_cost
from plugins.inventory.services.errors import InventoryError

# --- records ----------------------------------------------------------------------------------


def prepare_part(session: Session, part: Part) -> Part:
    """Check a new or edited part (nothing is flushed): SKU and name required, SKU unique
    (409), costs and prices not negative."""
    for field in ("sku", "name"):
        setattr(part, field, clean_text(getattr(part, field), field, required=True, length=200))
    if len(part.sku) > 40:
        raise InventoryError(
            gettext("%(field)s: at most %(max)d characters", field="sku", max=40), "sku"
        )
    part.unit = clean_text(part.unit, "unit", required=False, length=20) or "pcs"
    for field in ("standard_cost", "sale_price"):
        value = getattr(part, field)
        setattr(part, field, Decimal(0) if value is None else parse_cost(value, field))
    same = select(Part.id).where(Part.sku == part.sku)
    if part.id is not None:
        same = same.where(Part.id != part.id)
    with session.no_autoflush:
        taken = session.scalar(same)
    if taken is not None:
        raise InventoryError(
            gettext("sku: %(sku)s is already used by another part", sku=part.sku), "sku", 409
        )
    return part


# The permission that lets a user keep a van's stock. Inventory's Van Keeper role holds it,
# and so does every role that includes the ``inventory.van_keeping`` set (maintenance's
# Technician): inventory names no role of another plugin.
VAN_KEEPING = ("can_keep_van", "inventory_warehouse")


def keeps_vans(user: Any) -> bool:
    """Whether one of ``user``'s roles grants :data:`VAN_KEEPING`."""
    return any(
        (grant.permission.name, grant.view_menu.name) == VAN_KEEPING
        for role in user.roles
        for grant in role.permissions
    )


def prepare_warehouse(session: Session, warehouse: Warehouse) -> Warehouse:
    """Check a new or edited warehouse (nothing is flushed): code and name required, a
    known kind, and the technician of a van must hold a role that keeps vans
    (:func:`keeps_vans`)."""
    warehouse.code = clean_text(warehouse.code, "code", required=True, length=20)
    warehouse.name = clean_text(warehouse.name, "name", required=True, length=200)
    warehouse.kind = warehouse.kind or CENTRAL
    if warehouse.kind not in WAREHOUSE_KINDS:
        raise InventoryError(
            gettext("kind: must be one of %(values)s", values=", ".join(WAREHOUSE_KINDS)),
            "kind",
        )
    with session.no_autoflush:
        technician = warehouse.technician
        if technician is None and warehouse.technician_id is not None:
            technician = session.get(User, warehouse.technician_id)
        if warehouse.kind == VAN and technician is not None and not keeps_vans(technician):
            raise InventoryError(
                gettext(
                    "technician: %(user)s holds no role that may keep a van's stock; give "
                    "them one (Van Keeper, or a role that includes it) first",
                    user=technician.username,
                ),
                "technician",
            )
    return warehouse


def create_part(session: Session, **values: Any) -> Part:
    """Create a part after :func:`prepare_part`; returns it flushed."""
    part = Part(**values)
    prepare_part(session, part)
    session.add(part)
    session.flush()
    return part
