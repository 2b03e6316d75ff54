"""REST endpoints of inventory, one module per topic; the classes plugin.py registers."""

from plugins.inventory.api.evaluation import EvaluationApi
from plugins.inventory.api.moves import MoveApi, StockActionApi
from plugins.inventory.api.parts import LocationApi, PartApi, WarehouseApi
from plugins.inventory.api.purchasing import PurchaseOrderApi, SupplierApi, SupplierPriceApi
from plugins.inventory.api.reorder import ReorderApi, ReorderRuleApi
from plugins.inventory.api.reservations import ReservationApi
from plugins.inventory.api.stock import QuantApi
from plugins.inventory.api.stocktake import StocktakeApi
from plugins.inventory.api.warranty import VendorReturnApi

APIS = [
    PartApi,
    WarehouseApi,
    LocationApi,
    QuantApi,
    MoveApi,
    ReservationApi,
    VendorReturnApi,
    StockActionApi,
    SupplierApi,
    SupplierPriceApi,
    PurchaseOrderApi,
    ReorderRuleApi,
    ReorderApi,
    EvaluationApi,
    StocktakeApi,
]

__all__ = [
    "APIS",
    "EvaluationApi",
    "LocationApi",
    "MoveApi",
    "PartApi",
    "PurchaseOrderApi",
    "QuantApi",
    "ReorderApi",
    "ReorderRuleApi",
    "ReservationApi",
    "StockActionApi",
    "StocktakeApi",
    "SupplierApi",
    "SupplierPriceApi",
    "VendorReturnApi",
    "WarehouseApi",
]
