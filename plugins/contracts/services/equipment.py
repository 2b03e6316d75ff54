"""Products and the customers' units (equipment): checks, creation and the placing of a unit
at one of its customer's site addresses.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.records import add_prepared, is_taken
from plugins.contracts.models import (
    EQUIPMENT_STATUSES,
    SITE,
    CustomerAddress,
    Equipment,
    Product,
)
from plugins.contracts.services.common import checked_option, required_text, strip_fields
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.parties import default_address


def prepare_product(session: Session, product: Product) -> Product:
    """Check a product: type, model and manufacturer required; model unique per maker."""
    required_text(product, "product_type", gettext("type"))
    required_text(product, "model", gettext("model"))
    required_text(product, "manufacturer", gettext("manufacturer"))
    strip_fields(product, "specification")
    query = select(Product.id).where(
        Product.manufacturer == product.manufacturer, Product.model == product.model
    )
    if is_taken(session, query, product, Product):
        raise ContractError(
            gettext(
                "model: %(maker)s %(model)s already exists",
                maker=product.manufacturer,
                model=product.model,
            ),
            "model",
            409,
        )
    return product


def create_product(session: Session, **values: Any) -> Product:
    """Create a product; returns it flushed."""
    return add_prepared(session, Product(**values), prepare_product)


def prepare_equipment(session: Session, equipment: Equipment) -> Equipment:
    """Check a unit: product, customer and serial number required; the serial number is
    unique per product (409); warranty end not before installation; status known."""
    product_id = equipment.product_id or (equipment.product.id if equipment.product else None)
    if product_id is None:
        raise ContractError(gettext("product: is required"), "product")
    if equipment.customer_id is None and equipment.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    required_text(equipment, "serial_number", gettext("serial number"))
    strip_fields(equipment, "site_address")
    _place_equipment(session, equipment)
    equipment.status = equipment.status or "in_service"
    checked_option(equipment, "status", gettext("status"), EQUIPMENT_STATUSES)
    if (
        equipment.installed_on
        and equipment.warranty_end
        and equipment.warranty_end < equipment.installed_on
    ):
        raise ContractError(
            gettext("warranty end: must not be before the installation date"), "warranty_end"
        )
    query = select(Equipment.id).where(
        Equipment.product_id == product_id, Equipment.serial_number == equipment.serial_number
    )
    if is_taken(session, query, equipment, Equipment):
        raise ContractError(
            gettext(
                "serial number: %(serial)s is already registered for this product",
                serial=equipment.serial_number,
            ),
            "serial_number",
            409,
        )
    return equipment


def _place_equipment(session: Session, equipment: Equipment) -> None:
    """A unit's site address is one of its customer's site addresses: the one chosen, the
    one whose text was given, or else the customer's default site address. A text matching
    none of them is kept as typed (older records, imports)."""
    customer_id = equipment.customer_id or equipment.customer.id
    with session.no_autoflush:
        site = equipment.site or (
            session.get(CustomerAddress, equipment.site_address_id)
            if equipment.site_address_id
            else None
        )
        if site is not None:
            if site.kind != SITE or site.customer_id != customer_id:
                raise ContractError(
                    gettext(
                        "site address: %(address)s is not a site address of the unit's customer",
                        address=site.address,
                    ),
                    "site",
                )
        elif equipment.site_address:
            site = session.scalar(
                select(CustomerAddress)
                .where(
                    CustomerAddress.customer_id == customer_id,
                    CustomerAddress.kind == SITE,
                    CustomerAddress.address == equipment.site_address,
                )
                .limit(1)
            )
        elif customer_id is not None:
            site = default_address(session, customer_id, SITE)
    if site is not None:
        equipment.site = site
        equipment.site_address = site.address


def create_equipment(session: Session, **values: Any) -> Equipment:
    """Register a unit; returns it flushed."""
    return add_prepared(session, Equipment(**values), prepare_equipment)
