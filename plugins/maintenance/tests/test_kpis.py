"""Maintenance in the contract service report, SLA compliance, dashboard widgets."""

import datetime

import pytest

from plugins.contracts.services import service_report
from plugins.maintenance import services as ms
from plugins.maintenance.services import kpis, plans
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    open_order,
    plan_inspection,
    printer_plan,
    sh,
)

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]
D = datetime.date
OCTOBER = (D(2026, 10, 1), D(2026, 10, 31))


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def inspection(session, world, plan, due):
    order = plan_inspection(
        session,
        world.unit,
        plan,
        due,
        title=f"Inspection {due}",
        opened_at=sh(2026, 9, 1, 9),
        now=sh(2026, 9, 1, 9),
    )
    session.flush()
    return order


def october(session, world):
    """Inspections due in October (one done, one overdue, one cancelled) and two P1 repairs:
    one on time (closed), one responded late (response missed, resolution met)."""
    plan = printer_plan(session, name="Monthly", duration_minutes=30)
    done = inspection(session, world, plan, D(2026, 10, 5))
    ms.assign(session, done, world.techs[0].id, scheduled_start=sh(2026, 10, 5, 9))
    ms.start(session, done, now=sh(2026, 10, 5, 9))
    plans.record_result(session, done, done.results[0].id, outcome="pass")
    ms.complete(session, done, labour_minutes=30, now=sh(2026, 10, 5, 10))
    inspection(session, world, plan, D(2026, 10, 15))  # still new: overdue
    dropped = inspection(session, world, plan, D(2026, 10, 20))
    ms.cancel(session, dropped, "site closed", now=sh(2026, 10, 19, 9))
    fast = open_order(session, world.unit, sh(2026, 10, 12, 9))
    ms.assign(session, fast, world.techs[0].id, now=sh(2026, 10, 12, 9, 30))
    ms.start(session, fast, now=sh(2026, 10, 12, 10))
    ms.complete(
        session, fast, cause="Jam", actions="Cleared", labour_minutes=20, now=sh(2026, 10, 12, 15)
    )
    ms.confirm(session, fast, "Ms Li", now=sh(2026, 10, 13, 9))
    ms.close(session, fast, now=sh(2026, 10, 13, 10))
    late = open_order(session, world.unit, sh(2026, 10, 13, 9))
    ms.assign(session, late, world.techs[0].id, now=sh(2026, 10, 13, 9, 30))
    ms.start(session, late, now=sh(2026, 10, 13, 15))
    ms.complete(
        session,
        late,
        cause="Fuser",
        actions="Replaced",
        labour_minutes=60,
        now=sh(2026, 10, 13, 16),
    )
    session.commit()
    return fast, late


def test_period_figures_and_sla_compliance(session, world):
    fast, late = october(session, world)
    assert late.response_breached and not late.resolution_breached
    figures = kpis.period_figures(session, *OCTOBER, D(2026, 11, 27), contract_id=world.contract.id)
    assert (figures.visits_planned, figures.visits_done, figures.visits_overdue) == (2, 1, 1)
    assert (figures.orders_opened, figures.orders_finished, figures.orders_closed) == (2, 2, 1)
    c = figures.compliance
    assert (c.response_met, c.response_decided, str(c.response_percent)) == (1, 2, "50.0")
    assert (c.resolution_met, c.resolution_decided, str(c.resolution_percent)) == (2, 2, "100.0")
    other = kpis.period_figures(session, *OCTOBER, D(2026, 11, 27), contract_id=-1)
    assert other.orders_opened == 0 and other.compliance.response_percent is None


def test_a_running_deadline_is_not_counted_yet(session, world):
    open_order(session, world.unit, sh(2026, 11, 27, 9))
    session.commit()
    c = kpis.sla_compliance(session, D(2026, 11, 27), D(2026, 11, 27))
    assert (c.response_decided, c.resolution_decided) == (0, 0)


def test_the_contract_service_report_has_a_maintenance_section(session, world):
    fast, late = october(session, world)
    document = service_report(session, world.contract, *OCTOBER)
    mine = [s for s in document.sections if s.source == "maintenance"]
    assert [s.title for s in mine] == ["Maintenance", "Corrective work orders in the period"]
    rows = dict(mine[0].table[1])
    assert rows["Inspection visits planned"] == "2" and rows["Inspection visits done"] == "1"
    assert rows["Corrective work orders closed"] == "1"
    assert rows["Response deadlines met"] == "1 of 2 (50.0%)"
    assert rows["Resolution deadlines met"] == "2 of 2 (100.0%)"
    listed = mine[1].table[1]
    assert [r[0] for r in listed] == [fast.number, late.number]
    assert listed[1][5:] == ["missed", "met"]


def test_the_service_report_api_carries_the_maintenance_section(
    client, api_headers, session, world
):
    october(session, world)
    answer = client.get(
        f"/api/v1/contract_report/{world.contract.id}?from=2026-10-01&to=2026-10-31",
        headers=api_headers("Contract Manager"),
    )
    assert answer.status_code == 200, answer.json
    sources = {s["title"]: s["source"] for s in answer.json["sections"]}
    assert sources["Maintenance"] == "maintenance"


def test_overdue_and_breached_counts(session, world):
    fast, late = october(session, world)
    stuck = open_order(session, world.unit, sh(2026, 11, 20, 9))
    ms.flag_sla_breaches(session, now=sh(2026, 11, 27, 9))
    session.commit()
    counts = kpis.overdue_and_breached(session, sh(2026, 11, 27, 9), D(2026, 11, 27))
    assert counts == {"inspections": 1, "response": 1, "resolution": 1}
    assert stuck.response_breached


def test_the_compliance_trend_covers_the_last_months(session, world):
    october(session, world)
    assert kpis.month_start(D(2026, 1, 15), 1) == D(2025, 12, 1)
    trend = kpis.compliance_trend(session, D(2026, 11, 27), months=3)
    assert [first for first, _c in trend] == [D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1)]
    assert str(trend[1][1].response_percent) == "50.0"
    assert trend[0][1].response_percent is None


def test_dispatchers_see_the_overdue_and_trend_widgets(client, login_as, session, world):
    october(session, world)
    login_as("Dispatcher")
    home = client.get("/").text
    assert "Overdue and breached work orders" in home and "SLA compliance by month" in home
    assert "Inspections past their due date" in home
    assert "This widget could not be loaded" not in home
    client.get("/logout/")
    login_as("Technician")
    home = client.get("/").text
    assert "SLA compliance by month" not in home
