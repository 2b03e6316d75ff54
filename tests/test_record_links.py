"""core.record_links: a related record on a list or a record page links to its page, for
users who may read that page, without a query per row."""

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
