"""Input checks and lookups shared by the inventory rules: quantities, costs, texts, record
ids, parts and locations, and the quarantine checks. Quantities are ``Decimal`` with at most
3 decimals; costs are ``Decimal`` money amounts."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.money import AmountError, parse_amount
from plugins.inventory.models import (
    QUARANTINE,
    Location,
    Part,
)
from plugins.inventory.services.errors import InventoryError

MAX_QUANTITY = Decimal("1000000000")


# --- input ------------------------------------------------------------------------------------


def fmt_quantity(value: Decimal) -> str:
    """A quantity for messages: ``5`` rather than ``5.000``, ``2.5`` rather than ``2.500``."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def parse_quantity(value: Any, field: str = "quantity", *, allow_negative: bool = False) -> Decimal:
    """A quantity from user or API input: a positive number with at most 3 decimals.

    Accepts int, Decimal, numeric strings and (JSON) floats, which are read through their
    shortest text (``2.5`` is exactly 2.5). With ``allow_negative`` any non-zero number
    passes (adjustments). Raises :class:`InventoryError` naming ``field``.
    """
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise InventoryError(gettext("%(field)s: is required", field=field), field)
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise InventoryError(
            gettext("%(field)s: %(value)s is not a number", field=field, value=value), field
        ) from None
    if not number.is_finite():
        raise InventoryError(gettext("%(field)s: must be a finite number", field=field), field)
    if number != number.quantize(Decimal("0.001")):
        raise InventoryError(
            gettext("%(field)s: at most 3 decimal places are allowed", field=field), field
        )
    if number == 0 or (number < 0 and not allow_negative):
        rule = gettext("must not be zero") if allow_negative else gettext("must be more than zero")
        raise InventoryError(f"{field}: {rule}", field)
    if abs(number) >= MAX_QUANTITY:
        raise InventoryError(gettext("%(field)s: is too large", field=field), field)
    return number.quantize(Decimal("0.001"))


def parse_cost(value: Any, field: str) -> Decimal:
    """A cost or price: a money amount (not negative), else :class:`InventoryError` on ``field``."""
    try:
        return parse_amount(value if not isinstance(value, float) else repr(value), field)
    except AmountError as exc:
        raise InventoryError(str(exc), field) from None


def clean_text(value: Any, field: str, required: bool, length: int = 100) -> str | None:
    """A stripped text of at most ``length`` characters; ``None`` when empty, unless required."""
    text = (str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise InventoryError(gettext("%(field)s: is required", field=field), field)
        return None
    if len(text) > length:
        raise InventoryError(
            gettext("%(field)s: at most %(max)d characters", field=field, max=length), field
        )
    return text


def get_part(session: Session, part_id: Any, *, lock: bool = False) -> Part:
    """The part ``part_id`` (404 when it does not exist); ``lock`` locks and re-reads its row."""
    query = select(Part).where(Part.id == record_id(part_id, "part_id"))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    part = session.execute(query).scalar_one_or_none()
    if part is None:
        raise InventoryError(
            gettext("part_id: part %(id)s does not exist", id=part_id), "part_id", 404
        )
    return part


def get_location(session: Session, location_id: Any, field: str = "location_id") -> Location:
    """The location ``location_id`` (404 on ``field`` when it does not exist)."""
    location = session.get(Location, record_id(location_id, field))
    if location is None:
        raise InventoryError(
            gettext("%(field)s: location %(id)s does not exist", field=field, id=location_id),
            field,
            404,
        )
    return location


def record_id(value: Any, field: str) -> int:
    """``value`` as a record id (an integer, not a bool), else an error on ``field``."""
    if isinstance(value, bool):
        raise InventoryError(gettext("%(field)s: must be a record id", field=field), field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InventoryError(
            gettext("%(field)s: must be a record id", field=field), field
        ) from None


def refuse_quarantine(location: Location, field: str = "location_id") -> None:
    """Refuse a quarantine location where parts are issued or reserved."""
    if location.kind == QUARANTINE:
        raise InventoryError(
            gettext(
                "%(field)s: %(location)s is a quarantine location; its parts cannot be issued "
                "or reserved (transfer or scrap them)",
                field=field,
                location=str(location),
            ),
            field,
        )


def require_quarantine(session: Session, location: Location, field: str = "location_id") -> None:
    """Refuse a normal location where defective parts must go: the message names the
    quarantine locations of the same warehouse (or says it has none)."""
    if location.kind == QUARANTINE:
        return
    choices = session.scalars(
        select(Location.label)
        .where(Location.warehouse_id == location.warehouse_id, Location.kind == QUARANTINE)
        .order_by(Location.label)
    ).all()
    if choices:
        message = gettext(
            "%(field)s: %(location)s is not a quarantine location; defective parts go to "
            "quarantine (%(choices)s)",
            field=field,
            location=str(location),
            choices=", ".join(choices),
        )
    else:
        message = gettext(
            "%(field)s: %(location)s is not a quarantine location and its warehouse has "
            "none; defective parts go to quarantine",
            field=field,
            location=str(location),
        )
    raise InventoryError(message, field)


def require_normal(location: Location, field: str = "location_id") -> None:
    """Refuse a quarantine location where usable parts must go."""
    if location.kind == QUARANTINE:
        raise InventoryError(
            gettext(
                "%(field)s: %(location)s is a quarantine location; usable parts go to a "
                "normal location",
                field=field,
                location=str(location),
            ),
            field,
        )


def parse_flag(value: Any, field: str) -> bool:
    """A yes/no input: a bool, or ``true/false``, ``1/0``, ``yes/no``, ``on/off``, empty."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise InventoryError(gettext("%(field)s: must be true or false", field=field), field)


def parse_figure(value: Any, field_name: str) -> Decimal:
    """A quantity that may be zero or empty (0), such as the figures of a reorder rule."""
    if value is None or value == "":
        return Decimal("0.000")
    if isinstance(value, Decimal) and value == 0:
        return Decimal("0.000")
    try:
        if Decimal(str(value).strip()) == 0:
            return Decimal("0.000")
    except InvalidOperation:
        pass
    return parse_quantity(value, field_name)


def parse_date(value: Any, field: str) -> datetime.date | None:
    """A date (or ``YYYY-MM-DD`` text); ``None`` when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InventoryError(
            gettext("%(field)s: %(value)s is not a date (YYYY-MM-DD)", field=field, value=value),
            field,
        ) from None
