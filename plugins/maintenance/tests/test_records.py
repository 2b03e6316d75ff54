"""Records that are kept (no delete anywhere) and who may open a work order."""

import datetime

import pytest
from sqlalchemy import func, select

from plugins.maintenance import services as ms
from plugins.maintenance.models import FaultReport, InspectionResult, MaintenancePlan, WorkOrder
from plugins.maintenance.services import plans
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    headers_for,
    open_order,
    plan_inspection,
    printer_plan,
    sign_in,
)

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def quarterly(session, items, **extra):
    """A quarterly printer plan with ``items``."""
    values = {"interval_count": 3, "horizon_days": 90, "duration_minutes": 60, **extra}
    return printer_plan(session, name="Quarterly", items=items, **values)


@pytest.fixture
def records(session, world):
    order = open_order(session, world.unit, T0)
    report = ms.create_fault_report(session, equipment_id=world.unit.id, symptom="No power")
    plan = quarterly(session, [{"name": "Fuser", "min_value": "180", "max_value": "200"}])
    session.commit()
    return {
        "work-orders": order,
        "fault-reports": report,
        "technicians": world.techs[0],
        "plans": plan,
    }


API = {
    "work-orders": "work_order",
    "fault-reports": "fault_report",
    "technicians": "technician",
    "plans": "maintenance_plan",
}


def test_kept_records_offer_no_delete_on_screens(client, login_as, records):
    login_as("Service Manager")
    for route, record in records.items():
        listed = client.get(f"/maintenance/{route}/list/")
        assert listed.status_code == 200, route
        assert f"/maintenance/{route}/delete/" not in listed.text, route
        shown = client.get(f"/maintenance/{route}/show/{record.id}")
        assert shown.status_code == 200 and f"/{route}/delete/" not in shown.text, route
        gone = client.post(f"/maintenance/{route}/delete/{record.id}")
        assert gone.status_code in (404, 405), route


def test_kept_records_offer_no_delete_in_the_api(client, api_headers, session, records):
    headers = api_headers("Service Manager")
    for route, record in records.items():
        answer = client.delete(f"/api/v1/{API[route]}/{record.id}", headers=headers)
        assert answer.status_code == 405, route
        info = client.get(f"/api/v1/{API[route]}/_info", headers=headers)
        assert "can_delete" not in info.json["permissions"], route
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == 1
    assert session.scalar(select(func.count()).select_from(FaultReport)) == 1
    assert session.scalar(select(func.count()).select_from(MaintenancePlan)) == 1


def test_a_technician_cannot_open_a_work_order_on_screen_or_through_the_api(client, session, world):
    sign_in(client, world.users[0])
    listed = client.get("/maintenance/work-orders/list/")
    assert listed.status_code == 200
    assert "/maintenance/work-orders/add" not in listed.text
    form = client.get("/maintenance/work-orders/add")
    assert form.status_code in (302, 403)  # access denied
    client.post(
        "/maintenance/work-orders/add",
        data={"equipment": world.unit.id, "title": "Mine", "priority": "P3"},
    )
    answer = client.post(
        "/api/v1/work_order/",
        json={"equipment": world.unit.id, "title": "Mine"},
        headers=headers_for(client, world.users[0]),
    )
    assert answer.status_code == 403
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == 0


def test_the_service_refuses_opening_without_dispatch():
    with pytest.raises(ms.MaintenanceError) as info:
        ms.check_may_open(False)
    assert (info.value.field, info.value.status) == ("work_order", 403)
    ms.check_may_open(True)


def test_a_dispatcher_opens_an_order_on_the_screen(client, login_as, session, world):
    login_as("Dispatcher")
    assert "/maintenance/work-orders/add" in client.get("/maintenance/work-orders/list/").text
    answer = client.post(
        "/maintenance/work-orders/add",
        data={
            "equipment": world.unit.id,
            "title": "Jam",
            "priority": "P2",
            "kind": "corrective",
            "region": "Shanghai",
            "site_time_zone": "Asia/Shanghai",
        },
        follow_redirects=True,
    )
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == 1, answer.text[-3000:]


def test_a_technicians_corrective_order_goes_to_dispatch_and_the_checklist_shows_it(
    client, session, world
):
    plan = quarterly(session, [{"name": "Fuser", "min_value": "180", "max_value": "200"}])
    order = plan_inspection(session, world.unit, plan, datetime.date(2026, 12, 1))
    session.flush()
    ms.assign(session, order, world.techs[0].id)
    ms.start(session, order)
    plans.record_result(session, order, order.results[0].id, outcome="fail", measured_value="150")
    session.commit()
    sign_in(client, world.users[0])
    result_id = order.results[0].id
    answer = client.post(f"/maintenance/work-orders/results/{order.id}/corrective/{result_id}")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/maintenance/work-orders/results/{order.id}")
    session.expire_all()
    corrective = session.get(WorkOrder, order.results[0].corrective_order_id)
    assert corrective.state == "new" and corrective.technician_id is None
    page = client.get(f"/maintenance/work-orders/results/{order.id}").text
    assert corrective.number in page


def test_a_checklist_item_used_by_inspections_cannot_be_deleted(
    client, api_headers, session, world
):
    plan = quarterly(session, [{"name": "Fuser"}, {"name": "Spare"}])
    order = plan_inspection(session, world.unit, plan, datetime.date(2026, 12, 1), checklist=False)
    order.results.append(InspectionResult(plan_item_id=plan.items[0].id, position=1, name="x"))
    session.commit()
    headers = api_headers("Service Manager")
    used = client.delete(f"/api/v1/maintenance_plan_item/{plan.items[0].id}", headers=headers)
    assert (used.status_code, used.json["field"]) == (409, "plan_item")
    spare = client.delete(f"/api/v1/maintenance_plan_item/{plan.items[1].id}", headers=headers)
    assert spare.status_code == 200
