"""Dispatch: ranking with refusal reasons, the dispatcher's override, and the row-level rule
that technicians see only their own work orders ("My work orders")."""

import datetime

import pytest

from core.testing import create_user
from core.timeutil import utcnow
from plugins.maintenance import services as ms
from plugins.maintenance.services import dispatch
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    headers_for,
    open_order,
    refused,
    sh,
    sign_in,
)

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]

T0 = sh(2026, 11, 23, 9, 0)


@pytest.fixture
def world(app, session):
    made = build_world(app, session)
    user = create_user(app, ["Technician"])
    made.wu = ms.create_technician(
        session, user=user, name="Wu", region="Shanghai", skills="printer"
    )
    ms.add_certification(session, made.wu, "printer", "HP engineer", datetime.date(2026, 6, 30))
    made.users.append(user)
    session.commit()
    return made


def names(candidates):
    return [(c.technician.name, c.suitable) for c in candidates]


def test_ranking_puts_suitable_technicians_first_and_gives_the_others_reasons(session, world):
    order = open_order(session, world.unit, T0, region="Shanghai")
    ranked = dispatch.rank_technicians(session, order, T0)
    assert names(ranked) == [("Chen", True), ("Wu", False), ("Zhao", False)]
    wu, zhao = ranked[1], ranked[2]
    assert wu.reasons == ["no certification for printer valid on 2026-11-23"]
    assert zhao.reasons == ["lacks the skill printer"]
    assert ranked[0].same_region and not zhao.same_region


def test_workload_and_region_order_the_suitable_technicians(app, session, world):
    ms.add_certification(
        session, world.wu, "printer", "HP engineer 2027", datetime.date(2027, 12, 31), number="2"
    )
    busy = open_order(session, world.unit, T0)
    ms.assign(session, busy, world.techs[0].id, scheduled_start=sh(2026, 11, 24, 9, 0), now=T0)
    order = open_order(session, world.unit, T0, region="Shanghai")
    ranked = dispatch.rank_technicians(session, order, T0)
    assert names(ranked)[:2] == [("Wu", True), ("Chen", True)]  # Chen has an open order
    assert (ranked[0].workload, ranked[1].workload) == (0, 1)


def test_a_double_booking_is_refused_with_the_clashing_order(session, world):
    first = open_order(session, world.unit, T0)
    ms.assign(session, first, world.techs[0].id, scheduled_start=sh(2026, 11, 23, 10, 0), now=T0)
    second = open_order(session, world.unit, T0)
    message = refused(
        lambda: ms.assign(
            session, second, world.techs[0].id, scheduled_start=sh(2026, 11, 23, 11, 0), now=T0
        ),
        "technician_id",
        409,
    )
    assert f"booked on {first.number} from 11-23 10:00 to 12:00" in message
    ms.assign(session, second, world.techs[0].id, scheduled_start=sh(2026, 11, 23, 12, 0), now=T0)
    assert second.state == "assigned"


def test_an_unqualified_technician_is_refused_unless_the_dispatcher_overrides(session, world):
    from core.audit.service import record_history

    order = open_order(session, world.unit, T0)
    message = refused(
        lambda: ms.assign(session, order, world.techs[1].id, now=T0), "technician_id", 409
    )
    assert "lacks the skill printer" in message
    ms.assign(session, order, world.techs[1].id, override_reason="Only one on site today", now=T0)
    session.commit()
    assert order.technician.name == "Zhao"
    assert "Only one on site today" in order.assignment_override
    assert "lacks the skill printer" in order.assignment_override
    changes = record_history(session, "maintenance_work_order", order.id)[0].changes
    assert "Only one on site today" in changes["assignment_override"][1]


def test_inspections_are_booked_on_their_due_day(session, world):
    from plugins.maintenance.services import generation, plans

    plan = plans.create_plan(
        session, name="Monthly", product_type="Printer", interval_count=1, duration_minutes=30
    )
    generation.generate(session, plan, datetime.date(2026, 11, 27))
    order = session.query(ms.WorkOrder).filter_by(plan_id=plan.id).first()
    ms.assign(session, order, world.techs[0].id, now=T0)
    start = order.scheduled_start.astimezone(sh(2026, 1, 1).tzinfo)
    assert (start.date(), start.hour, order.planned_minutes) == (order.due_date, 9, 30)


def test_api_ranks_candidates_and_only_dispatchers_assign(client, api_headers, session, world):
    order = open_order(session, world.unit, T0)
    session.commit()
    dispatcher = api_headers("Dispatcher")
    ranked = client.get(f"/api/v1/work_order/{order.id}/candidates", headers=dispatcher)
    assert ranked.status_code == 200
    assert [c["name"] for c in ranked.json["candidates"]] == ["Chen", "Wu", "Zhao"]
    assert ranked.json["candidates"][2]["reasons"] == ["lacks the skill printer"]
    tech = headers_for(client, world.users[0])
    denied = client.post(
        f"/api/v1/work_order/{order.id}/assign",
        json={"technician_id": world.techs[0].id},
        headers=tech,
    )
    assert denied.status_code in (403, 404)
    refusal = client.post(
        f"/api/v1/work_order/{order.id}/assign",
        json={"technician_id": world.techs[1].id},
        headers=dispatcher,
    )
    assert (refusal.status_code, refusal.json["field"]) == (409, "technician_id")
    done = client.post(
        f"/api/v1/work_order/{order.id}/assign",
        json={"technician_id": world.techs[1].id, "override_reason": "Customer asked for Zhao"},
        headers=dispatcher,
    )
    assert done.status_code == 200 and done.json["technician_id"] == world.techs[1].id
    assert client.get(f"/api/v1/work_order/{order.id}/candidates", headers=tech).status_code == 403


# --- technicians see only their own orders ----------------------------------------------------


def two_orders(session, world):
    mine = open_order(session, world.unit, T0)
    ms.assign(session, mine, world.techs[0].id, now=T0)
    theirs = open_order(session, world.unit, T0)
    ms.assign(
        session, theirs, world.techs[1].id, override_reason="test", now=T0
    )  # Zhao lacks the printer skill
    unassigned = open_order(session, world.unit, T0)
    session.commit()
    return mine, theirs, unassigned


def test_a_technician_lists_and_opens_only_their_own_orders(client, session, world):
    mine, theirs, unassigned = two_orders(session, world)
    headers = headers_for(client, world.users[0])
    listed = client.get("/api/v1/work_order/", headers=headers).json
    assert [row["number"] for row in listed["result"]] == [mine.number]
    assert client.get(f"/api/v1/work_order/{theirs.id}", headers=headers).status_code == 404
    acted = client.post(f"/api/v1/work_order/{theirs.id}/start", headers=headers)
    assert (acted.status_code, acted.json["field"]) == (404, "work_order")
    assert client.post(f"/api/v1/work_order/{mine.id}/start", headers=headers).status_code == 200
    timeline = client.get(f"/api/v1/work_order/{unassigned.id}/timeline", headers=headers)
    assert timeline.status_code == 404


def test_the_technicians_screens_show_only_their_own_orders(client, session, world):
    mine, theirs, unassigned = two_orders(session, world)
    sign_in(client, world.users[0])
    page = client.get("/maintenance/work-orders/list/").text
    assert mine.number in page and theirs.number not in page and unassigned.number not in page
    shown = client.get(f"/maintenance/work-orders/show/{theirs.id}")
    assert shown.status_code == 404
    client.post(f"/maintenance/work-orders/act/{theirs.id}/cancel", data={"reason": "mine now"})
    session.expire_all()
    assert theirs.state == "assigned"


def test_dispatchers_see_every_order(client, api_headers, session, world):
    orders = two_orders(session, world)
    listed = client.get("/api/v1/work_order/", headers=api_headers("Dispatcher")).json
    assert {row["number"] for row in listed["result"]} == {o.number for o in orders}


def test_my_work_orders_lists_today_and_the_week(client, session, world):
    now = utcnow()
    today = ms.create_work_order(session, equipment_id=world.unit.id, title="Today job")
    ms.assign(session, today, world.techs[0].id, scheduled_start=now, now=now)
    week = ms.create_work_order(session, equipment_id=world.unit.id, title="Later job")
    ms.assign(
        session,
        week,
        world.techs[0].id,
        scheduled_start=now + datetime.timedelta(days=3),
        now=now,
    )
    far = ms.create_work_order(session, equipment_id=world.unit.id, title="Far job")
    ms.assign(
        session,
        far,
        world.techs[0].id,
        scheduled_start=now + datetime.timedelta(days=20),
        now=now,
    )
    other = ms.create_work_order(session, equipment_id=world.unit.id, title="Not mine")
    ms.assign(session, other, world.wu.id, override_reason="x")
    session.commit()
    sign_in(client, world.users[0])
    page = client.get("/maintenance/my-work-orders/").text
    assert "Today job" in page and "Later job" in page
    assert "Far job" not in page and "Not mine" not in page
    assert page.index("Today job") < page.index("Later job")
    assert f"/maintenance/work-orders/action/start/{today.id}" in page
