"""core.record_links and core.related_panels: a related record on a list or a record page
links to its page, for users who may read that page, without a query per row; a record page
counts the records that point to it and links to their list."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from core.testing import count_statements, create_user

PACKAGES = ["sample_rows"]
PAGE, FOLDER = "sample_rows_page", "sample_rows_folder"


@pytest.fixture
def rows_app(make_app):
    """sample_rows with a writer (pages and folders) and a page reader (pages only); no app
    context kept open, so that each request has its own user."""
    app = make_app(plugins=["sample_rows"], packages=PACKAGES)
    with app.app_context():
        sm = app.appbuilder.sm
        writer = create_user(app, ["Rows Auditor"], "writer")
        create_user(app, ["Page Reader"], "reader")
        reader_role = sm.find_role("Page Reader")
        for permission, target in (("can_read", PAGE), ("can_audit", FOLDER)):  # sees all rows
            sm.add_permission_role(reader_role, sm.find_permission_view_menu(permission, target))
        add_pages(2, owner=writer)
    return app


def add_pages(count, owner):
    from sample_rows.models import Folder, Page

    folder = Folder(name="Contracts <2026>", owner_id=owner.id)
    db.session.add(folder)
    db.session.add_all(Page(title=f"Page {n}", folder=folder) for n in range(count))
    db.session.commit()
    return folder.id


def logged_in(app, username):
    client = app.test_client()
    answer = client.post("/login/", data={"username": username, "password": "s3cret-pass"})
    assert answer.status_code == 302
    return client


def folder_links(html):
    return re.findall(r'<a href="/rows/folders/show/(\d+)">([^<]*)</a>', html)


def test_a_pages_folder_links_to_the_folders_page_on_the_list_and_the_record(rows_app):
    client = logged_in(rows_app, "writer")
    listed = client.get("/rows/pages/list/").text
    (folder_id, _), _ = folder_links(listed)
    assert folder_links(listed) == [(folder_id, "Contracts &lt;2026&gt;")] * 2  # escaped
    page_id = re.search(r"/rows/pages/show/(\d+)", listed).group(1)
    shown = client.get(f"/rows/pages/show/{page_id}").text
    assert folder_links(shown) == [(folder_id, "Contracts &lt;2026&gt;")]
    assert client.get(f"/rows/folders/show/{folder_id}").status_code == 200


def test_a_user_who_may_not_read_the_folders_sees_the_name_without_a_link(rows_app):
    client = logged_in(rows_app, "reader")
    listed = client.get("/rows/pages/list/").text
    assert "Contracts &lt;2026&gt;" in listed
    assert folder_links(listed) == []


def test_links_cost_no_query_per_row(rows_app):
    client = logged_in(rows_app, "writer")
    with rows_app.app_context():
        client.get("/rows/pages/list/")  # loads the user into this context's session
        few = count_statements(db.engine, lambda: client.get("/rows/pages/list/"))
        add_pages(10, owner=rows_app.appbuilder.sm.find_user(username="writer"))
        client.get("/rows/pages/list/")  # the commit expired the user: load it again
        many = count_statements(db.engine, lambda: client.get("/rows/pages/list/"))
    assert many == few
    assert len(folder_links(client.get("/rows/pages/list/").text)) == 12


@pytest.mark.plugins("contracts")
def test_the_equipment_list_links_each_unit_to_its_customer(app, login_as, session):
    from plugins.contracts import services as contracts

    customer = contracts.create_customer(session, kind="person", name="王芳")
    product = contracts.create_product(
        session, manufacturer="GE", model="CT-100", product_type="CT scanner"
    )
    contracts.create_equipment(
        session, serial_number="SN-1", customer_id=customer.id, product_id=product.id
    )
    session.commit()
    client = app.test_client()
    login_as("Admin")
    listed = client.get("/contracts/equipment/list/").text
    assert f'<a href="/contracts/customers/show/{customer.id}">王芳</a>' in listed


def panels(html):
    return re.findall(
        r'class="btn btn-default as-related-panel" href="([^"]+)">'
        r'<i class="fa fa-file"></i> Pages <span class="badge">(\d+)</span>',
        html,
    )


def test_a_folders_page_counts_its_pages_and_links_to_their_list(rows_app):
    client = logged_in(rows_app, "writer")
    folder_id = folder_links(client.get("/rows/pages/list/").text)[0][0]
    ((url, count),) = panels(client.get(f"/rows/folders/show/{folder_id}").text)
    assert (url, count) == (f"/rows/pages/list/?_flt_0_folder={folder_id}", "2")
    assert client.get(url).text.count("/rows/pages/show/") == 2


def test_the_panel_is_shown_only_to_users_who_may_read_its_rows(rows_app):
    with rows_app.app_context():
        sm = rows_app.appbuilder.sm
        create_user(rows_app, ["Folder Reader"], "folders_only")
        role = sm.find_role("Folder Reader")
        for permission, target in (("can_read", FOLDER), ("can_audit", FOLDER)):
            sm.add_permission_role(role, sm.find_permission_view_menu(permission, target))
    folder_id = folder_links(logged_in(rows_app, "writer").get("/rows/pages/list/").text)[0][0]
    page = logged_in(rows_app, "folders_only").get(f"/rows/folders/show/{folder_id}")
    assert page.status_code == 200
    assert panels(page.text) == []


def test_a_unit_and_a_customer_show_their_related_records_from_the_demo_data(make_app):
    from core.demo.service import load_demo
    from plugins.contracts.models import Equipment
    from plugins.maintenance.models import WorkOrder

    app = make_app(plugins=["contracts", "maintenance"])
    with app.app_context():
        load_demo(db.session)
        create_user(app, ["Admin"], "root")
        unit = (
            db.session.query(Equipment)
            .join(WorkOrder, WorkOrder.equipment_id == Equipment.id)
            .first()
        )
        unit_id, customer_id = unit.id, unit.customer_id
        orders = db.session.query(WorkOrder).filter_by(equipment_id=unit_id).count()
        units = db.session.query(Equipment).filter_by(customer_id=customer_id).count()
    client = logged_in(app, "root")
    unit_page = client.get(f"/contracts/equipment/show/{unit_id}?_l_=zh").text
    url = f"/maintenance/work-orders/list/?_flt_0_equipment={unit_id}"
    assert (
        f'href="{url}"><i class="fa fa-wrench"></i> 工单 <span class="badge">{orders}</span>'
        in unit_page
    )
    assert client.get(url).text.count("/maintenance/work-orders/show/") == orders
    customer_page = client.get(f"/contracts/customers/show/{customer_id}").text
    assert f'Equipment <span class="badge">{units}</span>' in customer_page
