"""What the contracts endpoints share: reading decimals and dates from a request."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext

from core.api_input import checked_date
from plugins.contracts.services import ContractError


def decimal_value(value: Any) -> Decimal | None:
    """``value`` of a request body as an exact decimal (``None`` when empty); a non-number
    raises :class:`ContractError` naming ``amount``."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ContractError(
            gettext("amount: %(value)r is not a number", value=value), "amount"
        ) from exc


def date_value(value: Any, field: str = "at") -> datetime.date | None:
    """``value`` (``YYYY-MM-DD``) of a request as a date (``None`` when empty); a non-date or
    one out of range raises :class:`ContractError` naming ``field``."""
    if not value:
        return None
    try:
        found = datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ContractError(
            gettext("date: %(value)r is not a date (YYYY-MM-DD)", value=value), field
        ) from exc
    return checked_date(found, field, ContractError)
