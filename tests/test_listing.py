"""List screens load the relations they show with their rows (core.listing)."""

from __future__ import annotations

import pytest

from core.listing import relation_loads
from core.testing import recorded_statements
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


@pytest.mark.plugins("inventory")
@pytest.mark.parametrize("where", ["screen", "api"])
def test_lists_count_the_filtered_rows_without_the_loading_joins(
    client, app, session, login_as, api_headers, where
):
    """The total of a list is what its filters let through, counted over the moves table
    alone: no joins to the locations and parts the list shows, no ordering."""
    from core.extensions import db
    from plugins.inventory import services
    from plugins.inventory.models import Location, Warehouse

    shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
    session.add(shelf)
    session.flush()
    fuser = services.create_part(session, sku="FUS-1", name="Fuser")
    belt = services.create_part(session, sku="BLT-1", name="Belt")
    for _ in range(3):
        services.receive(session, fuser.id, shelf.id, 1, "2.00")
    services.receive(session, belt.id, shelf.id, 1, "2.00")
    session.commit()
    with recorded_statements(db.engine) as seen:
        if where == "screen":
            login_as("Storekeeper")
            page = client.get(f"/inventory/moves/list/?_flt_0_part={fuser.id}")
            assert page.status_code == 200
            shown = page.text.count("FUS-1")
        else:
            rison = f"(filters:!((col:part,opr:rel_o_m,value:{fuser.id})))"
            answer = client.get(
                f"/api/v1/inventory_move/?q={rison}", headers=api_headers("Storekeeper")
            )
            assert answer.status_code == 200, answer.text
            assert answer.json["count"] == 3 and len(answer.json["result"]) == 3
    counts = [s for s in seen if "count(" in s.lower() and "inventory_move" in s]
    assert len(counts) == 1, counts
    count_sql = counts[0].lower()
    assert "inventory_location" not in count_sql and "order by" not in count_sql
    assert "inventory_part" not in count_sql  # the part filter is on the move's own column
    if where == "screen":
        assert shown >= 3
