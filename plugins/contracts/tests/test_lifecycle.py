"""Contracts: parties, terms and the lifecycle rules, called through the services."""

import datetime

import pytest

from core.events import events_published
from plugins.contracts import events
from plugins.contracts import services as s
from plugins.contracts.models import CONTRACT_STATES, Contract, Customer, Equipment
from plugins.contracts.tests.helpers import (  # noqa: F401
    CLAUSES,
    END,
    START,
    active,
    contract,
    refused,
    uscc,
    world,
)

pytestmark = pytest.mark.plugins("contracts")


def test_contract_numbers_come_from_the_ct_sequence_in_order(session):
    customer, unit, level = world(session)
    first = contract(session, customer, level)
    second = contract(session, customer, level)
    assert (first.number, second.number) == ("CT-2026-00001", "CT-2026-00002")
    assert first.state == "draft"


def test_cancel_by_date_is_the_end_date_minus_the_notice_period(session):
    customer, _unit, level = world(session)
    made = contract(session, customer, level, notice_days=45)
    assert made.cancel_by == datetime.date(2027, 2, 14)


def test_end_date_must_be_after_start_date(session):
    customer, _unit, level = world(session)
    message = refused(lambda: contract(session, customer, level, end=START), "end_date")
    assert "after the start date" in message
    session.rollback()
    assert session.query(Contract).count() == 0


def test_company_needs_a_valid_unified_social_credit_code(session):
    good = uscc(7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    message = refused(
        lambda: s.create_customer(session, kind="company", name="A", tax_id=bad), "tax_id"
    )
    assert "check character" in message
    refused(lambda: s.create_customer(session, kind="company", name="A"), "tax_id")
    s.create_customer(session, kind="company", name="A", tax_id=good)
    refused(
        lambda: s.create_customer(session, kind="company", name="B", tax_id=good), "tax_id", 409
    )
    person = s.create_customer(session, kind="person", name="Wang Lei")
    assert person.tax_id is None


def test_contact_email_must_be_an_address(session):
    customer = s.create_customer(session, kind="person", name="P")
    refused(
        lambda: s.create_contact(session, customer_id=customer.id, name="Li", email="li@"),
        "email",
    )
    made = s.create_contact(
        session, customer_id=customer.id, name="Li", email="li@example.com", wechat_id="li_na"
    )
    assert made.wechat_id == "li_na"


def test_serial_number_is_unique_per_product_only(session):
    customer, unit, _level = world(session)
    refused(
        lambda: s.create_equipment(
            session, product_id=unit.product_id, customer_id=customer.id, serial_number="SN-1"
        ),
        "serial_number",
        409,
    )
    session.rollback()
    customer, unit, _level = world(session)
    other = s.create_product(session, product_type="HVAC", model="VRV", manufacturer="Daikin")
    twin = s.create_equipment(
        session, product_id=other.id, customer_id=customer.id, serial_number="SN-1"
    )
    assert twin.id != unit.id


def test_service_level_needs_a_known_calendar_and_sane_times(session):
    refused(lambda: s.create_service_level(session, "X", "9x9"), "calendar_code")
    refused(
        lambda: s.create_service_level(session, "Y", "5x8", targets={"P1": (8, 4)}),
        "resolution_hours",
    )
    refused(lambda: s.create_service_level(session, "Z", "5x8", targets={"P9": (1, 2)}), "priority")


def test_activation_needs_service_level_equipment_and_the_three_clauses(session):
    customer, unit, level = world(session)
    cases = [
        ({"level": None}, "service_level"),
        ({"unit": None}, "equipment"),
        ({"confidentiality_clause": ""}, "confidentiality_clause"),
        ({"liability_clause": " "}, "liability_clause"),
        ({"dispute_resolution": None}, "dispute_resolution"),
        ({"dispute_venue": ""}, "dispute_resolution"),
    ]
    for change, field in cases:
        args = {"level": level, "unit": unit}
        extra = {k: v for k, v in change.items() if k not in args}
        args.update({k: v for k, v in change.items() if k in args})
        made = contract(session, customer, args["level"], args["unit"], **extra)
        s.submit_for_review(session, made)
        with events_published(events.ContractActivated) as seen:
            refused(lambda made=made: s.activate(session, made), field)
        assert made.state == "under_review"
        assert seen == []


def test_equipment_is_covered_by_at_most_one_active_contract(session):
    customer, unit, level = world(session)
    first = active(session, customer, level, unit)
    second = contract(
        session,
        customer,
        level,
        unit,
        start=datetime.date(2027, 1, 1),
        end=datetime.date(2027, 12, 31),
    )
    s.submit_for_review(session, second)
    message = refused(lambda: s.activate(session, second), "equipment", 409)
    assert message == f"equipment SN-1 is already covered by {first.number} until 2027-03-31"
    assert second.state == "under_review"
    later = contract(
        session,
        customer,
        level,
        unit,
        start=datetime.date(2027, 4, 1),
        end=datetime.date(2028, 3, 31),
    )
    s.submit_for_review(session, later)
    assert s.activate(session, later).state == "active"  # no overlap in dates


def test_illegal_transitions_are_refused_naming_the_current_state(session):
    customer, unit, level = world(session)
    made = contract(session, customer, level, unit)
    message = refused(lambda: s.activate(session, made), "state", 409)
    assert "it is draft" in message
    refused(lambda: s.terminate(session, made, "no"), "state", 409)
    refused(lambda: s.renew(session, made), "state", 409)
    assert made.state == "draft"
    s.submit_for_review(session, made)
    assert "under_review" in refused(lambda: s.submit_for_review(session, made), "state", 409)


def test_editing_an_active_contract_is_refused(session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    made.title = "Changed"
    refused(lambda: s.prepare_contract(session, made), "state", 409)
    session.rollback()
    assert session.get(Contract, made.id).title == "Full service"
    other_unit = s.create_equipment(
        session, product_id=unit.product_id, customer_id=customer.id, serial_number="SN-X"
    )
    refused(lambda: s.cover_equipment(session, made, other_unit), "state", 409)


def test_equipment_of_another_customer_cannot_be_covered(session):
    customer, _unit, level = world(session)
    _other, foreign_unit, _ = world(session, 2)
    made = contract(session, customer, level)
    refused(lambda: s.cover_equipment(session, made, foreign_unit), "equipment")


def test_lifecycle_publishes_an_event_per_step(session):
    customer, unit, level = world(session)
    with events_published(events.ContractStateChanged) as seen:
        made = active(session, customer, level, unit)
        s.mark_expiring(session, made, datetime.date(2027, 3, 1))
        s.terminate(session, made, "Customer closed the site")
    assert [(e.name, e.from_state, e.to_state) for e in seen] == [
        ("contracts.contract.submitted", "draft", "under_review"),
        ("contracts.contract.activated", "under_review", "active"),
        ("contracts.contract.expiring", "active", "expiring"),
        ("contracts.contract.terminated", "expiring", "terminated"),
    ]
    assert seen[-1].reason == "Customer closed the site"
    assert made.termination_reason == "Customer closed the site"


def test_terminate_needs_a_reason(session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    refused(lambda: s.terminate(session, made, "  "), "reason")
    assert made.state == "active"


def test_expiring_and_expired_wait_for_their_dates(session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    assert "2027-03-01" in refused(
        lambda: s.mark_expiring(session, made, datetime.date(2027, 2, 28)), "state", 409
    )
    refused(lambda: s.expire(session, made, END), "end_date", 409)
    s.expire(session, made, END + datetime.timedelta(days=1))
    assert made.state == "expired"


def test_renewal_hands_the_equipment_to_an_active_successor(session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    s.add_entitlement(session, contract(session, customer, level), "labour")  # unrelated
    with events_published(events.ContractRenewed) as seen:
        successor = s.renew(session, made)
    assert made.state == "renewed"
    assert successor.state == "active"
    assert (successor.start_date, successor.end_date) == (
        datetime.date(2027, 4, 1),
        datetime.date(2028, 3, 31),
    )
    assert successor.renewed_from_id == made.id
    assert [link.equipment_id for link in successor.equipment_links] == [unit.id]
    assert seen[0].successor_id == successor.id


def test_daily_job_twice_changes_nothing_more(session):
    customer, unit, level = world(session)
    ending = active(session, customer, level, unit)
    c2, u2, l2 = world(session, 2)
    tacit = active(session, c2, l2, u2, renewal="auto")
    session.commit()
    day = datetime.date(2027, 3, 10)
    assert s.run_daily_lifecycle(session, day) == {"expiring": 2, "expired": 0, "renewed": 0}
    assert s.run_daily_lifecycle(session, day) == {"expiring": 0, "expired": 0, "renewed": 0}
    after = datetime.date(2027, 4, 2)
    assert s.run_daily_lifecycle(session, after) == {"expiring": 0, "expired": 1, "renewed": 1}
    assert s.run_daily_lifecycle(session, after) == {"expiring": 0, "expired": 0, "renewed": 0}
    assert (ending.state, tacit.state) == ("expired", "renewed")


def test_demo_data_loads_twice_with_a_contract_in_every_state(session):
    from plugins.contracts.plugin import aftersales_load_demo

    aftersales_load_demo(session, 1)
    aftersales_load_demo(session, 1)
    session.commit()
    states = {c.state for c in session.query(Contract)}
    assert states == set(CONTRACT_STATES)
    assert session.query(Customer).count() == 14
    assert session.query(Equipment).count() == 42


@pytest.mark.postgres
def test_two_contracts_activated_at_once_for_one_unit_leave_one_active(app, session):
    import threading

    from sqlalchemy.orm import Session

    from core.extensions import db

    customer, unit, level = world(session)
    ids = []
    for _ in range(2):
        made = contract(session, customer, level, unit)
        s.submit_for_review(session, made)
        ids.append(made.id)
    session.commit()
    start = threading.Barrier(2)
    outcomes = []

    def activate(contract_id):
        with app.app_context(), Session(db.engine) as own:
            try:
                start.wait()
                s.activate(own, own.get(Contract, contract_id))
                own.commit()
                outcomes.append("active")
            except s.ContractError as exc:
                own.rollback()
                outcomes.append(exc.field)

    pool = [threading.Thread(target=activate, args=(i,)) for i in ids]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert sorted(outcomes) == ["active", "equipment"]
    session.expire_all()
    states = sorted(session.get(Contract, i).state for i in ids)
    assert states == ["active", "under_review"]


def test_each_state_change_is_in_the_audit_log(session):
    from core.audit.service import record_history

    customer, unit, level = world(session)
    made = contract(session, customer, level, unit)
    session.commit()
    s.submit_for_review(session, made)
    session.commit()
    s.activate(session, made)
    session.commit()
    changes = [
        e.changes.get("state") for e in record_history(session, "contracts_contract", made.id)
    ]
    assert changes == [["under_review", "active"], ["draft", "under_review"], "draft"]


def test_contract_page_offers_only_the_actions_its_state_allows(app, session, login_as):
    customer, unit, level = world(session)
    draft = contract(session, customer, level, unit)
    session.commit()
    client = app.test_client()
    login_as("Contract Manager")

    def offered(contract_id):
        page = client.get(f"/contracts/contracts/show/{contract_id}").text
        names = (
            "submit",
            "return_to_draft",
            "activate",
            "mark_expiring",
            "expire",
            "renew",
            "terminate",
            "history",
        )
        return {n for n in names if f"/contracts/contracts/action/{n}/{contract_id}" in page}

    assert offered(draft.id) == {"submit", "history"}
    s.submit_for_review(session, draft)
    s.activate(session, draft)
    session.commit()
    assert offered(draft.id) == {"mark_expiring", "expire", "renew", "terminate", "history"}
