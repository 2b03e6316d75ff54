"""Inventory speaks Simplified and Traditional Chinese: screens and refusals."""

from decimal import Decimal

from core.extensions import db
from core.testing import create_user
from plugins.inventory import services
from plugins.inventory.models import Location, Part, Warehouse


def test_stock_screen_and_refusal_in_simplified_and_traditional_chinese(make_app):
    app = make_app(plugins=["inventory"])
    with app.app_context():
        create_user(app, ["Storekeeper"], username="keeper")
        shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
        part = Part(sku="FLT-10", name="Air filter", sale_price=Decimal("1.00"))
        db.session.add_all([shelf, part])
        db.session.flush()
        ids = {"part_id": part.id, "location_id": shelf.id}
        services.receive(db.session, part.id, shelf.id, 1, "1.00")
        db.session.commit()
    client = app.test_client()
    client.post("/login/", data={"username": "keeper", "password": "s3cret-pass"})
    assert "现有库存" in client.get("/inventory/stock/list/?_l_=zh").text
    assert "現有庫存" in client.get("/inventory/stock/list/?_l_=zh_TW").text
    token = client.post(
        "/api/v1/security/login",
        json={"username": "keeper", "password": "s3cret-pass", "provider": "db"},
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {**ids, "quantity": 2, "reference": "WO-1"}
    refused = client.post("/api/v1/inventory_stock/issue?_l_=zh", json=body, headers=headers)
    assert refused.status_code == 409, refused.text
    assert "仅有 1 可用" in refused.json["message"]
    refused = client.post("/api/v1/inventory_stock/issue?_l_=zh_TW", json=body, headers=headers)
    assert "僅有 1 可用" in refused.json["message"]


def test_purchasing_and_stocktake_screens_in_chinese(make_app):
    app = make_app(plugins=["inventory"])
    with app.app_context():
        create_user(app, ["Inventory Manager"], username="manager")
    client = app.test_client()
    client.post("/login/", data={"username": "manager", "password": "s3cret-pass"})
    assert "采购订单" in client.get("/inventory/purchase-orders/list/?_l_=zh").text
    assert "採購訂單" in client.get("/inventory/purchase-orders/list/?_l_=zh_TW").text
    assert "补货建议" in client.get("/inventory/reorder/?_l_=zh").text
    assert "盤點" in client.get("/inventory/stocktakes/list/?_l_=zh_TW").text
    assert "库存评估" in client.get("/inventory/evaluation/?_l_=zh").text
