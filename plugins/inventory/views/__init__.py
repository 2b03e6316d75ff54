"""Screens of inventory, one module per topic; the classes plugin.py registers."""

from plugins.inventory.views.evaluation import EvaluationView
from plugins.inventory.views.moves import MoveView, StockActionView
from plugins.inventory.views.parts import LocationView, PartView, WarehouseView
from plugins.inventory.views.purchasing import PurchaseOrderView, SupplierPriceView, SupplierView
from plugins.inventory.views.reorder import ReorderRuleView, ReorderSuggestionView
from plugins.inventory.views.reservations import ReservationView
from plugins.inventory.views.stock import StockOnHandView
from plugins.inventory.views.stocktake import StocktakeView
from plugins.inventory.views.warranty import DefectivePartsView

__all__ = [
    "DefectivePartsView",
    "EvaluationView",
    "LocationView",
    "MoveView",
    "PartView",
    "PurchaseOrderView",
    "ReorderRuleView",
    "ReorderSuggestionView",
    "ReservationView",
    "StockActionView",
    "StockOnHandView",
    "StocktakeView",
    "SupplierPriceView",
    "SupplierView",
    "WarehouseView",
]
