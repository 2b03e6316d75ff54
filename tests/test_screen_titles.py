"""core.screen_titles: a screen that sets no titles is titled from its menu label, in the
user's language, instead of Flask-AppBuilder's English "Show Customer"."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.testing import create_user


@pytest.fixture
def contracts_app(make_app):
    """Contracts, one customer and an admin; no app context kept open (one ``g`` per
    request, so that each request has its own language)."""
    from plugins.contracts import services as contracts

    app = make_app(plugins=["contracts"])
    with app.app_context():
        create_user(app, ["Admin"], "root")
        customer = contracts.create_customer(db.session, kind="person", name="王芳")
        db.session.commit()
        app.config["TEST_CUSTOMER_ID"] = customer.id
    return app


@pytest.mark.parametrize(
    ("language", "list_title", "details", "new"),
    [
        ("en", "Customers", "Customers — Details", "Customers — New"),
        ("zh", "客户", "客户 — 详情", "客户 — 新建"),
        ("zh_TW", "客戶", "客戶 — 詳細資料", "客戶 — 新增"),
    ],
)
def test_pages_are_titled_from_the_menu_label_in_the_users_language(
    contracts_app, language, list_title, details, new
):
    client = contracts_app.test_client()
    client.post("/login/", data={"username": "root", "password": "s3cret-pass"})
    pk = contracts_app.config["TEST_CUSTOMER_ID"]
    shown = client.get(f"/contracts/customers/show/{pk}?_l_={language}").text
    assert details in shown
    assert "Show Customer" not in shown
    assert new in client.get(f"/contracts/customers/add?_l_={language}").text
    listed = client.get(f"/contracts/customers/list/?_l_={language}").text
    assert list_title in listed and "List Customer" not in listed  # the screen's own title
