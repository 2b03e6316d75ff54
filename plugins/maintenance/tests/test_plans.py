"""Preventive maintenance: plans, the generation job (idempotent, catch-up, crash half-way),
inspection results and corrective orders raised from failed items."""

import datetime
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from plugins.maintenance import services as ms
from plugins.maintenance.models import MaintenancePlan, WorkOrder
from plugins.maintenance.services import generation, plans
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    headers_for,
    refused,
)
from plugins.maintenance.tests.world import printer_plan as world_plan

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]


@pytest.fixture
def world(app, session):
    return build_world(app, session)


TODAY = datetime.date(2026, 11, 27)
D = datetime.date
CHECKLIST = [
    {
        "name": "Fuser temperature",
        "standard": "180-200 °C",
        "unit": "°C",
        "min_value": "180",
        "max_value": "200",
    },
    {"name": "Paper path clean", "standard": "No dust, no scraps"},
]


def printer_plan(session, **extra):
    """The world's printer plan, quarterly named, 90 days ahead, with the checklist."""
    values = {"name": "Printers quarterly", "horizon_days": 90, "items": CHECKLIST, **extra}
    return world_plan(session, **values)


def inspections(session, plan):
    return session.scalars(
        select(WorkOrder).where(WorkOrder.plan_id == plan.id).order_by(WorkOrder.due_date)
    ).all()


# --- plans ------------------------------------------------------------------------------------


def test_a_plan_covers_a_product_type_or_a_contract_and_checks_its_numbers(session, world):
    refused(lambda: printer_plan(session, product_type=None), "product_type")
    refused(lambda: printer_plan(session, contract_id=world.contract.id), "product_type")
    refused(lambda: printer_plan(session, interval_count=0), "interval_count")
    refused(lambda: printer_plan(session, interval_unit="years"), "interval_unit")
    refused(lambda: printer_plan(session, horizon_days=1000), "horizon_days")
    refused(lambda: printer_plan(session, skill="a, b"), "skill")
    refused(
        lambda: printer_plan(session, items=[{"name": "x", "min_value": "5", "max_value": "1"}]),
        "max_value",
    )
    plan = printer_plan(session)
    assert [i.position for i in plan.items] == [1, 2]
    assert plan.items[0].min_value == Decimal("180.0000")
    refused(lambda: printer_plan(session), "name", 409)
    by_contract = printer_plan(
        session, name="Contract plan", product_type=None, contract_id=world.contract.id
    )
    assert by_contract.contract is world.contract


# --- generation -------------------------------------------------------------------------------


def test_generation_creates_inspections_for_covered_units_over_the_horizon(session, world):
    plan = printer_plan(session)
    result = generation.generate(session, plan, TODAY)
    made = inspections(session, plan)
    assert [o.due_date for o in made] == [D(2026, 12, 1), D(2027, 1, 1), D(2027, 2, 1)]
    assert {o.equipment_id for o in made} == {world.unit.id}  # the bare unit has no contract
    first = made[0]
    assert (first.kind, first.state, first.contract_id, first.chargeable) == (
        "inspection",
        "new",
        world.contract.id,
        False,
    )
    assert first.response_due is None and [r.name for r in first.results] == [
        "Fuser temperature",
        "Paper path clean",
    ]
    assert result.created == 3 and plan.generated_until == D(2027, 2, 25)


def test_generation_stays_inside_the_contract_term(session, world):
    plan = printer_plan(session, horizon_days=400)
    generation.generate(session, plan, D(2027, 11, 1))
    dues = [o.due_date for o in inspections(session, plan)]
    assert dues == [D(2027, 11, 1), D(2027, 12, 1)]  # the contract ends 2027-12-31


def test_a_contract_plan_covers_only_that_contracts_units(app, session, world):
    other = build_world(app, session, n=2)
    plan = printer_plan(
        session,
        name="Contract 2",
        product_type=None,
        contract_id=other.contract.id,
        interval_count=6,
        interval_unit="weeks",
    )
    generation.generate(session, plan, TODAY)
    made = inspections(session, plan)
    assert {o.equipment_id for o in made} == {other.unit.id}
    # Every six weeks from the contract start (2026-01-01).
    assert [o.due_date for o in made] == [D(2026, 12, 3), D(2027, 1, 14), D(2027, 2, 25)]


def test_running_twice_creates_nothing_more_and_the_watermark_moves(session, world):
    plan = printer_plan(session)
    generation.generate(session, plan, TODAY)
    again = generation.generate(session, plan, TODAY)
    assert again.created == 0 and len(inspections(session, plan)) == 3
    nextday = generation.generate(session, plan, TODAY + datetime.timedelta(days=1))
    assert nextday.created == 0 and plan.generated_until == D(2027, 2, 26)


def test_after_downtime_the_next_run_catches_up_without_gaps(session, world):
    plan = printer_plan(session)
    generation.generate(session, plan, TODAY)
    later = generation.generate(session, plan, D(2027, 4, 10))  # the job was down 4 months
    assert later.window == (D(2027, 2, 26), D(2027, 7, 9))
    dues = [o.due_date for o in inspections(session, plan)]
    assert dues == [D(2026, 12, 1)] + [D(2027, m, 1) for m in range(1, 8)]


def test_the_database_refuses_a_second_order_for_one_unit_plan_and_due_date(session, world):
    plan = printer_plan(session)
    generation.generate(session, plan, TODAY)
    session.commit()
    with pytest.raises(IntegrityError):
        ms.create_work_order(
            session,
            kind="inspection",
            title="Again",
            equipment_id=world.unit.id,
            plan_id=plan.id,
            due_date=D(2026, 12, 1),
        )
    session.rollback()


def test_a_run_that_crashed_half_way_is_finished_by_the_next_without_duplicates(
    app, session, world, monkeypatch
):
    build_world(app, session, n=2)  # a second printer under another contract
    plan = printer_plan(session)
    session.commit()
    real = generation.create_inspection
    calls = {"n": 0}

    def crash_on_fifth(session_, plan_, planned):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("worker killed")
        return real(session_, plan_, planned)

    monkeypatch.setattr(generation, "create_inspection", crash_on_fifth)
    with pytest.raises(RuntimeError):
        generation.generate_all(session, TODAY, batch_size=2, commit=session.commit)
    session.rollback()
    assert len(inspections(session, plan)) == 4  # two batches were committed
    assert session.get(MaintenancePlan, plan.id).generated_until is None
    monkeypatch.setattr(generation, "create_inspection", real)
    result = generation.generate_all(session, TODAY, batch_size=2, commit=session.commit)[0]
    made = inspections(session, plan)
    keys = [(o.equipment_id, o.due_date) for o in made]
    assert (result.created, result.existing, len(keys), len(set(keys))) == (2, 4, 6, 6)


def test_a_batch_meeting_orders_another_run_made_creates_only_the_rest_gap_free(
    app, session, world
):
    build_world(app, session, n=2)  # a second printer under another contract
    plan = printer_plan(session)
    session.commit()
    planned, _existing = generation.preview(session, plan, TODAY)
    assert len(planned) == 6
    # "another run" made two of them meanwhile
    assert generation.create_batch(session, plan, planned[2:4]) == 2
    session.commit()
    assert generation.create_batch(session, plan, planned) == 4
    session.commit()
    made = inspections(session, plan)
    keys = [(o.equipment_id, o.due_date) for o in made]
    assert len(keys) == len(set(keys)) == 6
    numbers = sorted(int(o.number.rsplit("-", 1)[1]) for o in made)
    assert numbers == list(
        range(numbers[0], numbers[0] + 6)
    )  # the rolled-back batch gave its numbers back


def test_preview_shows_what_the_next_run_would_create(session, world):
    plan = printer_plan(session)
    planned, existing = generation.preview(session, plan, TODAY)
    assert ([p.due_date for p in planned], existing) == (
        [D(2026, 12, 1), D(2027, 1, 1), D(2027, 2, 1)],
        0,
    )
    assert planned[0].serial == "SN-1" and session.query(WorkOrder).count() == 0


def test_the_generation_job_reports_progress_and_a_second_run_creates_nothing(app, session, world):
    from core.jobs.service import run_job

    plan = printer_plan(session, horizon_days=400)
    session.commit()
    lines = []
    first = run_job("maintenance.generate_inspections", echo=lines.append)
    count = session.scalar(select(func.count()).select_from(WorkOrder))
    second = run_job("maintenance.generate_inspections")
    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert count > 0 and session.scalar(select(func.count()).select_from(WorkOrder)) == count
    assert any(plan.name in line for line in lines)
    assert f"{count} created" in first.log and "0 created" in second.log


# --- inspection results -----------------------------------------------------------------------


def started_inspection(session, world):
    plan = printer_plan(session)
    generation.generate(session, plan, TODAY)
    order = inspections(session, plan)[0]
    ms.assign(session, order, world.techs[0].id)
    ms.start(session, order)
    return order


def test_results_pass_fail_by_the_acceptable_range(session, world):
    order = started_inspection(session, world)
    temp, path = order.results
    assert plans.record_result(session, order, temp.id, measured_value="190").outcome == "pass"
    assert plans.record_result(session, order, temp.id, measured_value="215").outcome == "fail"
    refused(
        lambda: plans.record_result(session, order, temp.id, outcome="pass", measured_value="215"),
        "measured_value",
    )
    refused(lambda: plans.record_result(session, order, path.id), "outcome")
    refused(lambda: plans.record_result(session, order, path.id, outcome="maybe"), "outcome")
    refused(lambda: plans.record_result(session, order, 999, outcome="pass"), "result_id", 404)


def test_an_inspection_completes_only_once_every_item_has_a_result(session, world):
    order = started_inspection(session, world)
    temp, path = order.results
    plans.record_result(session, order, temp.id, measured_value="185")
    message = refused(lambda: ms.complete(session, order, labour_minutes=40), "results")
    assert "Paper path clean" in message
    plans.record_result(session, order, path.id, outcome="pass", notes="Cleaned")
    ms.complete(session, order, labour_minutes=40)
    assert order.state == "done" and order.diagnosis_cause == "Preventive inspection"
    refused(lambda: plans.record_result(session, order, path.id, outcome="fail"), "state", 409)


def test_a_failed_item_raises_a_corrective_order_once(session, world):
    order = started_inspection(session, world)
    temp, path = order.results
    plans.record_result(session, order, path.id, outcome="pass")
    refused(lambda: plans.raise_corrective(session, order, path.id), "outcome", 409)
    plans.record_result(session, order, temp.id, measured_value="231", notes="Overheats")
    corrective = plans.raise_corrective(session, order, temp.id)
    assert (corrective.kind, corrective.equipment_id, corrective.contract_id) == (
        "corrective",
        world.unit.id,
        world.contract.id,
    )
    assert "Fuser temperature" in corrective.title and "231" in corrective.symptom
    assert corrective.service_level == "Gold 1" and corrective.chargeable is False
    refused(lambda: plans.raise_corrective(session, order, temp.id), "result_id", 409)


# --- API and screens --------------------------------------------------------------------------


def test_api_plans_previews_generates_and_records_results(client, api_headers, session, world):
    manager = api_headers("Service Manager")
    bad = client.post(
        "/api/v1/maintenance_plan/",
        json={"name": "Both", "product_type": "Printer", "contract": world.contract.id},
        headers=manager,
    )
    assert (bad.status_code, bad.json["field"]) == (422, "product_type")
    made = client.post(
        "/api/v1/maintenance_plan/",
        json={"name": "Monthly", "product_type": "Printer", "interval_count": 1},
        headers=manager,
    )
    assert made.status_code == 201, made.json
    pk = made.json["id"]
    item = client.post(
        "/api/v1/maintenance_plan_item/",
        json={
            "plan": pk,
            "position": 1,
            "name": "Belt tension",
            "min_value": "2",
            "max_value": "3",
        },
        headers=manager,
    )
    assert item.status_code == 201, item.json
    preview = client.get(f"/api/v1/maintenance_plan/{pk}/preview", headers=manager)
    assert preview.status_code == 200 and preview.json["count"] >= 1
    run = client.post(f"/api/v1/maintenance_plan/{pk}/generate", headers=manager)
    assert run.status_code == 200 and run.json["created"] == preview.json["count"]
    order = session.scalars(select(WorkOrder).where(WorkOrder.plan_id == pk)).first()
    ms.assign(session, order, world.techs[0].id)
    session.commit()
    tech = headers_for(client, world.users[0])
    result_id = order.results[0].id
    passed = client.post(
        f"/api/v1/work_order/{order.id}/results/{result_id}",
        json={"outcome": "pass"},
        headers=tech,
    )
    assert passed.status_code == 200  # assigned is open: results may be recorded
    failed = client.post(
        f"/api/v1/work_order/{order.id}/results/{result_id}",
        json={"measured_value": "3.5"},
        headers=tech,
    )
    assert failed.json["outcome"] == "fail"
    raised = client.post(
        f"/api/v1/work_order/{order.id}/results/{result_id}/corrective", headers=tech
    )
    assert raised.status_code == 201 and raised.json["state"] == "new"
    dispatcher = api_headers("Dispatcher")
    refused_plan = client.post(
        "/api/v1/maintenance_plan/", json={"name": "x", "product_type": "P"}, headers=dispatcher
    )
    assert refused_plan.status_code == 403


def test_plan_preview_and_results_screens(client, login_as, session, world):
    login_as("Service Manager")
    plan = printer_plan(session)
    session.commit()
    page = client.get(f"/maintenance/plans/preview/{plan.id}")
    assert page.status_code == 200 and "2026-12-01" in page.text and "SN-1" in page.text
    client.post(f"/maintenance/plans/action/generate/{plan.id}")
    order = inspections(session, plan)[0]
    ms.assign(session, order, world.techs[0].id)
    session.commit()
    temp, path = order.results
    form = client.get(f"/maintenance/work-orders/results/{order.id}")
    assert form.status_code == 200 and "Fuser temperature" in form.text
    client.post(
        f"/maintenance/work-orders/results/{order.id}",
        data={f"value_{temp.id}": "240", f"outcome_{path.id}": "pass"},
    )
    session.expire_all()
    assert [r.outcome for r in order.results] == ["fail", "pass"]
    answer = client.post(f"/maintenance/work-orders/results/{order.id}/corrective/{temp.id}")
    assert answer.status_code == 302 and "/maintenance/work-orders/show/" in answer.location


# --- regeneration -----------------------------------------------------------------------------


def test_a_schedule_change_regenerates_the_untouched_future_inspections(session, world):
    plan = printer_plan(session, horizon_days=120)
    generation.generate(session, plan, ms.company_today())
    first = inspections(session, plan)
    kept = first[0]
    ms.assign(session, kept, world.techs[0].id)  # somebody planned this one: it stays
    plan.interval_count = 2
    plans.prepare_plan(session, plan)
    assert [o.id for o in inspections(session, plan)] == [kept.id]
    assert plan.generated_until == ms.company_today() - datetime.timedelta(days=1)
    generation.generate(session, plan, ms.company_today())
    dues = [o.due_date for o in inspections(session, plan)]
    assert kept.due_date in dues and len(dues) == len(set(dues))
    later = dues[1:]
    steps = [(b.year - a.year) * 12 + b.month - a.month for a, b in itertools.pairwise(later)]
    assert all(step == 2 for step in steps)


def test_renaming_a_plan_does_not_regenerate(session, world):
    plan = printer_plan(session)
    generation.generate(session, plan, ms.company_today())
    before = [o.id for o in inspections(session, plan)]
    plan.name = "Printers monthly"
    plans.prepare_plan(session, plan)
    assert [o.id for o in inspections(session, plan)] == before


def test_terminating_a_contract_withdraws_its_untouched_future_inspections(session, world):
    from plugins.contracts import services as cs

    plan = printer_plan(session)
    generation.generate(session, plan, ms.company_today())
    kept = inspections(session, plan)[0]
    ms.assign(session, kept, world.techs[0].id)
    cs.terminate(session, world.contract, "Customer sold the printer")
    assert [o.id for o in inspections(session, plan)] == [kept.id]
    later = generation.generate(session, plan, ms.company_today() + datetime.timedelta(days=30))
    assert later.created == 0
