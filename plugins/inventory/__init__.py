"""Inventory: spare parts, warehouses and locations, stock kept as a ledger of moves.

Only the manifest lives here, so that listing plugins stays cheap (no Flask, no database).
"""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="inventory",
    version="0.2.0",
    label="Inventory",
    summary="Spare parts, stores and vans, stock ledger, purchasing, reordering and stocktakes",
    requires_core=">=0.1",
)
