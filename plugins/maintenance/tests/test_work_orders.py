"""Maintenance records and the corrective work order lifecycle: services, API and screens."""

import datetime

import pytest

from core.events import events_published
from core.testing import count_statements, token_headers
from core.timeutil import utcnow
from plugins.maintenance import events
from plugins.maintenance import services as ms
from plugins.maintenance.models import STATES, FaultReport, WorkOrder
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    open_order,
    refused,
    sh,
)

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]


@pytest.fixture
def world(app, session):
    return build_world(app, session)


T0 = sh(2026, 11, 23, 9, 0)  # a Monday morning


def at(hours: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=hours)


def order_in_state(session, world, state: str) -> WorkOrder:
    """An order brought to ``state`` through the actions."""
    order = open_order(session, world.unit, T0)
    path = {
        "new": [],
        "assigned": ["assign"],
        "in_progress": ["assign", "start"],
        "waiting_parts": ["assign", "start", "wait_for_parts"],
        "done": ["assign", "start", "complete"],
        "confirmed": ["assign", "start", "complete", "confirm"],
        "closed": ["assign", "start", "complete", "confirm", "close"],
        "cancelled": ["cancel"],
    }[state]
    values = {
        "technician_id": world.techs[0].id,
        "diagnosis_cause": "Worn pick-up roller",
        "repair_actions": "Replaced the roller",
        "labour_minutes": 45,
        "confirmed_by": "Wang Lei",
        "reason": "Duplicate report",
    }
    for step, action in enumerate(path, 1):
        ms.run_action(session, order, action, values, now=at(step))
    session.commit()
    assert order.state == state
    return order


# --- records ----------------------------------------------------------------------------------


def test_technician_needs_a_user_name_region_and_known_working_hours(app, session, world):
    from core.testing import create_user

    user = create_user(app, ["Technician"])
    refused(lambda: ms.create_technician(session, name="Li", region="Beijing"), "user")
    refused(lambda: ms.create_technician(session, user=user, name="", region="X"), "name")
    refused(lambda: ms.create_technician(session, user=user, name="Li", region=" "), "region")
    refused(
        lambda: ms.create_technician(
            session, user=user, name="Li", region="Beijing", calendar_code="6x10"
        ),
        "calendar_code",
    )
    refused(
        lambda: ms.create_technician(
            session, user=user, name="Li", region="Beijing", skills="hvac, bad skill!"
        ),
        "skills",
    )
    made = ms.create_technician(
        session, user=user, name=" Li ", region="Beijing", skills="HVAC, printer, hvac"
    )
    assert (made.name, made.skills, made.calendar_code) == ("Li", "hvac, printer", "5x8")


def test_one_user_is_linked_to_one_technician_only(session, world):
    message = refused(
        lambda: ms.create_technician(session, user=world.users[0], name="Again", region="Shanghai"),
        "user",
        409,
    )
    assert "already linked" in message


def test_a_certification_counts_only_until_its_expiry_date(session, world):
    tech = world.techs[0]
    ms.add_certification(session, tech, "Elevator", "Lift inspector", datetime.date(2026, 12, 31))
    refused(
        lambda: ms.add_certification(session, tech, "a, b", "Two", datetime.date(2027, 1, 1)),
        "skill",
    )
    refused(
        lambda: ms.add_certification(session, tech, "elevator", "Again", datetime.date(2027, 1, 1)),
        "number",
        409,
    )
    assert ms.valid_certification(tech, "elevator", datetime.date(2026, 12, 31)) is not None
    assert ms.valid_certification(tech, "elevator", datetime.date(2027, 1, 1)) is None
    assert ms.valid_certification(tech, "ultrasound", datetime.date(2026, 6, 1)) is None


def test_fault_reports_are_numbered_and_need_equipment_and_a_symptom(session, world):
    first = ms.create_fault_report(
        session, equipment_id=world.unit.id, symptom="Jams every 20 pages", priority="P2"
    )
    second = ms.create_fault_report(session, equipment_id=world.unit.id, symptom="Noise")
    year = utcnow().astimezone(sh(2026, 1, 1).tzinfo).year
    assert first.number == f"FR-{year}-00001" and second.number == f"FR-{year}-00002"
    assert (first.source, second.priority) == ("hotline", "P3")
    refused(lambda: ms.create_fault_report(session, symptom="x"), "equipment")
    refused(lambda: ms.create_fault_report(session, equipment_id=world.unit.id), "symptom")
    refused(
        lambda: ms.create_fault_report(
            session, equipment_id=world.unit.id, symptom="x", priority="P9"
        ),
        "priority",
    )
    refused(
        lambda: ms.create_fault_report(
            session,
            equipment_id=world.unit.id,
            symptom="x",
            seen_at=utcnow() + datetime.timedelta(days=1),
        ),
        "seen_at",
    )


# --- the lifecycle ----------------------------------------------------------------------------


def test_work_orders_are_numbered_from_the_wo_sequence(session, world):
    first = open_order(session, world.unit, T0)
    second = open_order(session, world.unit, T0)
    assert first.number.startswith("WO-") and first.number.endswith("00001")
    assert second.number.endswith("00002")
    assert (first.state, first.kind) == ("new", "corrective")


def test_a_corrective_order_goes_from_new_to_closed_publishing_its_events(session, world):
    order = open_order(session, world.unit, T0)
    with events_published(events.Event) as seen:
        ms.assign(session, order, world.techs[0].id, now=at(1))
        ms.start(session, order, now=at(2))
        ms.wait_for_parts(session, order, now=at(3))
        ms.parts_arrived(session, order, now=at(4))
        ms.complete(
            session,
            order,
            cause="Worn pick-up roller",
            repair_plan="Replace the roller",
            actions="Replaced the roller, test print OK",
            labour_minutes=50,
            now=at(5),
        )
        ms.confirm(session, order, "Wang Lei", "Works again", now=at(6))
        ms.close(session, order, now=at(7))
    session.commit()
    changes = [e for e in seen if isinstance(e, events.WorkOrderStateChanged)]
    assert [(e.from_state, e.to_state) for e in changes] == [
        ("new", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "waiting_parts"),
        ("waiting_parts", "in_progress"),
        ("in_progress", "done"),
        ("done", "confirmed"),
        ("confirmed", "closed"),
    ]
    done = next(e for e in seen if isinstance(e, events.WorkOrderDone))
    assert (done.labour_minutes, done.chargeable, done.contract_id) == (
        50,
        False,
        world.contract.id,
    )
    closed = next(e for e in seen if isinstance(e, events.WorkOrderClosed))
    assert (closed.confirmed_by, closed.technician_id) == ("Wang Lei", world.techs[0].id)
    assert order.technician.name == "Chen" and order.closed_at is not None


@pytest.mark.parametrize("state", STATES)
def test_every_action_the_table_does_not_allow_is_refused_with_409(session, world, state):
    order = order_in_state(session, world, state)
    allowed = set(ms.available_actions(order))
    assert allowed == {a for a, states in ms.ALLOWED_FROM.items() if state in states} - {
        "customer_back"
    }
    for action in set(ms.ACTIONS) - allowed:
        message = refused(
            lambda action=action: ms.run_action(
                session, order, action, {"technician_id": world.techs[0].id, "reason": "x"}
            ),
            "state",
            409,
        )
        assert order.number in message
        session.rollback()
        assert session.get(WorkOrder, order.id).state == state


def test_while_waiting_for_the_customer_only_resume_or_cancel_are_allowed(session, world):
    order = order_in_state(session, world, "in_progress")
    ms.wait_for_customer(session, order, "Customer's site closed", now=at(3))
    assert ms.available_actions(order) == ["cancel", "customer_back"]
    message = refused(lambda: ms.complete(session, order, now=at(4)), "state", 409)
    assert "waits for the customer" in message
    refused(lambda: ms.wait_for_customer(session, order, now=at(4)), "state", 409)
    ms.customer_back(session, order, now=at(5))
    assert "complete" in ms.available_actions(order) and not order.waiting_for_customer


def test_completing_needs_the_cause_the_repair_actions_and_the_labour_time(session, world):
    order = order_in_state(session, world, "in_progress")
    refused(lambda: ms.complete(session, order, actions="x", labour_minutes=5), "diagnosis_cause")
    refused(lambda: ms.complete(session, order, cause="x", labour_minutes=5), "repair_actions")
    refused(lambda: ms.complete(session, order, cause="x", actions="y"), "labour_minutes")
    refused(
        lambda: ms.complete(session, order, cause="x", actions="y", labour_minutes="lots"),
        "labour_minutes",
    )
    refused(
        lambda: ms.complete(session, order, cause="x", actions="y", labour_minutes=-5),
        "labour_minutes",
    )


def test_cancelling_needs_a_reason_and_a_cancelled_order_cannot_be_edited(session, world):
    order = order_in_state(session, world, "assigned")
    refused(lambda: ms.cancel(session, order, "  "), "reason")
    ms.cancel(session, order, "Customer withdrew the request", now=at(3))
    assert order.cancel_reason == "Customer withdrew the request"
    assert order.clock_events[-1].kind == "stopped"
    order.title = "Changed"
    refused(lambda: ms.prepare_work_order(session, order), "state", 409)


def test_assigning_needs_an_active_technician(session, world):
    order = open_order(session, world.unit, T0)
    refused(lambda: ms.assign(session, order, None), "technician_id")
    refused(lambda: ms.assign(session, order, 9999), "technician_id")
    world.techs[1].active = False
    refused(lambda: ms.assign(session, order, world.techs[1].id), "technician_id", 409)
    ms.assign(session, order, world.techs[0].id)
    ms.assign(session, order, world.techs[0].id)  # re-assigning stays assigned
    assert order.state == "assigned"


def test_every_transition_is_in_the_audit_log(session, world):
    from core.audit.service import record_history

    order = order_in_state(session, world, "in_progress")
    history = record_history(session, "maintenance_work_order", order.id)
    states = [h.changes.get("state") for h in reversed(history) if "state" in h.changes]
    assert states == ["new", ["new", "assigned"], ["assigned", "in_progress"]]


# --- fault report to work order ---------------------------------------------------------------


def test_a_fault_report_becomes_a_work_order_in_one_action_once(session, world):
    report = ms.create_fault_report(
        session,
        equipment_id=world.unit.id,
        symptom="E7 on the display\nunit stops",
        priority="P2",
        reported_at=T0,
        now=T0,
    )
    order = ms.raise_work_order(session, report, now=at(1))
    assert (order.title, order.priority, order.fault_report, order.opened_at) == (
        "E7 on the display",
        "P2",
        report,
        T0,
    )
    message = refused(lambda: ms.raise_work_order(session, report), "fault_report", 409)
    assert order.number in message


def test_a_fault_published_by_another_plugin_opens_a_report_and_an_order(session, world):
    from core.events import publish

    publish(
        session,
        events.FaultReported(equipment_id=world.unit.id, symptom="Overheats", priority="P1"),
    )
    session.commit()
    report = session.query(FaultReport).one()
    assert report.source == "plugin" and report.work_order.priority == "P1"


def test_a_bad_fault_event_aborts_the_publishers_transaction(session, world):
    from core.events import publish

    with pytest.raises(ms.MaintenanceError):
        publish(session, events.FaultReported(equipment_id=world.unit.id, symptom=" "))
    session.rollback()
    assert session.query(FaultReport).count() == 0


# --- REST API ---------------------------------------------------------------------------------


def test_api_runs_each_action_on_its_own_endpoint(client, api_headers, session, world):
    headers = api_headers("Dispatcher")
    made = client.post(
        "/api/v1/work_order/",
        json={"equipment": world.unit.id, "title": "Jam", "priority": "P2"},
        headers=headers,
    )
    assert made.status_code == 201, made.json
    pk = made.json["id"]
    assigned = client.post(
        f"/api/v1/work_order/{pk}/assign",
        json={"technician_id": world.techs[0].id},
        headers=headers,
    )
    assert assigned.status_code == 200, assigned.json
    assert assigned.json["state"] == "assigned"
    assert "start" in assigned.json["actions"] and "assign" in assigned.json["actions"]
    shown = client.get(f"/api/v1/work_order/{pk}", headers=headers).json["result"]
    assert shown["number"].startswith("WO-") and shown["contract"]["number"]


def test_api_illegal_transition_answers_409_naming_the_state_and_changes_nothing(
    client, api_headers, session, world
):
    headers = api_headers("Dispatcher")
    order = open_order(session, world.unit, T0)
    session.commit()
    answer = client.post(f"/api/v1/work_order/{order.id}/close", json={}, headers=headers)
    assert answer.status_code == 409
    assert answer.json["field"] == "state" and "new" in answer.json["message"]
    unknown = client.post(f"/api/v1/work_order/{order.id}/explode", json={}, headers=headers)
    assert (unknown.status_code, unknown.json["field"]) == (404, "action")
    bad = client.post(f"/api/v1/work_order/{order.id}/assign", json={}, headers=headers)
    assert (bad.status_code, bad.json["field"]) == (422, "technician_id")
    missing = client.post("/api/v1/work_order/999/start", json={}, headers=headers)
    assert missing.status_code == 404
    gone = client.delete(f"/api/v1/work_order/{order.id}", headers=headers)
    assert gone.status_code == 405  # no delete route: orders are cancelled with a reason
    session.expire_all()
    assert session.get(WorkOrder, order.id).state == "new"


def test_api_create_refusal_names_the_field(client, api_headers, world):
    headers = api_headers("Dispatcher")
    bad = client.post(
        "/api/v1/work_order/",
        json={"equipment": world.unit.id, "title": "x", "site_time_zone": "Mars/Base"},
        headers=headers,
    )
    assert (bad.status_code, bad.json["field"]) == (422, "site_time_zone")
    untitled = client.post(
        "/api/v1/work_order/", json={"equipment": world.unit.id}, headers=headers
    )
    assert (untitled.status_code, untitled.json["field"]) == (422, "title")


def test_api_turns_a_fault_report_into_a_work_order(client, api_headers, world):
    headers = api_headers("Dispatcher")
    report = client.post(
        "/api/v1/fault_report/",
        json={"equipment": world.unit.id, "symptom": "No power", "priority": "P1"},
        headers=headers,
    )
    assert report.status_code == 201, report.json
    pk = report.json["id"]
    made = client.post(f"/api/v1/fault_report/{pk}/work_order", headers=headers)
    assert made.status_code == 201 and made.json["state"] == "new"
    again = client.post(f"/api/v1/fault_report/{pk}/work_order", headers=headers)
    assert (again.status_code, again.json["field"]) == (409, "fault_report")


def test_technician_cannot_create_fault_reports(client, api_headers, world):
    answer = client.post(
        "/api/v1/fault_report/",
        json={"equipment": world.unit.id, "symptom": "x"},
        headers=api_headers("Technician"),
    )
    assert answer.status_code == 403


# --- screens ----------------------------------------------------------------------------------


def test_the_order_page_shows_only_the_actions_its_state_allows(client, login_as, session, world):
    login_as("Dispatcher")
    order = open_order(session, world.unit, T0)
    session.commit()
    page = client.get(f"/maintenance/work-orders/show/{order.id}").text
    assert "/action/assign/" in page and "/action/cancel/" in page
    assert "/action/start/" not in page and "/action/close/" not in page
    assert order.number in page


def test_screen_actions_run_through_their_forms(client, login_as, session, world):
    login_as("Dispatcher")
    order = open_order(session, world.unit, T0)
    session.commit()
    form = client.get(f"/maintenance/work-orders/act/{order.id}/assign")
    assert form.status_code == 200 and "Chen" in form.text
    client.post(
        f"/maintenance/work-orders/act/{order.id}/assign",
        data={"technician_id": str(world.techs[0].id)},
    )
    client.post(f"/maintenance/work-orders/action/start/{order.id}")
    refused_page = client.post(
        f"/maintenance/work-orders/act/{order.id}/cancel", data={"reason": ""}
    )
    assert "reason: is required" in refused_page.text
    session.expire_all()
    assert session.get(WorkOrder, order.id).state == "in_progress"


def test_fault_report_screen_opens_a_work_order(client, login_as, session, world):
    login_as("Dispatcher")
    report = ms.create_fault_report(session, equipment_id=world.unit.id, symptom="Leaks water")
    session.commit()
    answer = client.post(f"/maintenance/fault-reports/action/raise_work_order/{report.id}")
    assert answer.status_code == 302 and "/maintenance/work-orders/show/" in answer.location
    session.expire_all()
    assert session.get(FaultReport, report.id).work_order is not None


@pytest.mark.parametrize("url", ["/maintenance/work-orders/list/", "/api/v1/work_order/"])
def test_work_order_lists_cost_the_same_queries_for_2_or_12_rows(
    app, client, login_as, session, world, url
):
    from core.extensions import db
    from core.testing import create_user

    login_as("Dispatcher")
    headers = {}
    if url.startswith("/api"):
        user = create_user(app, ["Dispatcher"])
        headers = token_headers(client, user.username)

    def add_rows(count):
        for i in range(count):
            order = open_order(session, world.unit if i % 2 else world.bare, T0)
            start = at(3 * (count * 10 + i))  # one booking after the other
            ms.assign(session, order, world.techs[0].id, scheduled_start=start, now=T0)
        session.commit()
        session.expire_all()

    def fetch():
        assert client.get(url, headers=headers).status_code == 200

    add_rows(2)
    few = min(count_statements(db.engine, fetch) for _ in range(2))
    add_rows(10)
    many = min(count_statements(db.engine, fetch) for _ in range(2))
    assert many == few


def test_demo_data_loads_twice_with_orders_in_several_states(app, session):
    from core.demo.service import load_demo
    from plugins.maintenance.models import MaintenancePlan, Technician

    load_demo(session, 1)
    session.commit()
    load_demo(session, 1)
    session.commit()
    states = {o.state for o in session.query(WorkOrder)}
    assert {"new", "assigned", "in_progress", "done", "closed"} <= states
    assert session.query(Technician).count() == 6
    assert session.query(MaintenancePlan).count() == 2
    assert session.query(WorkOrder).filter_by(kind="inspection").count() > 0


def test_dispatchers_see_open_orders_by_state_on_the_dashboard(client, login_as, session, world):
    order_in_state(session, world, "assigned")
    open_order(session, world.unit, T0)
    session.commit()
    login_as("Dispatcher")
    page = client.get("/").text
    assert 'id="widget-maintenance_open_by_state"' in page
    assert ms.count_open_by_state(session)["new"] == 1
    assert ms.count_open_by_state(session)["assigned"] == 1


def test_technicians_do_not_see_the_all_orders_dashboard_chart(client, login_as, world):
    login_as("Technician")
    assert 'id="widget-maintenance_open_by_state"' not in client.get("/").text
