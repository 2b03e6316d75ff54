"""Domain events inventory publishes; other plugins (maintenance, billing) react with
``aftersales_on_event`` or ``aftersales_after_commit`` without importing anything else.

Every stock event carries the move's id, the part, the quantity, the locations, the
reference (a work order number, say), the unit cost (moving average at the time) and, for
issues, the part's sale price, so that billing can charge issued parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from core.events import Event


@dataclass(frozen=True)
class StockMoved(Event):
    """Base of the stock move events (not published itself)."""

    name: ClassVar[str] = "inventory.stock.moved"
    move_id: int
    part_id: int
    quantity: Decimal
    from_location_id: int | None
    to_location_id: int | None
    reference: str | None
    unit_cost: Decimal
    sale_price: Decimal | None = None


@dataclass(frozen=True)
class StockReceived(StockMoved):
    """Parts came into a location (a purchase receipt)."""

    name: ClassVar[str] = "inventory.stock.received"


@dataclass(frozen=True)
class StockIssued(StockMoved):
    """Parts left stock for a reference (a work order); carries cost and sale price."""

    name: ClassVar[str] = "inventory.stock.issued"


@dataclass(frozen=True)
class StockReturned(StockMoved):
    """Parts came back from a reference (a work order), possibly to quarantine."""

    name: ClassVar[str] = "inventory.stock.returned"


@dataclass(frozen=True)
class StockTransferred(StockMoved):
    """Parts moved between two locations."""

    name: ClassVar[str] = "inventory.stock.transferred"


@dataclass(frozen=True)
class StockAdjusted(StockMoved):
    """A counted difference was booked (in or out)."""

    name: ClassVar[str] = "inventory.stock.adjusted"


@dataclass(frozen=True)
class StockScrapped(StockMoved):
    """Parts were scrapped."""

    name: ClassVar[str] = "inventory.stock.scrapped"


@dataclass(frozen=True)
class StockMoveReversed(StockMoved):
    """A move was corrected by a reversing move; ``reversed_move_id`` is the original."""

    name: ClassVar[str] = "inventory.stock.reversed"
    reversed_move_id: int = 0


@dataclass(frozen=True)
class StockReserved(Event):
    """Stock was held for a reference."""

    name: ClassVar[str] = "inventory.stock.reserved"
    reservation_id: int
    part_id: int
    location_id: int
    quantity: Decimal
    reference: str


@dataclass(frozen=True)
class StockReleased(Event):
    """A reservation was released (the hold is given back to available stock)."""

    name: ClassVar[str] = "inventory.stock.released"
    reservation_id: int
    part_id: int
    location_id: int
    quantity: Decimal
    reference: str


@dataclass(frozen=True)
class StockSentToVendor(StockMoved):
    """Defective parts left quarantine for their supplier under warranty (at average cost)."""

    name: ClassVar[str] = "inventory.stock.sent_to_vendor"
    vendor_return_id: int = 0
    supplier_id: int | None = None
    rma: str | None = None


@dataclass(frozen=True)
class StockReceivedFromVendor(StockMoved):
    """Repaired or replaced parts came back from the supplier (at the cost they left with)."""

    name: ClassVar[str] = "inventory.stock.received_from_vendor"
    vendor_return_id: int = 0
    supplier_id: int | None = None
    rma: str | None = None


@dataclass(frozen=True)
class VendorReturnWrittenOff(Event):
    """Part of a vendor return will not come back (no credit, no replacement)."""

    name: ClassVar[str] = "inventory.vendor_return.written_off"
    vendor_return_id: int
    part_id: int
    supplier_id: int
    quantity: Decimal
    unit_cost: Decimal
    note: str
