"""Screens of parts_compatibility, one module per topic; the classes plugin.py registers."""

from plugins.parts_compatibility.views.compatibility import (
    CompatibleProductView,
    PartProductsView,
    ProductPartsView,
)

__all__ = ["CompatibleProductView", "PartProductsView", "ProductPartsView"]
