"""What the inventory endpoints share: the route sets and the JSON form of a value."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

READ_ONLY = {"get", "get_list", "info"}
NO_DELETE = {"get", "get_list", "info", "post", "put"}


def json_value(value: Any) -> Any:
    """A value as JSON answers it: a ``Decimal`` (quantity, amount) as a string."""
    return str(value) if isinstance(value, Decimal) else value
