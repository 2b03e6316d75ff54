"""Warranty cards: the manufacturer's warranty card of each sold unit, and its expiry.

Only the manifest lives here, so that listing plugins stays cheap (no Flask, no database).
"""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="warranty_cards",
    version="1.0.0",
    label="Warranty Cards",
    summary="Manufacturer warranty cards: card and serial numbers, expiry, coverage check",
    requires_core=">=0.1",
)
