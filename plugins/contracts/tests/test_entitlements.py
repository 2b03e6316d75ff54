"""Contracts: parts entitlements covering all parts, a list of part numbers, or an amount."""

import datetime
from decimal import Decimal

import pytest

from plugins.contracts import services as s
from plugins.contracts.models import Entitlement, EntitlementPart
from plugins.contracts.tests.helpers import contract, refused, world

pytestmark = pytest.mark.plugins("contracts")

DAY = datetime.date(2026, 6, 1)


def listed_contract(session, parts=("FUS-220", "DRUM-55"), activate=True):
    customer, unit, level = world(session)
    made = contract(session, customer, level, unit)
    s.add_entitlement(session, made, "labour", "all")
    parts_line = s.add_entitlement(
        session, made, "parts", "list", discount_percent="10", parts=list(parts)
    )
    if activate:
        s.submit_for_review(session, made)
        s.activate(session, made)
    return made, parts_line


def test_only_parts_are_covered_by_a_list(session):
    customer, unit, level = world(session)
    made = contract(session, customer, level, unit)
    message = refused(lambda: s.add_entitlement(session, made, "labour", "list"), "coverage")
    assert "only a parts entitlement" in message
    line = s.add_entitlement(session, made, "parts", "list", annual_amount="5")
    assert (line.coverage, line.annual_amount) == ("list", None)


def test_listed_part_numbers_are_checked(session):
    made, line = listed_contract(session, activate=False)
    assert sorted(p.part_number for p in line.parts) == ["DRUM-55", "FUS-220"]
    refused(lambda: s.add_entitlement_part(session, line, "fus-220"), "part_number", 409)
    refused(lambda: s.add_entitlement_part(session, line, "bad part"), "part_number")
    refused(lambda: s.add_entitlement_part(session, line, " "), "part_number")
    labour = next(e for e in made.entitlements if e.kind == "labour")
    refused(lambda: s.add_entitlement_part(session, labour, "X-1"), "entitlement")
    s.submit_for_review(session, made)
    s.activate(session, made)
    refused(lambda: s.add_entitlement_part(session, line, "NEW-1"), "state", 409)
    refused(lambda: s.check_entitlement_part_removal(session, line.parts[0]), "state", 409)


def test_a_list_without_parts_cannot_be_activated(session):
    made, _line = listed_contract(session, parts=(), activate=False)
    s.submit_for_review(session, made)
    message = refused(lambda: s.activate(session, made), "parts")
    assert "at least one part number" in message
    assert made.state == "under_review"


def test_coverage_frees_listed_parts_only(session):
    made, _line = listed_contract(session)
    listed = s.coverage(session, "SN-1", DAY, "parts", "fus-220")
    assert (listed.covered, listed.free, listed.part_listed, listed.part) == (
        True,
        "list",
        True,
        "fus-220",
    )
    other = s.coverage(session, "SN-1", DAY, "parts", "BELT-9")
    assert (other.covered, other.free, other.part_listed) == (True, None, False)
    assert other.discount_percent == Decimal("10.00")
    assert other.reason == f"part BELT-9 is not on the list of contract {made.number}"
    unnamed = s.coverage(session, "SN-1", DAY, "parts")
    assert (unnamed.free, unnamed.part_listed) == (None, None)
    assert "give the part number" in unnamed.reason
    labour = s.coverage(session, "SN-1", DAY, "labour", "BELT-9")
    assert labour.free == "all"


def test_parts_up_to_an_amount_a_year_whatever_the_part(session):
    customer, unit, level = world(session)
    made = contract(session, customer, level, unit)
    s.add_entitlement(session, made, "parts", "amount", annual_amount="3000")
    s.submit_for_review(session, made)
    s.activate(session, made)
    s.record_usage(session, made, "parts", DAY, amount="1000", reference="WO-1 FUS-220")
    answer = s.coverage(session, "SN-1", DAY, "parts", "FUS-220")
    assert (answer.free, answer.remaining, answer.part_listed) == (
        "amount",
        Decimal("2000.00"),
        None,
    )


def test_a_renewal_keeps_the_list(session):
    made, _line = listed_contract(session)
    successor = s.renew(session, made)
    line = next(e for e in successor.entitlements if e.kind == "parts")
    assert sorted(p.part_number for p in line.parts) == ["DRUM-55", "FUS-220"]


def test_list_and_coverage_through_the_api(client, api_headers, session):
    made, line = listed_contract(session, activate=False)
    session.commit()
    headers = api_headers("Contract Manager")
    added = client.post(
        "/api/v1/entitlement_part/",
        json={"entitlement": line.id, "part_number": "TONER-7", "description": "Toner"},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    twice = client.post(
        "/api/v1/entitlement_part/",
        json={"entitlement": line.id, "part_number": "toner-7"},
        headers=headers,
    )
    assert (twice.status_code, twice.json["field"]) == (409, "part_number")
    assert session.query(EntitlementPart).count() == 3
    client.post(f"/api/v1/contract/{made.id}/submit", headers=headers)
    client.post(f"/api/v1/contract/{made.id}/activate", headers=headers)
    answer = client.get(
        "/api/v1/contracts/coverage?serial=SN-1&at=2026-06-01&kind=parts&part=TONER-7",
        headers=headers,
    )
    assert (answer.json["free"], answer.json["part_listed"]) == ("list", True)
    answer = client.get(
        "/api/v1/contracts/coverage?serial=SN-1&at=2026-06-01&kind=parts&part=X",
        headers=headers,
    )
    assert (answer.json["free"], answer.json["part_listed"]) == (None, False)
    frozen = client.delete(f"/api/v1/entitlement_part/{added.json['id']}", headers=headers)
    assert frozen.status_code == 409
    assert session.query(EntitlementPart).count() == 3


def test_entitlement_page_lists_parts_and_coverage_screen_checks_one(client, login_as, session):
    made, line = listed_contract(session)
    session.commit()
    login_as("Contract Manager")
    page = client.get(f"/contracts/entitlements/show/{line.id}")
    assert page.status_code == 200 and "FUS-220" in page.text
    screen = client.get("/contracts/coverage/?serial=SN-1&at=2026-06-01&kind=parts&part=FUS-220")
    assert "FUS-220 is on the contract" in screen.text
    assert session.get(Entitlement, line.id).coverage == "list"
