"""Maintenance speaks Simplified and Traditional Chinese: screens and refusals."""

from core.extensions import db
from core.testing import create_user
from plugins.maintenance.tests.world import ON_WORLD_DAY, build_world, open_order, sh

pytestmark = ON_WORLD_DAY


def test_work_order_screen_and_refusal_in_simplified_and_traditional_chinese(make_app):
    app = make_app(plugins=["maintenance"])
    with app.app_context():
        world = build_world(app, db.session)
        create_user(app, ["Dispatcher"], username="dispatcher")
        order = open_order(db.session, world.unit, sh(2026, 11, 23, 9, 0))
        db.session.commit()
        pk = order.id
    client = app.test_client()
    client.post("/login/", data={"username": "dispatcher", "password": "s3cret-pass"})
    page = client.get(f"/maintenance/work-orders/show/{pk}?_l_=zh").text
    assert "保障与服务级别" in page and "响应时限" in page
    page = client.get(f"/maintenance/work-orders/show/{pk}?_l_=zh_TW").text
    assert "保障與服務級別" in page and "響應時限" in page
    token = client.post(
        "/api/v1/security/login",
        json={"username": "dispatcher", "password": "s3cret-pass", "provider": "db"},
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post(f"/api/v1/work_order/{pk}/close?_l_=zh", json={}, headers=headers)
    assert refused.status_code == 409 and "状态：不能对" in refused.json["message"]
    refused = client.post(f"/api/v1/work_order/{pk}/cancel?_l_=zh_TW", json={}, headers=headers)
    assert refused.json["message"] == "原因：取消工單必須填寫原因"
