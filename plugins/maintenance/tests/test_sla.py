"""SLA clocks: coverage at creation, deadlines on business calendars across nights, weekends
and Chinese holidays, pauses while waiting on the customer, the timeline and breaches."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from core.events import events_published
from plugins.maintenance import events
from plugins.maintenance import services as ms
from plugins.maintenance.services.sla import as_utc
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    headers_for,
    open_order,
    sh,
)

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def due(order):
    """Both deadlines as Shanghai wall-clock moments."""
    zone = ZoneInfo("Asia/Shanghai")
    return (
        as_utc(order.response_due).astimezone(zone).replace(tzinfo=None),
        as_utc(order.resolution_due).astimezone(zone).replace(tzinfo=None),
    )


def wall(*args):
    return datetime.datetime(*args)


# --- coverage ---------------------------------------------------------------------------------


def test_a_covered_unit_gets_its_contract_terms_and_is_not_chargeable(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))
    assert order.contract_id == world.contract.id
    assert (order.service_level, order.calendar_code) == ("Gold 1", "5x8")
    assert (order.response_hours, order.resolution_hours) == (4, 16)
    assert order.chargeable is False and world.contract.number in order.coverage_note


def test_uncovered_equipment_is_allowed_chargeable_and_has_no_deadlines(session, world):
    order = open_order(session, world.bare, sh(2026, 11, 23, 9, 0))
    assert order.contract_id is None and order.chargeable is True
    assert order.response_due is None and order.resolution_due is None
    assert "SN-1-BARE" in order.coverage_note


def test_a_unit_outside_the_contract_term_is_uncovered(session, world):
    order = open_order(session, world.unit, sh(2025, 12, 31, 10, 0))
    assert order.contract_id is None and order.chargeable is True


def test_a_priority_without_a_target_gets_the_contract_but_no_deadlines(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0), priority="P4")
    assert order.contract_id == world.contract.id and order.response_due is None


# --- deadlines --------------------------------------------------------------------------------


def test_deadlines_run_over_the_night(session, world):
    # Wednesday 17:00: 1 h left today, P1 response 4 h, resolution 16 h.
    order = open_order(session, world.unit, sh(2026, 11, 25, 17, 0))
    assert due(order) == (wall(2026, 11, 26, 12, 0), wall(2026, 11, 27, 17, 0))


def test_deadlines_skip_the_weekend(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 27, 16, 0))  # Friday
    assert due(order) == (wall(2026, 11, 30, 11, 0), wall(2026, 12, 1, 16, 0))


def test_deadlines_skip_the_national_day_golden_week(session, world):
    order = open_order(session, world.unit, sh(2026, 9, 30, 16, 0))  # Wednesday before
    # 2 h on 30 September, then nothing until Thursday 8 October.
    assert due(order)[0] == wall(2026, 10, 8, 11, 0)


def test_a_weekend_made_a_working_day_counts(session, world):
    # Saturday 14 February 2026 is worked (调休) before the Spring Festival.
    order = open_order(session, world.unit, sh(2026, 2, 13, 17, 0))
    assert due(order)[0] == wall(2026, 2, 14, 12, 0)


def test_an_order_opened_at_night_counts_from_the_next_morning(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 24, 2, 30), priority="P2")
    assert due(order) == (wall(2026, 11, 24, 18, 0), wall(2026, 11, 30, 18, 0))


def test_working_hours_are_read_in_the_sites_time_zone(session, world):
    # 09:00 in Urumqi (UTC+6) is 11:00 in Shanghai: the site's day starts two hours later.
    urumqi = ZoneInfo("Asia/Urumqi")
    opened = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=urumqi)
    order = open_order(session, world.unit, opened, site_time_zone="Asia/Urumqi")
    response = as_utc(order.response_due).astimezone(urumqi).replace(tzinfo=None)
    assert response == wall(2026, 11, 23, 14, 0)


def test_a_7x24_contract_counts_every_hour(app, session):
    other = build_world(app, session, calendar_code="7x24", n=2)
    order = open_order(session, other.unit, sh(2026, 10, 1, 22, 0))  # a holiday night
    assert due(order) == (wall(2026, 10, 2, 2, 0), wall(2026, 10, 2, 14, 0))


# --- pauses -----------------------------------------------------------------------------------


def test_waiting_for_the_customer_shifts_the_unmet_deadlines_by_the_paused_working_time(
    session, world
):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))  # Monday
    assert due(order) == (wall(2026, 11, 23, 14, 0), wall(2026, 11, 24, 18, 0))
    ms.wait_for_customer(session, order, "Site closed", now=sh(2026, 11, 23, 10, 0))
    ms.customer_back(session, order, now=sh(2026, 11, 23, 15, 0))
    # Paused 10:00-12:00 and 13:00-15:00: four working hours.
    assert order.paused_minutes == 240
    assert due(order) == (wall(2026, 11, 23, 18, 0), wall(2026, 11, 25, 14, 0))


def test_a_pause_over_the_night_counts_only_working_hours(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))
    ms.assign(session, order, world.techs[0].id, now=sh(2026, 11, 23, 9, 30))
    ms.start(session, order, now=sh(2026, 11, 23, 10, 0))  # responded in time
    ms.wait_for_customer(session, order, now=sh(2026, 11, 23, 17, 0))
    ms.customer_back(session, order, now=sh(2026, 11, 24, 10, 0))
    assert order.paused_minutes == 120
    # Response was met, so only the resolution deadline moves (Tuesday 18:00 + 2 h).
    assert due(order) == (wall(2026, 11, 23, 14, 0), wall(2026, 11, 25, 11, 0))


def test_the_timeline_shows_how_the_deadlines_moved(client, api_headers, session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))
    ms.wait_for_customer(session, order, "No access", now=sh(2026, 11, 23, 10, 0))
    ms.customer_back(session, order, now=sh(2026, 11, 23, 11, 0))
    ms.assign(session, order, world.techs[0].id, now=sh(2026, 11, 23, 11, 0))
    ms.start(session, order, now=sh(2026, 11, 23, 11, 30))
    session.commit()
    answer = client.get(
        f"/api/v1/work_order/{order.id}/timeline", headers=headers_for(client, world.users[0])
    )
    assert answer.status_code == 200
    steps = answer.json["timeline"]
    assert [s["kind"] for s in steps] == ["started", "paused", "resumed", "responded"]
    assert steps[0]["response_due"] == "2026-11-23T06:00:00+00:00"  # 14:00 Shanghai
    assert steps[2]["response_due"] == "2026-11-23T07:00:00+00:00"  # one hour later
    assert "60 working minutes" in steps[2]["note"]


# --- breaches ---------------------------------------------------------------------------------


def test_the_breach_job_flags_each_missed_deadline_once(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))  # response due 14:00
    session.commit()
    with events_published(events.SlaBreached) as seen:
        assert ms.flag_sla_breaches(session, now=sh(2026, 11, 23, 13, 59)) == 0
        assert ms.flag_sla_breaches(session, now=sh(2026, 11, 23, 15, 0)) == 1
        assert ms.flag_sla_breaches(session, now=sh(2026, 11, 23, 16, 0)) == 0
        assert ms.flag_sla_breaches(session, now=sh(2026, 11, 25, 9, 0)) == 1  # resolution
        assert ms.flag_sla_breaches(session, now=sh(2026, 11, 26, 9, 0)) == 0
    assert [e.deadline for e in seen] == ["response", "resolution"]
    assert seen[0].number == order.number and seen[0].contract_id == world.contract.id
    assert order.response_breached and order.resolution_breached
    kinds = [e.kind for e in order.clock_events]
    assert kinds.count("response_breached") == 1 and kinds.count("resolution_breached") == 1


def test_a_paused_order_is_not_flagged_for_time_spent_waiting(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))  # response due 14:00
    ms.wait_for_customer(session, order, now=sh(2026, 11, 23, 13, 0))
    session.commit()
    assert ms.flag_sla_breaches(session, now=sh(2026, 11, 24, 17, 0)) == 0
    ms.customer_back(session, order, now=sh(2026, 11, 24, 17, 0))  # due moves by 12 h
    assert not order.response_breached
    assert due(order)[0] == wall(2026, 11, 24, 18, 0)


def test_a_late_start_flags_the_response_at_once(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))
    ms.assign(session, order, world.techs[0].id, now=sh(2026, 11, 23, 10, 0))
    with events_published(events.SlaBreached) as seen:
        ms.start(session, order, now=sh(2026, 11, 23, 15, 0))
        ms.flag_sla_breaches(session, now=sh(2026, 11, 23, 16, 0))
    assert [e.deadline for e in seen] == ["response"] and order.response_breached


def test_cancelled_orders_are_never_flagged(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))
    ms.cancel(session, order, "Duplicate", now=sh(2026, 11, 23, 10, 0))
    session.commit()
    assert ms.flag_sla_breaches(session, now=sh(2026, 12, 31, 9, 0)) == 0


def test_the_breach_job_runs_through_core_jobs_and_twice_flags_once(app, session, world):
    from core.jobs.service import run_job

    order = open_order(session, world.unit, sh(2026, 1, 5, 9, 0))  # long overdue
    session.commit()
    with events_published(events.SlaBreached) as seen:
        first = run_job("maintenance.flag_sla_breaches")
        second = run_job("maintenance.flag_sla_breaches")
    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert len(seen) == 2 and {e.work_order_id for e in seen} == {order.id}
    assert "2 deadline(s) flagged" in first.log
