"""Screens of warranty_cards, one module per topic; the classes plugin.py registers."""

from aftersales_warranty_cards.views.cards import WarrantyCardView, WarrantyCheckView

__all__ = ["WarrantyCardView", "WarrantyCheckView"]
