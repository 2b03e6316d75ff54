"""Rules of parts_compatibility: linking parts to the products they fit, and reading which
parts fit a unit with what is in stock for them.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Refusals raise :class:`CompatibilityError`, whose message names the field
and the rule, and whose ``status`` is the HTTP status an API answers (404 unknown record,
409 duplicate link, 422 invalid input).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import RuleError
from plugins.contracts.models import Equipment, Product
from plugins.inventory.models import QUARANTINE, Location, Part, StockQuant, Warehouse
from plugins.inventory.services import StockLevel
from plugins.parts_compatibility.models import PartProduct

NOTE_LENGTH = 200
FORM_FIELDS = ("part", "product")  # the relation inputs of the screens and the API
ID_FIELDS = ("part_id", "product_id")  # the id arguments of the service functions


class CompatibilityError(RuleError):
    """A part-product link that breaks a rule (see :class:`core.errors.RuleError`)."""


@dataclass(frozen=True)
class LocationStock(StockLevel):
    """What one location holds of a part (available = on hand - reserved)."""

    location_id: int
    location: str
    warehouse: str


@dataclass(frozen=True)
class FittingPart:
    """A part that fits a unit, with its stock at every usable (non-quarantine) location."""

    part: Part
    note: str
    locations: list[LocationStock] = field(default_factory=list)

    @property
    def available(self) -> Decimal:
        """Available over every usable location."""
        return sum((stock.available for stock in self.locations), Decimal("0.000"))


# --- input ------------------------------------------------------------------------------------


def _id(value: Any, field_name: str) -> int:
    if isinstance(value, bool):
        value = None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CompatibilityError(
            gettext("%(field)s: give the id of a record", field=field_name), field_name
        ) from None


def find_part(session: Session, part_id: Any, field_name: str = "part_id") -> Part:
    """The part with this id; an unknown id is refused (404) naming ``field_name``."""
    part = session.get(Part, _id(part_id, field_name))
    if part is None:
        raise CompatibilityError(
            gettext("%(field)s: no part with id %(id)s", field=field_name, id=part_id),
            field_name,
            404,
        )
    return part


def find_product(session: Session, product_id: Any, field_name: str = "product_id") -> Product:
    """The product with this id; an unknown id is refused (404) naming ``field_name``."""
    product = session.get(Product, _id(product_id, field_name))
    if product is None:
        raise CompatibilityError(
            gettext("%(field)s: no product with id %(id)s", field=field_name, id=product_id),
            field_name,
            404,
        )
    return product


def _note(value: Any) -> str:
    note = (str(value) if value is not None else "").strip()
    if len(note) > NOTE_LENGTH:
        raise CompatibilityError(
            gettext("note: at most %(max)d characters", max=NOTE_LENGTH), "note"
        )
    return note


# --- links ------------------------------------------------------------------------------------


def prepare_link(
    session: Session, link: PartProduct, fields: tuple[str, str] = FORM_FIELDS
) -> PartProduct:
    """Check a link before it is saved: the part and the product exist, the note is short
    and the pair is not linked yet (409). ``fields`` names the part and product inputs in
    refusals (``part``/``product`` on screens and in the API)."""
    part_field, product_field = fields
    # A changed link must not be flushed before it is checked (the unique pair would fail).
    with session.no_autoflush:
        part = find_part(session, _given(link.part_id, link.part), part_field)
        product = find_product(session, _given(link.product_id, link.product), product_field)
        link.part, link.product = part, product
        link.note = _note(link.note)
        taken = session.scalar(
            select(PartProduct.id).where(
                PartProduct.part_id == part.id,
                PartProduct.product_id == product.id,
                PartProduct.id != (link.id or 0),
            )
        )
    if taken is not None:
        raise CompatibilityError(
            gettext(
                "%(field)s: %(sku)s is already linked to %(product)s",
                field=product_field,
                sku=part.sku,
                product=str(product),
            ),
            product_field,
            409,
        )
    return link


def _given(record_id: int | None, record: Any) -> Any:
    """The id set on a link, or the id of the record set on its relation (forms set that)."""
    if record is not None and getattr(record, "id", None) is not None:
        return record.id
    return record_id


def link_part(session: Session, part_id: Any, product_id: Any, note: Any = "") -> PartProduct:
    """Record that a part fits a product; returns the link, flushed."""
    link = PartProduct(part_id=part_id, product_id=product_id, note=note)
    prepare_link(session, link, ID_FIELDS)
    session.add(link)
    session.flush()
    return link


def unlink_part(session: Session, part_id: Any, product_id: Any) -> None:
    """Remove the link between a part and a product (404 when they are not linked)."""
    part, product = find_part(session, part_id), find_product(session, product_id)
    link = session.scalar(
        select(PartProduct).where(
            PartProduct.part_id == part.id, PartProduct.product_id == product.id
        )
    )
    if link is None:
        raise CompatibilityError(
            gettext(
                "product_id: %(sku)s is not linked to %(product)s",
                sku=part.sku,
                product=str(product),
            ),
            "product_id",
            404,
        )
    session.delete(link)
    session.flush()


def compatible_products(session: Session, part_id: Any) -> list[Product]:
    """The products a part fits, by manufacturer and model."""
    part = find_part(session, part_id)
    return list(
        session.scalars(
            select(Product)
            .join(PartProduct, PartProduct.product_id == Product.id)
            .where(PartProduct.part_id == part.id)
            .order_by(Product.manufacturer, Product.model)
        )
    )


def compatible_parts(session: Session, product_id: Any) -> list[Part]:
    """The parts that fit a product, by SKU."""
    product = find_product(session, product_id)
    return list(
        session.scalars(
            select(Part)
            .join(PartProduct, PartProduct.part_id == Part.id)
            .where(PartProduct.product_id == product.id)
            .order_by(Part.sku)
        )
    )


def parts_for_equipment(session: Session, equipment_id: Any) -> list[FittingPart]:
    """The active parts that fit a unit (through its product), each with its stock at every
    usable location: quarantine holds defective parts and is left out. Two queries,
    whatever the number of parts."""
    equipment = session.get(Equipment, _id(equipment_id, "equipment_id"))
    if equipment is None:
        raise CompatibilityError(
            gettext("equipment_id: no unit with id %(id)s", id=equipment_id),
            "equipment_id",
            404,
        )
    rows = session.execute(
        select(Part, PartProduct.note)
        .join(PartProduct, PartProduct.part_id == Part.id)
        .where(PartProduct.product_id == equipment.product_id, Part.active.is_(True))
        .order_by(Part.sku)
    ).all()
    stock = _stock_by_part(session, [part.id for part, _note_text in rows])
    return [
        FittingPart(part=part, note=note or "", locations=stock.get(part.id, []))
        for part, note in rows
    ]


def _stock_by_part(session: Session, part_ids: list[int]) -> dict[int, list[LocationStock]]:
    """Stock of these parts at every non-quarantine location that holds some, in one query."""
    if not part_ids:
        return {}
    rows = session.execute(
        select(
            StockQuant.part_id,
            StockQuant.location_id,
            StockQuant.on_hand,
            StockQuant.reserved,
            Location.label,
            Warehouse.name,
        )
        .join(Location, Location.id == StockQuant.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(
            StockQuant.part_id.in_(part_ids),
            Location.kind != QUARANTINE,
            StockQuant.on_hand > 0,
        )
        .order_by(Location.label)
    ).all()
    found: dict[int, list[LocationStock]] = defaultdict(list)
    for row in rows:
        found[row.part_id].append(
            LocationStock(
                on_hand=row.on_hand,
                reserved=row.reserved,
                location_id=row.location_id,
                location=row.label,
                warehouse=row.name,
            )
        )
    return found
