"""Inventory: spare parts, warehouses and locations, stock kept as a ledger of moves.

Only the manifest lives here, so that listing plugins stays cheap (no Flask, no database).
"""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="inventory",
    version="0.1.0",
    label="Inventory",
    summary="Spare parts, warehouses and vans, stock moves, reservations and stock value",
    requires_core=">=0.1",
)
