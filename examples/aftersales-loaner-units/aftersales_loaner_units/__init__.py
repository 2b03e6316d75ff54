"""Loaner units: an AfterSales plugin (the plugin guide's worked example)."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="loaner_units",
    version="1.0.0",
    label="Loaner Units",
    summary="Units lent to customers while theirs are repaired",
    depends=["contracts>=0.1"],
)
