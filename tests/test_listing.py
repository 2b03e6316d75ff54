"""List screens load the relations they show with their rows (core.listing)."""

from __future__ import annotations

from core.listing import relation_loads
from plugins.inventory.models import StockMove


def loaded(columns):
    """The attribute chains the loads follow, e.g. ``"to_location.warehouse"``."""
    return sorted(
        ".".join(str(step).split(".")[1] for step in load.path if "." in str(step))
        for load in relation_loads(StockMove, columns)
    )


def test_dotted_and_plain_relation_columns_are_loaded_once_each():
    columns = ["part.sku", "part", "from_location.label", "quantity"]
    assert loaded(columns) == ["from_location", "part"]


def test_a_chain_is_loaded_through_and_plain_columns_are_skipped():
    assert loaded(["quantity", "reason", "created_on"]) == []
    assert loaded(["to_location.warehouse.code", "to_location.code"]) == ["to_location.warehouse"]
