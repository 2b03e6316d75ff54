"""Business calendars: deadlines in working hours across nights, weekends, holidays and 调休."""

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.calendar.models import BusinessCalendar, CalendarDay, CalendarHours
from core.calendar.seed import seed_china_holidays
from core.calendar.service import (
    UnknownCalendarError,
    create_calendar,
    load_calendar,
    set_day,
    set_week,
    standard_calendar,
    work_calendar,
)
from core.calendar.worktime import (
    CalendarError,
    Interval,
    WorkCalendar,
    add_working_time,
    is_working_time,
    next_working_time,
    parse_intervals,
    working_time_between,
)
from core.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NATIONAL_DAY_2026 = {datetime.date(2026, 10, d): "National Day" for d in (1, 2, 3, 5, 6, 7)}
TIAOXIU_2026 = [datetime.date(2026, 9, 20), datetime.date(2026, 10, 10)]  # Sunday, Saturday


def sh(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def berlin(*args):
    return datetime.datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def office():
    """5x8 in Shanghai: Mon-Fri 09:00-12:00 and 13:00-18:00, National Day week and its 调休."""
    return WorkCalendar.weekly(
        "5x8",
        "Asia/Shanghai",
        "09:00-12:00, 13:00-18:00",
        holidays=NATIONAL_DAY_2026,
        extra_workdays=TIAOXIU_2026,
    )


# --- deadlines -----------------------------------------------------------------------------------


def test_deadline_runs_over_the_night_and_the_lunch_break(office):
    # Tuesday 17:00 + 5 h: 1 h today, 3 h Wednesday morning, 1 h after lunch
    assert add_working_time(office, sh(2026, 3, 3, 17), timedelta(hours=5)) == sh(2026, 3, 4, 14)


def test_deadline_skips_the_weekend(office):
    # Friday 16:00 + 4 h: 2 h on Friday, 2 h on Monday morning
    assert add_working_time(office, sh(2026, 3, 6, 16), timedelta(hours=4)) == sh(2026, 3, 9, 11)


def test_deadline_skips_the_national_day_holidays(office):
    # Wednesday 30 Sep 17:00 + 2 h: 1 h that day, then nothing until Thursday 8 October
    assert add_working_time(office, sh(2026, 9, 30, 17), timedelta(hours=2)) == sh(2026, 10, 8, 10)


def test_deadline_uses_the_tiaoxiu_working_saturday(office):
    # Friday 9 Oct 17:00 + 2 h: Saturday 10 October is a working day in 2026
    assert add_working_time(office, sh(2026, 10, 9, 17), timedelta(hours=2)) == sh(2026, 10, 10, 10)
    plain = WorkCalendar.weekly("5x8", "Asia/Shanghai", "09:00-12:00, 13:00-18:00")
    assert add_working_time(plain, sh(2026, 10, 9, 17), timedelta(hours=2)) == sh(2026, 10, 12, 10)


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (sh(2026, 3, 7, 10), sh(2026, 3, 9, 10)),  # Saturday: from Monday 09:00
        (sh(2026, 3, 9, 7), sh(2026, 3, 9, 10)),  # before opening
        (sh(2026, 3, 9, 12, 30), sh(2026, 3, 9, 14)),  # during lunch
        (sh(2026, 3, 9, 18), sh(2026, 3, 10, 10)),  # at closing time
        (sh(2026, 3, 9, 23, 59), sh(2026, 3, 10, 10)),  # late at night
    ],
)
def test_start_outside_working_hours_counts_from_the_next_working_moment(office, start, deadline):
    assert add_working_time(office, start, timedelta(hours=1)) == deadline


def test_time_running_out_at_closing_time_ends_at_closing_time(office):
    assert add_working_time(office, sh(2026, 3, 9, 17), timedelta(hours=1)) == sh(2026, 3, 9, 18)
    assert add_working_time(office, sh(2026, 3, 9, 9), timedelta(hours=3)) == sh(2026, 3, 9, 12)


def test_seven_by_twenty_four_is_plain_addition():
    always = WorkCalendar.always("7x24", "Asia/Shanghai")
    start = sh(2026, 9, 30, 17, 25)
    for hours in (0.5, 7, 100, 1000):
        assert add_working_time(always, start, timedelta(hours=hours)) == start + timedelta(
            hours=hours
        )
    assert working_time_between(always, start, start + timedelta(days=3)) == timedelta(days=3)


def test_result_is_in_the_start_time_zone_and_zero_duration_is_the_start(office):
    utc_start = datetime.datetime(2026, 3, 9, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai
    deadline = add_working_time(office, utc_start, timedelta(hours=2))
    assert deadline.tzinfo is datetime.UTC
    assert deadline == datetime.datetime(2026, 3, 9, 3, 0, tzinfo=datetime.UTC)
    assert add_working_time(office, sh(2026, 3, 7, 10), timedelta(0)) == sh(2026, 3, 7, 10)


# --- time zones with daylight saving time ---------------------------------------------------


def test_deadline_over_the_berlin_spring_clock_change_uses_local_office_hours():
    office_berlin = WorkCalendar.weekly("5x8", "Europe/Berlin", "09:00-12:00, 13:00-18:00")
    # Friday 27 March 17:00 CET + 2 h; clocks go forward on Sunday 29 March
    deadline = add_working_time(office_berlin, berlin(2026, 3, 27, 17), timedelta(hours=2))
    assert deadline == berlin(2026, 3, 30, 10)  # Monday 10:00 CEST
    assert deadline.astimezone(datetime.UTC).hour == 8  # not 09:00 UTC (a fixed +01:00)
    assert working_time_between(
        office_berlin, berlin(2026, 3, 27, 17), berlin(2026, 3, 30, 10)
    ) == timedelta(hours=2)


def test_round_the_clock_days_last_23_and_25_hours_when_the_clocks_change():
    always = WorkCalendar.always("7x24", "Europe/Berlin")
    spring = working_time_between(always, berlin(2026, 3, 29), berlin(2026, 3, 30))
    autumn = working_time_between(always, berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))
    assert add_working_time(always, berlin(2026, 3, 29), timedelta(hours=24)) == berlin(
        2026, 3, 30, 1
    )


# --- working time between two moments, and "is it working time now" -----------------------------


def test_working_time_between_counts_only_working_hours(office):
    assert working_time_between(office, sh(2026, 3, 6, 16), sh(2026, 3, 9, 11)) == timedelta(
        hours=4
    )
    assert working_time_between(office, sh(2026, 3, 9, 11), sh(2026, 3, 6, 16)) == -timedelta(
        hours=4
    )
    assert working_time_between(office, sh(2026, 10, 1, 9), sh(2026, 10, 7, 18)) == timedelta(0)


def test_adding_then_measuring_gives_back_the_duration(office):
    start = sh(2026, 9, 18, 8, 17)
    for minutes in range(0, 60 * 60, 97):  # up to 60 working hours, odd steps
        deadline = add_working_time(office, start, timedelta(minutes=minutes))
        assert working_time_between(office, start, deadline) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (sh(2026, 3, 9, 9), True),
        (sh(2026, 3, 9, 11, 59), True),
        (sh(2026, 3, 9, 12), False),
        (sh(2026, 3, 9, 18), False),
        (sh(2026, 3, 7, 10), False),  # Saturday
        (sh(2026, 10, 10, 10), True),  # 调休 Saturday
        (sh(2026, 10, 6, 10), False),  # National Day holiday
    ],
)
def test_is_working_time(office, moment, working):
    assert is_working_time(office, moment) is working


def test_next_working_time(office):
    assert next_working_time(office, sh(2026, 9, 30, 18)) == sh(2026, 10, 8, 9)
    assert next_working_time(office, sh(2026, 3, 9, 10)) == sh(2026, 3, 9, 10)


# --- invalid input -----------------------------------------------------------------------------


def test_negative_duration_is_refused(office):
    with pytest.raises(CalendarError, match="must not be negative") as error:
        add_working_time(office, sh(2026, 3, 9, 9), timedelta(hours=-1))
    assert error.value.field == "duration"


def test_naive_datetimes_are_refused(office):
    with pytest.raises(CalendarError, match="timezone-aware") as error:
        add_working_time(office, datetime.datetime(2026, 3, 9, 9), timedelta(hours=1))
    assert error.value.field == "start"
    with pytest.raises(CalendarError, match="timezone-aware"):
        working_time_between(office, sh(2026, 3, 9, 9), datetime.datetime(2026, 3, 9, 10))
    with pytest.raises(CalendarError, match="timezone-aware"):
        is_working_time(office, datetime.datetime(2026, 3, 9, 10))


def test_overlapping_intervals_are_refused():
    with pytest.raises(CalendarError, match="09:00-12:00 and 11:00-13:00 overlap"):
        parse_intervals("09:00-12:00, 11:00-13:00", "monday")
    with pytest.raises(CalendarError, match="overlap") as error:
        WorkCalendar("x", "UTC", ((Interval(540, 720), Interval(600, 660)),) + ((),) * 6)
    assert error.value.field == "monday"
    assert parse_intervals("09:00-12:00, 12:00-13:00") == (Interval(540, 720), Interval(720, 780))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("18:00-09:00", "must start before it ends"),
        ("09:00-25:00", "not a valid time range"),
        ("9 to 5", "is not like 09:00-12:00"),
    ],
)
def test_malformed_hours_are_refused(text, rule):
    with pytest.raises(CalendarError, match=rule):
        parse_intervals(text, "tuesday")


def test_hours_accept_a_whole_day_and_a_day_off():
    assert parse_intervals("24h") == (Interval(0, 1440),)
    assert parse_intervals("00:00-24:00") == (Interval(0, 1440),)
    assert parse_intervals("") == ()


def test_unknown_time_zone_and_empty_calendar_are_refused():
    with pytest.raises(CalendarError, match="not a known time zone") as error:
        WorkCalendar.weekly("x", "Mars/Olympus", "09:00-18:00")
    assert error.value.field == "time_zone"
    idle = WorkCalendar("idle", "UTC", ((),) * 7)
    with pytest.raises(CalendarError, match="has no working hours"):
        add_working_time(idle, sh(2026, 3, 9, 9), timedelta(hours=1))


def test_a_day_cannot_be_both_holiday_and_working_day():
    with pytest.raises(CalendarError, match="both a holiday and a working day"):
        WorkCalendar.weekly(
            "x",
            "UTC",
            "09:00-18:00",
            holidays={datetime.date(2026, 10, 10): "x"},
            extra_workdays=[datetime.date(2026, 10, 10)],
        )


# --- the database: seeding, standard calendars, loading ------------------------------------------


@pytest.fixture
def cal_app(make_app):
    app = make_app(plugins=[])
    with app.app_context():
        yield app


def test_china_holidays_are_seeded_with_tiaoxiu_days_and_seeding_twice_changes_nothing(cal_app):
    cal = create_calendar(
        db.session, "Service desk", "Asia/Shanghai", week=dict.fromkeys(range(5), "09:00-18:00")
    )
    first = seed_china_holidays(db.session, cal, [2026])
    db.session.commit()
    days = {d.day: d.kind for d in db.session.scalars(select(CalendarDay))}
    assert days[datetime.date(2026, 10, 1)] == "holiday"
    assert days[datetime.date(2026, 10, 7)] == "holiday"
    assert days[datetime.date(2026, 10, 10)] == "workday"
    assert days[datetime.date(2026, 1, 4)] == "workday"
    assert all(d.year == 2026 for d in days)
    assert (first.holidays_added, first.workdays_added) == (
        sum(k == "holiday" for k in days.values()),
        6,
    )

    # the admin corrects one day; a second run keeps it and adds nothing
    set_day(db.session, cal, datetime.date(2026, 10, 10), "holiday", "Company outing")
    second = seed_china_holidays(db.session, cal, [2026])
    db.session.commit()
    assert (second.holidays_added, second.workdays_added) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == len(days)
    corrected = db.session.scalar(
        select(CalendarDay).where(CalendarDay.day == datetime.date(2026, 10, 10))
    )
    assert (corrected.kind, corrected.name, corrected.source) == (
        "holiday",
        "Company outing",
        "manual",
    )


def test_standard_5x8_calendar_is_created_once_with_holidays_and_lunch_break(cal_app):
    cal = standard_calendar(db.session, "5x8")
    seed_china_holidays(db.session, cal, [2026])
    db.session.commit()
    assert standard_calendar(db.session, "5x8").id == cal.id
    assert db.session.scalar(select(func.count()).select_from(BusinessCalendar)) == 1
    loaded = work_calendar(db.session, "5x8")
    assert loaded.time_zone == "Asia/Shanghai"
    assert loaded.week[0] == (Interval(540, 720), Interval(780, 1080))
    assert loaded.week[5] == loaded.week[6] == ()
    assert add_working_time(loaded, sh(2026, 9, 30, 17), timedelta(hours=2)) == sh(2026, 10, 8, 10)
    assert add_working_time(loaded, sh(2026, 10, 9, 17), timedelta(hours=2)) == sh(2026, 10, 10, 10)


def test_standard_7x24_calendar_has_no_holidays(cal_app):
    loaded = work_calendar(db.session, "7x24")
    start = sh(2026, 10, 1, 3)
    assert add_working_time(loaded, start, timedelta(hours=30)) == start + timedelta(hours=30)
    assert loaded.holidays == {}


def test_loaded_calendar_follows_edits(cal_app):
    cal = create_calendar(db.session, "Night shift", "Asia/Shanghai", week={0: "22:00-24:00"})
    db.session.commit()
    before = work_calendar(db.session, "Night shift")
    assert before is work_calendar(db.session, "Night shift")  # cached while unchanged
    set_week(db.session, cal, {0: "20:00-24:00", 1: "00:00-06:00"})
    db.session.commit()
    after = work_calendar(db.session, "Night shift")
    assert after.week[0] == (Interval(1200, 1440),)
    # Monday 23:00 + 3 h: one hour to midnight, then Tuesday 00:00-02:00
    assert add_working_time(after, sh(2026, 3, 9, 23), timedelta(hours=3)) == sh(2026, 3, 10, 2)


def test_bad_calendar_edits_are_refused_and_leave_nothing(cal_app):
    cal = create_calendar(db.session, "Desk", week={0: "09:00-18:00"})
    db.session.commit()
    with pytest.raises(CalendarError, match="overlap") as error:
        set_week(db.session, cal, {2: "09:00-12:00, 10:00-11:00"})
    assert error.value.field == "wednesday"
    db.session.rollback()
    with pytest.raises(CalendarError, match="already exists") as error:
        create_calendar(db.session, "Desk")
    assert error.value.field == "name"
    with pytest.raises(UnknownCalendarError):
        load_calendar(db.session, "No such calendar")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CalendarHours)) == 1


# --- the admin screens -------------------------------------------------------------------------


def test_admin_creates_a_calendar_and_sets_hours_and_days(cal_app, login_as, client):
    login_as("Admin")
    created = client.post(
        "/calendars/create", data={"name": "Hotline", "time_zone": "Asia/Shanghai"}
    )
    assert created.status_code == 302
    cal_id = db.session.scalar(
        select(BusinessCalendar.id).where(BusinessCalendar.name == "Hotline")
    )
    hours = {"monday": "09:00-12:00, 13:00-18:00", "saturday": "10:00-14:00"}
    assert client.post(f"/calendars/{cal_id}/hours", data=hours).status_code == 302
    refused = client.post(f"/calendars/{cal_id}/hours", data={"monday": "09:00-12:00, 11:00-13:00"})
    assert refused.status_code == 422
    assert "overlap" in refused.text
    day = client.post(
        f"/calendars/{cal_id}/days",
        data={"day": "2026-10-01", "kind": "holiday", "day_name": "NDay"},
    )
    assert day.status_code == 302
    bad_day = client.post(f"/calendars/{cal_id}/days", data={"day": "1 Oct", "kind": "holiday"})
    assert bad_day.status_code == 422
    assert "must be a date" in bad_day.text
    seeded = client.post(f"/calendars/{cal_id}/seed", data={"year": "2026", "country": "CN"})
    assert seeded.status_code == 302

    db.session.expire_all()
    loaded = load_calendar(db.session, cal_id)
    assert loaded.week[0] == (Interval(540, 720), Interval(780, 1080))
    assert loaded.week[5] == (Interval(600, 840),)
    assert loaded.holidays[datetime.date(2026, 10, 1)] == "NDay"  # kept by the seeding
    assert datetime.date(2026, 10, 10) in loaded.extra_workdays
    page = client.get("/calendars/")
    assert page.status_code == 200 and "Hotline" in page.text and "10:00-14:00" in page.text
    detail = client.get(f"/calendars/{cal_id}/")
    assert detail.status_code == 200 and "2026-10-10" in detail.text
    assert client.post(f"/calendars/{cal_id}/days/2026-10-01/delete").status_code == 302
    db.session.expire_all()
    assert datetime.date(2026, 10, 1) not in load_calendar(db.session, cal_id).holidays
