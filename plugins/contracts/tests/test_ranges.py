"""Contracts: product ranges a contract covers besides its listed units."""

import datetime

import pytest

from plugins.contracts import services as s
from plugins.contracts.models import Contract, ContractRange
from plugins.contracts.tests.helpers import contract, refused, uscc

pytestmark = pytest.mark.plugins("contracts")

DAY = datetime.date(2026, 6, 1)


def customer_fleet(session, n: int = 1):
    """A customer with two HP printers (two models), a Canon printer and an HVAC unit."""
    customer = s.create_customer(session, kind="company", name=f"Fleet {n}", tax_id=uscc(n))
    level = s.create_service_level(session, f"Gold {n}", "7x24", "on_site", {"P1": (2, 8)})
    products = {
        key: s.create_product(session, product_type=kind, model=f"{model}-{n}", manufacturer=maker)
        for key, kind, maker, model in (
            ("hp_a", "Printer", "HP", "M507"),
            ("hp_b", "Printer", "HP", "M611"),
            ("canon", "Printer", "Canon", "C5840"),
            ("hvac", "HVAC", "Daikin", "VRV"),
        )
    }
    units = {
        key: s.create_equipment(
            session, product_id=p.id, customer_id=customer.id, serial_number=f"{key}-{n}"
        )
        for key, p in products.items()
    }
    return customer, level, units


def range_contract(session, customer, level, *ranges, activate=True, **extra):
    made = contract(session, customer, level, **extra)
    s.add_entitlement(session, made, "labour", "all")
    for product_type, manufacturer, model in ranges:
        s.cover_range(session, made, product_type, manufacturer, model)
    if activate:
        s.submit_for_review(session, made)
        s.activate(session, made)
    return made


def test_a_range_is_a_covered_item_for_activation(session):
    customer, level, _units = customer_fleet(session)
    made = range_contract(session, customer, level, ("Printer", "", ""))
    assert made.state == "active" and made.equipment_links == []
    bare = contract(session, customer, level)
    s.submit_for_review(session, bare)
    assert "unit or product range" in refused(lambda: s.activate(session, bare), "equipment")


def test_coverage_honours_ranges_narrowed_by_maker_and_model(session):
    customer, level, _units = customer_fleet(session)
    made = range_contract(session, customer, level, ("printer", "hp", "M507-1"))
    assert s.coverage(session, "hp_a-1", DAY).contract_number == made.number
    assert not s.coverage(session, "hp_b-1", DAY).covered
    assert not s.coverage(session, "canon-1", DAY).covered
    other, level2, _units2 = customer_fleet(session, 2)
    wide = range_contract(session, other, level2, ("Printer", "HP", ""))
    assert s.coverage(session, "hp_b-2", DAY).contract_number == wide.number
    assert not s.coverage(session, "hvac-2", DAY).covered
    # another customer's units of the same product type are not covered
    assert not s.coverage(session, "canon-2", DAY).covered


def test_a_unit_registered_later_is_covered_by_the_range(session):
    customer, level, units = customer_fleet(session)
    made = range_contract(session, customer, level, ("HVAC", "", ""))
    late = s.create_equipment(
        session,
        product_id=units["hvac"].product_id,
        customer_id=customer.id,
        serial_number="hvac-late",
    )
    assert late.id and s.coverage(session, "hvac-late", DAY).contract_number == made.number


def test_one_active_contract_per_unit_counts_units_matched_by_ranges(session):
    customer, level, units = customer_fleet(session)
    listing = contract(session, customer, level, units["hp_b"])
    s.submit_for_review(session, listing)
    s.activate(session, listing)
    wide = range_contract(session, customer, level, ("Printer", "HP", ""), activate=False)
    s.submit_for_review(session, wide)
    message = refused(lambda: s.activate(session, wide), "equipment", 409)
    assert message == (
        f"equipment hp_b-1, in the product range Printer / HP, is already covered by "
        f"{listing.number} until 2027-03-31"
    )
    assert session.get(Contract, wide.id).state == "under_review"
    # and the other way round: listing a unit a range already covers
    other = contract(session, customer, level, units["hvac"])
    range_contract(session, customer, level, ("HVAC", "Daikin", ""))
    s.submit_for_review(session, other)
    assert "hvac-1 is already covered by" in refused(
        lambda: s.activate(session, other), "equipment", 409
    )


def test_an_amendment_cannot_list_a_unit_another_contracts_range_covers(session):
    customer, level, units = customer_fleet(session)
    listing = contract(session, customer, level, units["hp_a"])
    s.submit_for_review(session, listing)
    s.activate(session, listing)
    ranged = range_contract(session, customer, level, ("HVAC", "", ""))
    message = refused(
        lambda: s.create_amendment(
            session, listing, {"equipment": [units["hp_a"].id, units["hvac"].id]}, "r"
        ),
        "equipment",
        409,
    )
    assert ranged.number in message


def test_range_rules(session):
    customer, level, _units = customer_fleet(session)
    made = range_contract(session, customer, level, ("Printer", "HP", ""), activate=False)
    refused(lambda: s.cover_range(session, made, " "), "product_type")
    refused(lambda: s.cover_range(session, made, "Printer", "", "M507"), "manufacturer")
    refused(lambda: s.cover_range(session, made, "printer", "hp"), "product_type", 409)
    s.submit_for_review(session, made)
    s.activate(session, made)
    refused(lambda: s.cover_range(session, made, "HVAC"), "state", 409)
    refused(lambda: s.check_range_removal(session, made.ranges[0]), "state", 409)


def test_renewal_and_versions_keep_the_ranges(session):
    customer, level, _units = customer_fleet(session)
    made = range_contract(session, customer, level, ("Printer", "HP", ""))
    assert made.versions[0].terms["ranges"] == ["Printer / HP"]
    successor = s.renew(session, made)
    assert [str(r) for r in successor.ranges] == ["Printer / HP"]


def test_ranges_through_the_api_and_the_contract_page(client, api_headers, login_as, session):
    customer, level, _units = customer_fleet(session)
    made = contract(session, customer, level)
    session.commit()
    headers = api_headers("Sales")
    added = client.post(
        "/api/v1/contract_range/",
        json={"contract": made.id, "product_type": "Printer", "manufacturer": "Canon"},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    bad = client.post(
        "/api/v1/contract_range/",
        json={"contract": made.id, "product_type": "Printer", "model": "X"},
        headers=headers,
    )
    assert (bad.status_code, bad.json["field"]) == (422, "manufacturer")
    assert session.query(ContractRange).count() == 1
    manager = api_headers("Contract Manager")
    client.post(f"/api/v1/contract/{made.id}/submit", headers=manager)
    done = client.post(f"/api/v1/contract/{made.id}/activate", headers=manager)
    assert (done.status_code, done.json["state"]) == (200, "active"), done.text
    answer = client.get("/api/v1/contracts/coverage?serial=canon-1&at=2026-06-01", headers=headers)
    assert answer.json["contract_number"] == made.number
    login_as("Contract Manager")
    page = client.get(f"/contracts/contracts/show/{made.id}")
    assert "Product Ranges" in page.text and "Canon" in page.text
