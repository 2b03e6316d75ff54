"""core.saved_messages: a screen's success message names the record it saved or deleted."""

from __future__ import annotations

import pytest

from core.testing import create_user


@pytest.fixture
def contracts_app(make_app):
    """Contracts and an admin; no app context kept open (one language per request)."""
    app = make_app(plugins=["contracts"])
    with app.app_context():
        create_user(app, ["Admin"], "root")
    return app


@pytest.mark.parametrize(
    ("language", "added", "saved", "deleted"),
    [
        ("en", "“王芳” added.", "“王芳 (VIP)” saved.", "“王芳 (VIP)” deleted."),
        ("zh", "已新建“王芳”。", "已保存“王芳 (VIP)”。", "已删除“王芳 (VIP)”。"),
        ("zh_TW", "已新增「王芳」。", "已儲存「王芳 (VIP)」。", "已刪除「王芳 (VIP)」。"),
    ],
)
def test_adding_saving_and_deleting_a_customer_names_it(
    contracts_app, language, added, saved, deleted
):
    client = contracts_app.test_client()
    client.post("/login/", data={"username": "root", "password": "s3cret-pass"})
    base = "/contracts/customers"
    form = {"name": "王芳", "kind": "person"}
    page = client.post(f"{base}/add?_l_={language}", data=form, follow_redirects=True)
    assert added in page.text, page.text[-3000:]
    assert "Added Row" not in page.text
    with contracts_app.app_context():
        from core.extensions import db
        from plugins.contracts.models import Customer

        pk = db.session.query(Customer.id).filter_by(name="王芳").scalar()
    form["name"] = "王芳 (VIP)"
    page = client.post(f"{base}/edit/{pk}?_l_={language}", data=form, follow_redirects=True)
    assert saved in page.text
    page = client.post(f"{base}/delete/{pk}?_l_={language}", follow_redirects=True)
    assert deleted in page.text
