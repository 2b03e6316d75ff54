"""The error every inventory rule raises when it refuses."""

from __future__ import annotations

from decimal import Decimal

from core.errors import RuleError


class InventoryError(RuleError):
    """A stock record or action that breaks a rule (see :class:`core.errors.RuleError`)."""


class InsufficientStockError(InventoryError):
    """More was asked of a location than is available there (409)."""

    def __init__(
        self,
        message: str,
        *,
        part_sku: str,
        location: str,
        available: Decimal,
        requested: Decimal,
    ) -> None:
        super().__init__(message, "quantity", status=409)
        self.part_sku = part_sku
        self.location = location
        self.available = available
        self.requested = requested
