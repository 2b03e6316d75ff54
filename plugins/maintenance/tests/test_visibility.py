"""Who sees which work order, on every screen and endpoint: a role x endpoint matrix.

Two inspections, one assigned to each technician, each with part lines, an SLA timeline and
checklist results carrying text of its own. A technician sees their own order and its rows
everywhere, and the other order nowhere (lists, pages, pickers, filters, reports, PDFs, API,
actions); dispatchers and service managers see both. Closing is theirs alone.
"""

import datetime

import pytest
from sqlalchemy import select

from core.testing import create_user
from plugins.maintenance import services as ms
from plugins.maintenance.models import ClockEvent, InspectionResult, WorkOrder, WorkOrderPart
from plugins.maintenance.services import parts, plans
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    headers_for,
    plan_inspection,
    printer_plan,
    sign_in,
)

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
CHECKLIST = [{"name": "Fuser", "min_value": "180", "max_value": "200"}]


def inspection(session, world, plan, technician, mark, due):
    """An assigned, started inspection whose rows all carry ``mark``."""
    order = plan_inspection(session, world.unit, plan, due, title=f"Inspection {mark}", now=T0)
    session.flush()
    ms.assign(session, order, technician.id, override_reason="test", now=T0)
    ms.start(session, order, now=T0)
    ms.wait_for_customer(session, order, f"pause-{mark}", now=T0)
    ms.customer_back(session, order, f"back-{mark}", now=T0)
    plans.record_result(session, order, order.results[0].id, outcome="pass", notes=f"note-{mark}")
    if not parts.inventory_enabled():
        parts.add_part_line(session, order, quantity="1", description=f"part-{mark}")
    return order


@pytest.fixture
def orders(app, session):
    world = build_world(app, session)
    plan = printer_plan(
        session,
        name="Quarterly",
        interval_count=3,
        horizon_days=90,
        duration_minutes=60,
        items=CHECKLIST,
    )
    mine = inspection(session, world, plan, world.techs[0], "MINE", datetime.date(2026, 12, 1))
    theirs = inspection(session, world, plan, world.techs[1], "THEIRS", datetime.date(2026, 12, 2))
    session.commit()
    return world, mine, theirs


def child_id(session, model, order):
    query = select(model.id).where(model.work_order_id == order.id)
    if model is ClockEvent:
        query = query.where(ClockEvent.note.like("pause-%"))  # the entry that shows a text
    return session.scalar(query.limit(1))


def endpoints(session, order):
    """(name, method, url, json body) of every screen and endpoint that shows ``order`` or
    its rows; ``"list"`` entries show many orders."""
    pk = order.id
    result = order.results[0].id
    screens = [
        ("work order list", "get", "/maintenance/work-orders/list/", None),
        ("work order page", "get", f"/maintenance/work-orders/show/{pk}", None),
        ("action form", "get", f"/maintenance/work-orders/act/{pk}/wait_for_customer", None),
        ("parts form", "get", f"/maintenance/work-orders/parts/{pk}", None),
        ("checklist", "get", f"/maintenance/work-orders/results/{pk}", None),
        ("inspection report", "get", f"/maintenance/work-orders/report/{pk}", None),
        ("inspection report PDF", "get", f"/maintenance/work-orders/report/{pk}/pdf", None),
        ("timeline list", "get", "/maintenance/clock-events/list/", None),
        (
            "timeline entry",
            "get",
            f"/maintenance/clock-events/show/{child_id(session, ClockEvent, order)}",
            None,
        ),
        ("results list", "get", "/maintenance/inspection-results/list/", None),
        ("result page", "get", f"/maintenance/inspection-results/show/{result}", None),
        ("my work orders", "get", "/maintenance/my-work-orders/", None),
    ]
    if not parts.inventory_enabled():
        line = child_id(session, WorkOrderPart, order)
        screens += [
            ("part lines list", "get", "/maintenance/work-order-parts/list/", None),
            ("part line page", "get", f"/maintenance/work-order-parts/show/{line}", None),
        ]
    api = [
        ("API list", "get", "/api/v1/work_order/", None),
        ("API order", "get", f"/api/v1/work_order/{pk}", None),
        ("API timeline", "get", f"/api/v1/work_order/{pk}/timeline", None),
        ("API candidates (dispatch)", "get", f"/api/v1/work_order/{pk}/candidates", None),
        ("API report", "get", f"/api/v1/work_order/{pk}/report", None),
        ("API report PDF", "get", f"/api/v1/work_order/{pk}/report/pdf", None),
    ]
    return screens, api


def shows(answer, order, mark, listing):
    """Whether a screen or API answer shows ``order``: a list shows its number or its rows'
    texts; a record's own endpoint answers at all (JSON, PDF or a page naming it)."""
    if answer.status_code != 200:
        return False
    if not listing and answer.mimetype in ("application/pdf", "application/json"):
        return True
    text = answer.get_data(as_text=True)
    return order.number in text or f"-{mark}" in text


@pytest.mark.parametrize("role", ["Technician", "Dispatcher", "Service Manager"])
def test_each_role_sees_exactly_the_orders_it_may_on_every_screen_and_endpoint(
    app, client, session, orders, role
):
    world, mine, theirs = orders
    user = world.users[0] if role == "Technician" else create_user(app, [role])
    sign_in(client, user)
    headers = headers_for(client, user)
    wrong = []
    checked = 0
    for order, mark in ((mine, "MINE"), (theirs, "THEIRS")):
        expected = role != "Technician" or order is mine
        screens, api = endpoints(session, order)
        for name, method, url, body in screens + api:
            if role != "Technician" and name == "my work orders":
                continue  # a dispatcher's own list: no order is assigned to them
            if role == "Technician" and "(dispatch)" in name:
                continue  # needs the dispatch permission: 403 for every order
            kwargs = {"headers": headers} if url.startswith("/api/") else {}
            answer = getattr(client, method)(url, json=body, **kwargs)
            listing = "list" in name or name == "my work orders"
            if shows(answer, order, mark, listing) != expected:
                wrong.append(f"{role} {name} {url}: {answer.status_code}, expected {expected}")
            api_record = url.startswith("/api/") and not listing
            if not expected and api_record and answer.status_code != 404:
                wrong.append(f"{role} {name} {url}: {answer.status_code}, expected 404")
            checked += 1
    assert wrong == [], "\n".join(wrong)
    assert checked >= 30


def test_pickers_and_filters_offer_a_technician_only_their_own_orders(client, session, orders):
    world, mine, theirs = orders
    sign_in(client, world.users[0])
    for url in (
        "/maintenance/clock-events/list/",
        "/maintenance/inspection-results/list/",
        "/maintenance/work-orders/list/",
    ):
        page = client.get(url).text
        assert theirs.number not in page, url
    info = client.get("/api/v1/work_order/_info", headers=headers_for(client, world.users[0])).json
    assert theirs.number not in str(info)


def test_a_technician_cannot_act_on_or_write_into_another_technicians_order(
    client, session, orders
):
    world, mine, theirs = orders
    headers = headers_for(client, world.users[0])
    pk, result = theirs.id, theirs.results[0].id
    attempts = [
        ("post", f"/api/v1/work_order/{pk}/wait_for_customer", {"note": "x"}),
        ("post", f"/api/v1/work_order/{pk}/parts", {"quantity": "1", "description": "x"}),
        ("post", f"/api/v1/work_order/{pk}/results/{result}", {"outcome": "fail"}),
        ("post", f"/api/v1/work_order/{pk}/findings", {"risks": "x"}),
        ("post", f"/api/v1/work_order/{pk}/results/{result}/corrective", {}),
        ("put", f"/api/v1/work_order/{pk}", {"title": "taken"}),
    ]
    for method, url, body in attempts:
        answer = getattr(client, method)(url, json=body, headers=headers)
        assert answer.status_code == 404, (url, answer.status_code, answer.text)
    sign_in(client, world.users[0])
    client.post(f"/maintenance/work-orders/action/wait_for_customer/{pk}")
    client.post(f"/maintenance/work-orders/results/{pk}", data={"notes_" + str(result): "x"})
    session.expire_all()
    order = session.get(WorkOrder, pk)
    assert order.title == "Inspection THEIRS" and order.paused_since is None
    assert session.get(InspectionResult, result).notes == "note-THEIRS"
    assert order.risks == ""


def test_closing_an_order_is_for_dispatch_not_for_the_technician(client, session, orders):
    world, mine, _theirs = orders
    ms.complete(
        session,
        mine,
        cause="worn",
        repair_plan="swap",
        actions="swapped",
        labour_minutes=30,
        now=T0,
    )
    session.commit()
    tech = headers_for(client, world.users[0])
    confirmed = client.post(
        f"/api/v1/work_order/{mine.id}/confirm", json={"confirmed_by": "Ms Li"}, headers=tech
    )
    assert confirmed.status_code == 200 and confirmed.json["state"] == "confirmed"
    assert "close" not in confirmed.json["actions"]
    refused = client.post(f"/api/v1/work_order/{mine.id}/close", json={}, headers=tech)
    assert refused.status_code == 403 and refused.json["field"] == "action"
    sign_in(client, world.users[0])
    page = client.get(f"/maintenance/work-orders/show/{mine.id}").text
    assert "/action/close/" not in page
    client.post(f"/maintenance/work-orders/action/close/{mine.id}")
    session.expire_all()
    assert session.get(WorkOrder, mine.id).state == "confirmed"
    dispatcher = headers_for(client, create_user(client.application, ["Dispatcher"]))
    closed = client.post(f"/api/v1/work_order/{mine.id}/close", json={}, headers=dispatcher)
    assert closed.status_code == 200 and closed.json["state"] == "closed"


def test_the_contract_service_report_lists_a_technician_only_their_own_orders(
    app, client, session, orders
):
    world, _mine, _theirs = orders
    own, other = (
        ms.create_work_order(
            session, equipment_id=world.unit.id, title="Jam", priority="P2", opened_at=T0, now=T0
        )
        for _ in range(2)
    )
    ms.assign(session, own, world.techs[0].id, override_reason="test", now=T0)
    ms.assign(session, other, world.techs[1].id, override_reason="test", now=T0)
    session.commit()
    period = "?from=2026-11-01&to=2026-11-30"
    sign_in(client, world.users[0])
    page = client.get(f"/contracts/report/{world.contract.id}/{period}").text
    assert own.number in page and other.number not in page
    client.get("/logout/")
    sign_in(client, create_user(app, ["Dispatcher"]))
    page = client.get(f"/contracts/report/{world.contract.id}/{period}").text
    assert own.number in page and other.number in page
