"""Contracts: several addresses per customer, one default per kind; units at a site address."""

import pytest
from sqlalchemy.exc import IntegrityError

from plugins.contracts import services as s
from plugins.contracts.models import CustomerAddress, Equipment
from plugins.contracts.tests.helpers import refused, uscc

pytestmark = pytest.mark.plugins("contracts")


def customer_with_sites(session, n: int = 1):
    customer = s.create_customer(
        session, kind="company", name=f"Customer {n}", tax_id=uscc(n), address="上海市浦东新区1号"
    )
    plant = s.create_address(
        session, customer_id=customer.id, kind="site", name="Plant", address="嘉定区2号"
    )
    office = s.create_address(
        session, customer_id=customer.id, kind="site", name="Office", address="静安区3号"
    )
    product = s.create_product(session, product_type="HVAC", model=f"X{n}", manufacturer="Daikin")
    return customer, plant, office, product


def defaults(session, customer, kind):
    return [
        a.address
        for a in session.query(CustomerAddress).filter_by(customer_id=customer.id, kind=kind)
        if a.is_default
    ]


def test_the_registered_address_is_the_default_registered_address(session):
    customer, _plant, _office, _product = customer_with_sites(session)
    assert defaults(session, customer, "registered") == ["上海市浦东新区1号"]
    customer.address = "上海市浦东新区9号"
    s.prepare_customer(session, customer)
    session.flush()
    assert defaults(session, customer, "registered") == ["上海市浦东新区9号"]
    billing = s.create_address(
        session, customer_id=customer.id, kind="registered", address="新址", is_default=True
    )
    assert (billing.is_default, customer.address) == (True, "新址")
    assert defaults(session, customer, "registered") == ["新址"]


def test_one_default_per_kind_the_first_one_by_itself(session):
    customer, plant, office, _product = customer_with_sites(session)
    assert (plant.is_default, office.is_default) == (True, False)
    office.is_default = True
    s.prepare_address(session, office)
    session.flush()
    assert defaults(session, customer, "site") == ["静安区3号"]
    bill = s.create_address(session, customer_id=customer.id, kind="billing", address="财务部")
    assert bill.is_default
    # the database refuses a second default of a kind even past the service
    session.add(
        CustomerAddress(customer_id=customer.id, kind="billing", address="x", is_default=True)
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_an_address_needs_a_known_kind_and_text(session):
    customer, _plant, _office, _product = customer_with_sites(session)
    refused(
        lambda: s.create_address(session, customer_id=customer.id, kind="home", address="x"), "kind"
    )
    refused(
        lambda: s.create_address(session, customer_id=customer.id, kind="site", address=" "),
        "address",
    )
    refused(
        lambda: s.create_address(
            session, customer_id=customer.id, kind="site", address="x", postal_code="20@"
        ),
        "postal_code",
    )
    refused(lambda: s.create_address(session, kind="site", address="x"), "customer")


def test_a_unit_defaults_to_the_customers_default_site_address(session):
    customer, plant, office, product = customer_with_sites(session)
    unit = s.create_equipment(
        session, product_id=product.id, customer_id=customer.id, serial_number="U-1"
    )
    assert (unit.site_address_id, unit.site_address) == (plant.id, "嘉定区2号")
    chosen = s.create_equipment(
        session,
        product_id=product.id,
        customer_id=customer.id,
        serial_number="U-2",
        site_address_id=office.id,
    )
    assert chosen.site_address == "静安区3号"
    typed = s.create_equipment(
        session,
        product_id=product.id,
        customer_id=customer.id,
        serial_number="U-3",
        site_address="静安区3号",
    )
    assert typed.site_address_id == office.id


def test_a_unit_cannot_sit_at_another_customers_or_a_non_site_address(session):
    customer, _plant, _office, product = customer_with_sites(session)
    other, other_plant, _o, _p = customer_with_sites(session, 2)
    message = refused(
        lambda: s.create_equipment(
            session,
            product_id=product.id,
            customer_id=customer.id,
            serial_number="U-9",
            site_address_id=other_plant.id,
        ),
        "site",
    )
    assert "not a site address of the unit's customer" in message
    registered = s.default_address(session, customer.id, "registered")
    refused(
        lambda: s.create_equipment(
            session,
            product_id=product.id,
            customer_id=customer.id,
            serial_number="U-9",
            site_address_id=registered.id,
        ),
        "site",
    )
    assert session.query(Equipment).count() == 0


def test_units_follow_their_site_address_and_keep_it(session):
    customer, plant, _office, product = customer_with_sites(session)
    unit = s.create_equipment(
        session, product_id=product.id, customer_id=customer.id, serial_number="U-1"
    )
    plant.address = "嘉定区22号"
    s.prepare_address(session, plant)
    session.flush()
    assert unit.site_address == "嘉定区22号"
    plant.kind = "billing"
    refused(lambda: s.prepare_address(session, plant), "kind", 409)
    plant.kind = "site"  # (the screens and APIs roll the refused edit back)
    message = refused(lambda: s.remove_address(session, plant), "address", 409)
    assert "U-1" in message


def test_removing_a_default_hands_the_default_over(session):
    customer, plant, office, _product = customer_with_sites(session)
    s.remove_address(session, plant)
    session.expire_all()
    assert defaults(session, customer, "site") == ["静安区3号"]
    s.remove_address(session, s.default_address(session, customer.id, "registered"))
    session.expire_all()
    assert customer.address == ""


def test_addresses_through_the_api(client, api_headers, session):
    customer, plant, _office, product = customer_with_sites(session)
    session.commit()
    headers = api_headers("Sales")
    made = client.post(
        "/api/v1/customer_address/",
        json={
            "customer": customer.id,
            "kind": "mailing",
            "address": "邮政信箱 88",
            "postal_code": "200120",
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    bad = client.post(
        "/api/v1/customer_address/",
        json={"customer": customer.id, "kind": "home", "address": "x"},
        headers=headers,
    )
    assert (bad.status_code, bad.json["field"]) == (422, "kind")
    listed = client.get(f"/api/v1/customer_address/{made.json['id']}", headers=headers).json[
        "result"
    ]
    assert (listed["kind"], listed["is_default"]) == ("mailing", True)
    manager = api_headers("Contract Manager")
    unit = client.post(
        "/api/v1/equipment/",
        json={"product": product.id, "customer": customer.id, "serial_number": "API-1"},
        headers=manager,
    )
    assert unit.status_code == 201, unit.text
    shown = client.get(f"/api/v1/equipment/{unit.json['id']}", headers=manager).json["result"]
    assert (shown["site"]["id"], shown["site_address"]) == (plant.id, "嘉定区2号")
    in_use = client.delete(f"/api/v1/customer_address/{plant.id}", headers=manager)
    assert (in_use.status_code, in_use.json["field"]) == (409, "address")


def test_customer_page_lists_addresses_and_the_unit_form_offers_site_addresses(
    client, login_as, session
):
    customer, _plant, _office, _product = customer_with_sites(session)
    session.commit()
    login_as("Contract Manager")
    page = client.get(f"/contracts/customers/show/{customer.id}")
    assert page.status_code == 200 and "嘉定区2号" in page.text and "Addresses" in page.text
    form = client.get("/contracts/equipment/add")
    assert form.status_code == 200 and "Plant: 嘉定区2号" in form.text
