"""REST endpoints of warranty_cards, one module per topic; the classes plugin.py registers."""

from aftersales_warranty_cards.api.cards import WarrantyCardApi

APIS = [WarrantyCardApi]

__all__ = ["APIS", "WarrantyCardApi"]
