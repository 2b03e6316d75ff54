"""Contracts: the coverage engine, the REST APIs with their refusals, roles and screens."""

import datetime
from decimal import Decimal

import pytest

from plugins.contracts import services as s
from plugins.contracts.models import Contract, Customer
from plugins.contracts.tests.helpers import active, contract, uscc, world

pytestmark = pytest.mark.plugins("contracts")

DAY = datetime.date(2026, 6, 1)


def covered_unit(session):
    customer, unit, level = world(session)
    made = contract(session, customer, level, unit)
    s.add_entitlement(session, made, "labour", "all")
    s.add_entitlement(
        session, made, "parts", "amount", annual_amount="20000", discount_percent="15"
    )
    s.add_entitlement(session, made, "visit", "count", annual_count=4)
    s.submit_for_review(session, made)
    s.activate(session, made)
    return made, unit


def test_coverage_answers_contract_terms_free_part_and_discount(session):
    made, _unit = covered_unit(session)
    labour = s.coverage(session, "SN-1", DAY, "labour")
    assert (labour.covered, labour.contract_number, labour.free) == (True, made.number, "all")
    assert labour.service_level == "Gold 1"
    assert labour.calendar_code == "7x24"
    assert labour.targets["P1"] == {"response_hours": 2, "resolution_hours": 8}
    parts = s.coverage(session, "SN-1", DAY, "parts")
    assert (parts.free, parts.remaining, parts.discount_percent) == (
        "amount",
        Decimal("20000.00"),
        Decimal("15.00"),
    )


def test_consumed_quota_is_recorded_and_reduces_what_remains(session):
    made, _unit = covered_unit(session)
    s.record_usage(session, made, "parts", DAY, amount="12500.50", reference="WO-1")
    s.record_usage(session, made, "visit", DAY)
    s.record_usage(session, made, "visit", DAY, count=3)
    parts = s.coverage(session, "SN-1", DAY, "parts")
    assert (parts.used, parts.remaining) == (Decimal("12500.50"), Decimal("7499.50"))
    visits = s.coverage(session, "SN-1", DAY, "visit")
    assert (visits.remaining, visits.free) == (0, None)
    with pytest.raises(s.ContractError) as info:
        s.record_usage(session, made, "parts", DAY, amount="7499.51")
    assert (info.value.field, info.value.status) == ("amount", 409)
    # the next contract year starts afresh
    next_year = s.coverage(session, "SN-1", datetime.date(2027, 3, 31), "parts")
    assert next_year.remaining == Decimal("7499.50")


def test_coverage_says_why_nothing_covers(session):
    made, _unit = covered_unit(session)
    assert "no equipment" in s.coverage(session, "NOPE", DAY).reason
    before = s.coverage(session, "SN-1", datetime.date(2026, 1, 1))
    assert not before.covered and made.number in before.reason
    customer, unit2, level = world(session, 2)
    bare = active(session, customer, level, unit2)
    answer = s.coverage(session, "SN-2", DAY, "parts")
    assert not answer.covered
    assert answer.reason == f"contract {bare.number} does not cover parts"
    s.terminate(session, made, "moved out")
    assert "terminated" in s.coverage(session, "SN-1", DAY).reason


def test_coverage_api(client, api_headers, session):
    made, _unit = covered_unit(session)
    session.commit()
    headers = api_headers("Staff Read-only")
    answer = client.get(
        "/api/v1/contracts/coverage?serial=SN-1&at=2026-06-01&kind=parts", headers=headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json
    assert (body["contract_number"], body["remaining"], body["discount_percent"]) == (
        made.number,
        "20000.00",
        "15.00",
    )
    bad = client.get("/api/v1/contracts/coverage?serial=SN-1&kind=oil", headers=headers)
    assert (bad.status_code, bad.json["field"]) == (422, "kind")


def payload(customer_id, level_id, **extra):
    body = {
        "customer": customer_id,
        "title": "API contract",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "service_level": level_id,
        "fee": "1200.50",
        "notice_days": 30,
        "confidentiality_clause": "secret",
        "liability_clause": "pay",
        "dispute_resolution": "litigation",
        "dispute_venue": "Shanghai Pudong court",
    }
    body.update(extra)
    return body


def test_sales_drafts_a_contract_and_submits_it(client, api_headers, session):
    customer, unit, level = world(session)
    session.commit()
    headers = api_headers("Sales")
    created = client.post("/api/v1/contract/", json=payload(customer.id, level.id), headers=headers)
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    shown = client.get(f"/api/v1/contract/{pk}", headers=headers).json["result"]
    assert (shown["number"], shown["state"], shown["fee"], shown["cancel_by"]) == (
        "CT-2026-00001",
        "draft",
        "1200.50",
        "2027-03-01",
    )
    linked = client.post(
        "/api/v1/contract_equipment/",
        json={"contract": pk, "equipment": unit.id},
        headers=headers,
    )
    assert linked.status_code == 201, linked.text
    submitted = client.post(f"/api/v1/contract/{pk}/submit", headers=headers)
    assert (submitted.status_code, submitted.json["state"]) == (200, "under_review")
    refused = client.post(f"/api/v1/contract/{pk}/activate", headers=headers)
    assert refused.status_code == 403
    assert session.get(Contract, pk).state == "under_review"


def test_refused_api_changes_answer_4xx_naming_the_field_and_change_nothing(
    client, api_headers, session
):
    customer, unit, level = world(session)
    session.commit()
    headers = api_headers("Contract Manager")
    bad_dates = client.post(
        "/api/v1/contract/",
        json=payload(customer.id, level.id, end_date="2026-03-01"),
        headers=headers,
    )
    assert (bad_dates.status_code, bad_dates.json["field"]) == (422, "end_date")
    assert session.query(Contract).count() == 0
    bad_code = client.post(
        "/api/v1/customer/",
        json={"kind": "company", "name": "Bad", "tax_id": uscc(5)[:17] + "Y"},
        headers=headers,
    )
    assert (bad_code.status_code, bad_code.json["field"]) == (422, "tax_id")
    assert session.query(Customer).count() == 1

    pk = client.post(
        "/api/v1/contract/", json=payload(customer.id, level.id), headers=headers
    ).json["id"]
    early = client.post(f"/api/v1/contract/{pk}/activate", headers=headers)
    assert early.status_code == 409
    assert early.json["field"] == "state" and "draft" in early.json["message"]
    client.post(f"/api/v1/contract/{pk}/submit", headers=headers)
    empty = client.post(f"/api/v1/contract/{pk}/activate", headers=headers)
    assert (empty.status_code, empty.json["field"]) == (422, "equipment")
    session.expire_all()
    assert session.get(Contract, pk).state == "under_review"

    client.post(
        "/api/v1/contract_equipment/",
        json={"contract": pk, "equipment": unit.id},
        headers=headers,
    )
    ok = client.post(f"/api/v1/contract/{pk}/activate", headers=headers)
    assert (ok.status_code, ok.json["state"]) == (200, "active")
    edit = client.put(f"/api/v1/contract/{pk}", json={"title": "New"}, headers=headers)
    assert (edit.status_code, edit.json["field"]) == (409, "state")
    no_reason = client.post(f"/api/v1/contract/{pk}/terminate", json={}, headers=headers)
    assert (no_reason.status_code, no_reason.json["field"]) == (422, "reason")
    session.expire_all()
    stored = session.get(Contract, pk)
    assert (stored.state, stored.title) == ("active", "API contract")
    done = client.post(
        f"/api/v1/contract/{pk}/terminate", json={"reason": "site closed"}, headers=headers
    )
    assert (done.status_code, done.json["state"]) == (200, "terminated")


def test_read_only_staff_cannot_write(client, api_headers, session):
    headers = api_headers("Staff Read-only")
    assert client.get("/api/v1/customer/", headers=headers).status_code == 200
    answer = client.post("/api/v1/customer/", json={"kind": "person", "name": "X"}, headers=headers)
    assert answer.status_code == 403
    assert session.query(Customer).count() == 0


def test_sales_writes_customers_but_only_reads_products_and_service_levels(
    client, api_headers, session
):
    headers = api_headers("Sales")
    person = client.post(
        "/api/v1/customer/", json={"kind": "person", "name": "Wang Lei"}, headers=headers
    )
    assert person.status_code == 201, person.text
    product = {"product_type": "HVAC", "model": "X", "manufacturer": "Daikin"}
    assert client.post("/api/v1/product/", json=product, headers=headers).status_code == 403
    level = {"name": "Gold", "calendar_code": "5x8", "service_mode": "on_site"}
    assert client.post("/api/v1/service_level/", json=level, headers=headers).status_code == 403
    assert client.get("/api/v1/equipment/", headers=headers).status_code == 200


def test_contract_list_screen_shows_customer_names(client, login_as, session):
    customer, unit, level = world(session)
    active(session, customer, level, unit)
    session.commit()
    login_as("Contract Manager")
    page = client.get("/contracts/contracts/list/")
    assert page.status_code == 200
    assert "Customer 1" in page.text and "CT-2026-00001" in page.text
    for url in (
        "/contracts/customers/list/",
        "/contracts/equipment/list/",
        "/contracts/service-levels/list/",
        "/contracts/coverage/?serial=SN-1&at=2026-06-01",
    ):
        assert client.get(url).status_code == 200, url


def test_dashboard_widgets_count_contracts(session):
    from plugins.contracts.services.dashboard import state_chart

    customer, unit, level = world(session)
    active(session, customer, level, unit)
    contract(session, customer, level)
    chart = state_chart(session)
    assert chart["data"]["datasets"][0]["data"][:3] == [1, 0, 1]


def test_screen_buttons_run_the_lifecycle_and_sales_cannot_approve(client, login_as, session):
    customer, unit, level = world(session)
    made = contract(session, customer, level, unit)
    session.commit()
    pk = made.id
    login_as("Sales")
    client.post("/contracts/contracts/action_post", data={"action": "submit", "rowid": pk})
    session.expire_all()
    assert session.get(Contract, pk).state == "under_review"
    client.post("/contracts/contracts/action_post", data={"action": "activate", "rowid": pk})
    session.expire_all()
    assert session.get(Contract, pk).state == "under_review"
    client.get("/logout/")
    login_as("Contract Manager")
    client.post("/contracts/contracts/action_post", data={"action": "activate", "rowid": pk})
    session.expire_all()
    assert session.get(Contract, pk).state == "active"
    form = client.get(f"/contracts/contracts/terminate/{pk}")
    assert form.status_code == 200 and "reason" in form.text
    client.post(f"/contracts/contracts/terminate/{pk}", data={"reason": ""})
    session.expire_all()
    assert session.get(Contract, pk).state == "active"
    client.post(f"/contracts/contracts/terminate/{pk}", data={"reason": "site closed"})
    history = client.post(
        "/contracts/contracts/action_post", data={"action": "history", "rowid": pk}
    )
    assert history.status_code == 302 and "contracts_contract" in history.headers["Location"]
    session.expire_all()
    stored = session.get(Contract, pk)
    assert (stored.state, stored.termination_reason) == ("terminated", "site closed")


def test_refused_screen_form_is_flashed_and_nothing_saved(client, login_as, session):
    login_as("Contract Manager")
    page = client.post(
        "/contracts/customers/add",
        data={"kind": "company", "name": "No Code Ltd", "tax_id": ""},
        follow_redirects=True,
    )
    assert "tax ID: is required for a company" in page.text
    assert session.query(Customer).count() == 0


def test_contract_screen_speaks_chinese(client, login_as, session):
    login_as("Contract Manager")
    page = client.get("/contracts/contracts/list/?_l_=zh")
    assert "服务合同" in page.text


def test_a_contract_renewed_early_covers_until_its_end_then_its_successor(session):
    made, _unit = covered_unit(session)
    s.mark_expiring(session, made, datetime.date(2027, 3, 5))
    successor = s.renew(session, made)
    before_end = s.coverage(session, "SN-1", datetime.date(2027, 3, 20), "labour")
    after_end = s.coverage(session, "SN-1", datetime.date(2027, 4, 1), "labour")
    assert (before_end.covered, before_end.contract_number) == (True, made.number)
    assert (after_end.covered, after_end.contract_number) == (True, successor.number)


def test_quota_consumed_through_the_api_is_recorded_against_the_contract(
    client, api_headers, session
):
    made, _unit = covered_unit(session)
    session.commit()
    headers = api_headers("Contract Manager")
    url = f"/api/v1/contract/{made.id}/usage"
    used = client.post(
        url,
        json={"kind": "parts", "on": "2026-06-01", "amount": "500.25", "reference": "WO-7"},
        headers=headers,
    )
    assert (used.status_code, used.json["remaining"]) == (201, "19499.75")
    too_much = client.post(
        url, json={"kind": "parts", "on": "2026-06-02", "amount": "19499.76"}, headers=headers
    )
    assert (too_much.status_code, too_much.json["field"]) == (409, "amount")
    outside = client.post(url, json={"kind": "visit", "on": "2028-01-01"}, headers=headers)
    assert (outside.status_code, outside.json["field"]) == (409, "contract")
    remaining = s.coverage(session, "SN-1", DAY, "parts").remaining
    assert remaining == Decimal("19499.75")


def test_contract_list_api_costs_the_same_queries_for_more_rows(client, api_headers, session, app):
    from sqlalchemy import event

    from core.extensions import db

    customer, unit, level = world(session)
    contract(session, customer, level)
    session.commit()
    headers = api_headers("Staff Read-only")
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    def queries():
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            answer = client.get("/api/v1/contract/", headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert answer.status_code == 200
        return len(statements), len(answer.json["result"]), list(statements)

    few = queries()
    for n in range(2, 8):
        other, _unit, _level = world(session, n)
        contract(session, other, level)
    session.commit()
    many = queries()
    assert (few[1], many[1]) == (1, 7)
    from collections import Counter

    assert many[0] == few[0], [q[:300] for q in (Counter(many[2]) - Counter(few[2]))]


def test_dashboard_lists_contracts_ending_within_90_days(session):
    from plugins.contracts.services.dashboard import expiring_list

    customer, unit, level = world(session)
    today = s.company_today()
    soon = active(
        session,
        customer,
        level,
        unit,
        start=today - datetime.timedelta(days=300),
        end=today + datetime.timedelta(days=60),
    )
    data = expiring_list(session)
    assert data["value"] == 1
    assert data["rows"][0]["label"].startswith(soon.number)


def test_contract_entered_on_the_screen_keeps_an_exact_fee(client, login_as, session):
    customer, _unit, level = world(session)
    session.commit()
    login_as("Sales")
    form = {
        "customer": customer.id,
        "title": "Entered on screen",
        "start_date": "2026-05-01",
        "end_date": "2027-04-30",
        "service_level": level.id,
        "fee": "1234.56",
        "currency": "CNY",
        "billing_cycle": "monthly",
        "renewal": "auto",
        "renewal_months": "12",
        "notice_days": "30",
        "dispute_resolution": "",
    }
    client.post("/contracts/contracts/add", data=form)
    made = session.query(Contract).filter_by(title="Entered on screen").one()
    assert (made.number, made.fee, made.state, made.cancel_by) == (
        "CT-2026-00001",
        Decimal("1234.56"),
        "draft",
        datetime.date(2027, 3, 31),
    )
    page = client.get(f"/contracts/contracts/show/{made.id}")
    assert page.status_code == 200 and "CT-2026-00001" in page.text
