"""Rules of inventory: one module per topic, the public names re-exported here
(``services.receive(...)`` and ``from plugins.inventory.services import X``). Other plugins
may call these.

From the bottom up: ``errors``, ``common`` (input checks, part and location lookups, the
quarantine checks), ``ledger`` (quants, posting a move, moving-average cost), ``moves`` (the
stock actions), ``reservations``, ``stock`` (valuation and ledger checks), ``parts``,
``demand``; then ``warranty``, ``suppliers``, ``purchasing``, ``reorder``, ``stocktake``,
``stocktake_import``, ``evaluation`` and ``evaluation_report`` (imported by name:
``from plugins.inventory.services import purchasing``).
"""

from plugins.inventory.hookspecs import ExpectedDemand
from plugins.inventory.services.common import (
    MAX_QUANTITY,
    fmt_quantity,
    parse_flag,
    parse_quantity,
    require_normal,
    require_quarantine,
)
from plugins.inventory.services.demand import daily_usage, expected_demand
from plugins.inventory.services.errors import InsufficientStockError, InventoryError
from plugins.inventory.services.ledger import StockLevel, stock_level
from plugins.inventory.services.moves import (
    adjust,
    issue,
    receive,
    return_from_work_order,
    reverse_move,
    scrap,
    transfer,
)
from plugins.inventory.services.parts import (
    VAN_KEEPING,
    create_part,
    prepare_part,
    prepare_warehouse,
)
from plugins.inventory.services.reservations import release, release_reference, reserve
from plugins.inventory.services.stock import (
    LedgerMismatch,
    StockValue,
    count_parts_without_stock,
    on_hand_by_part,
    stock_value,
    verify_ledger,
)

__all__ = [
    "MAX_QUANTITY",
    "VAN_KEEPING",
    "ExpectedDemand",
    "InsufficientStockError",
    "InventoryError",
    "LedgerMismatch",
    "StockLevel",
    "StockValue",
    "adjust",
    "count_parts_without_stock",
    "create_part",
    "daily_usage",
    "expected_demand",
    "fmt_quantity",
    "issue",
    "on_hand_by_part",
    "parse_flag",
    "parse_quantity",
    "prepare_part",
    "prepare_warehouse",
    "receive",
    "release",
    "release_reference",
    "require_normal",
    "require_quarantine",
    "reserve",
    "return_from_work_order",
    "reverse_move",
    "scrap",
    "stock_level",
    "stock_value",
    "transfer",
    "verify_ledger",
]
