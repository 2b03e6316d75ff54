"""The new lists (purchase orders, supplier prices, reorder rules and suggestions,
stocktakes) cost the same number of queries for 2 or 12 rows."""

import pytest

from core.testing import count_statements, create_user
from plugins.inventory import services
from plugins.inventory.models import Location, Warehouse
from plugins.inventory.services import purchasing, reorder, suppliers
from plugins.inventory.services import stocktake as counts

pytestmark = pytest.mark.plugins("inventory")

URLS = [
    "/inventory/purchase-orders/list/",
    "/inventory/supplier-prices/list/",
    "/inventory/reorder-rules/list/",
    "/inventory/reorder/",
    "/inventory/stocktakes/list/",
    "/api/v1/inventory_purchase_order/",
    "/api/v1/inventory_reorder_rule/",
    "/api/v1/inventory_reorder/suggestions",
    "/api/v1/inventory_stocktake/",
]


@pytest.mark.parametrize("url", URLS)
def test_new_lists_cost_the_same_queries_for_2_or_12_rows(client, app, session, url):
    from core.extensions import db

    user = create_user(app, ["Inventory Manager"])
    client.post("/login/", data={"username": user.username, "password": "s3cret-pass"})
    token = client.post(
        "/api/v1/security/login",
        json={"username": user.username, "password": "s3cret-pass", "provider": "db"},
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    made = {"n": 0}

    def add_rows(count):
        # Every row gets its own supplier, part, warehouse and location.
        for _ in range(count):
            made["n"] += 1
            tag = str(made["n"])
            shelf = Location(warehouse=Warehouse(code=f"W{tag}", name="Store"), code=f"S{tag}")
            session.add(shelf)
            session.flush()
            supplier = suppliers.create_supplier(session, name=f"Supplier {tag}")
            part = services.create_part(
                session, sku=f"P-{tag}", name="Part", preferred_supplier_id=supplier.id
            )
            services.receive(session, part.id, shelf.id, 2, "1.00")
            suppliers.set_supplier_price(session, supplier.id, part.id, "1.00")
            reorder.create_rule(
                session, part_id=part.id, location_id=shelf.id, min_quantity=5, max_quantity=9
            )
            purchasing.create_order(
                session,
                supplier.id,
                lines=[{"part_id": part.id, "quantity": 1, "location_id": shelf.id}],
            )
            counts.create_stocktake(session, shelf.id)
        session.commit()
        session.expire_all()

    def fetch():
        answer = client.get(url, headers=headers if url.startswith("/api") else None)
        assert answer.status_code == 200, answer.text

    add_rows(2)
    few = min(count_statements(db.engine, fetch) for _ in range(2))
    add_rows(10)
    many = min(count_statements(db.engine, fetch) for _ in range(2))
    assert many == few
