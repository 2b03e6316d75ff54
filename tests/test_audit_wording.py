"""core.audit.wording: a record's history page speaks the words of the record's screen."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.testing import create_user


@pytest.fixture
def history(make_app):
    """A unit moved from one customer to another and taken out of service, and the URL of
    its history; no app context kept open (each request has its own language)."""
    from plugins.contracts import services as contracts
    from plugins.contracts.models import OUT_OF_SERVICE

    app = make_app(plugins=["contracts"])
    with app.app_context():
        create_user(app, ["Admin"], "root")
        first = contracts.create_customer(db.session, kind="person", name="王芳")
        second = contracts.create_customer(db.session, kind="person", name="李雷")
        product = contracts.create_product(
            db.session, manufacturer="GE", model="CT-100", product_type="CT scanner"
        )
        unit = contracts.create_equipment(
            db.session, serial_number="SN-1", customer_id=first.id, product_id=product.id
        )
        db.session.commit()
        unit.customer_id, unit.status = second.id, OUT_OF_SERVICE
        db.session.commit()
        url = f"/auditlog/record/contracts_equipment/{unit.id}"
    client = app.test_client()
    client.post("/login/", data={"username": "root", "password": "s3cret-pass"})
    return client, url


@pytest.mark.parametrize(
    ("language", "customer", "status", "changed"),
    [("en", "Customer", "Out of service", "Changed"), ("zh", "客户", "停用", "修改")],
)
def test_the_history_names_fields_records_and_states_as_the_screen_does(
    history, language, customer, status, changed
):
    client, url = history
    page = client.get(f"{url}?_l_={language}").text
    changes = page[page.index('data-action="update"') :]
    assert f"<th>{customer}</th>" in changes  # the screen's label, not customer_id
    assert "王芳" in changes and "李雷" in changes  # the customers by name, not 1 and 2
    assert status in changes  # the screen's word for the status, not out_of_service
    assert f"<td>{changed}</td>" in changes
    assert "customer_id" not in page and "out_of_service" not in page
    assert "SN-1" in page.split("</h2>")[0]  # the title names the unit
    created = page[page.index('data-action="create"') :]
    assert "<th>ID</th>" not in created and "SN-1" in created  # no primary key, no empties
