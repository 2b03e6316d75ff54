"""Contracts: the calendar of upcoming cancel-by and end dates across contracts."""

import datetime

import pytest

from plugins.contracts import services as s
from plugins.contracts.tests.helpers import active, contract, refused, world

pytestmark = pytest.mark.plugins("contracts")


def contracts_ending(session, today):
    """Three contracts in force ending in 20, 50 and 400 days, a draft and a terminated one."""
    made = []
    for n, (ends_in, notice) in enumerate(((20, 30), (50, 30), (400, 60)), start=1):
        customer, unit, level = world(session, n)
        made.append(
            active(
                session,
                customer,
                level,
                unit,
                start=today - datetime.timedelta(days=200),
                end=today + datetime.timedelta(days=ends_in),
                notice_days=notice,
                renewal="auto" if n == 2 else "express",
            )
        )
    customer, unit, level = world(session, 4)
    contract(session, customer, level, unit, end=today + datetime.timedelta(days=10))
    customer, unit, level = world(session, 5)
    ended = active(
        session,
        customer,
        level,
        unit,
        start=today - datetime.timedelta(days=100),
        end=today + datetime.timedelta(days=15),
    )
    s.terminate(session, ended, "closed")
    return made


def test_upcoming_dates_of_contracts_in_force_earliest_first(session):
    today = datetime.date(2026, 11, 27)
    first, second, _third = contracts_ending(session, today)
    entries = s.upcoming_dates(session, today, 90)
    assert [(e.number, e.kind, (e.day - today).days) for e in entries] == [
        (second.number, "cancel_by", 20),
        (first.number, "end", 20),
        (second.number, "end", 50),
    ]
    # the first contract's cancel-by date (10 days ago) is past and not listed
    months = s.by_month(entries)
    assert [(m, len(rows)) for m, rows in months] == [("2026-12", 2), ("2027-01", 1)]
    assert entries[0].renewal == "auto" and entries[0].customer == "Customer 2"
    longer = s.upcoming_dates(session, today, 400)
    assert [e.kind for e in longer][-2:] == ["cancel_by", "end"]


def test_the_period_is_1_to_730_days(session):
    today = datetime.date(2026, 11, 27)
    for days in (0, 731, "731", "30 days", "-1", "", True, 30.0):
        refused(lambda days=days: s.upcoming_dates(session, today, days), "days")
    assert s.upcoming_dates(session, today, "30") == s.upcoming_dates(session, today, 30)


def test_calendar_api_groups_by_month_with_links(client, api_headers, session):
    today = s.company_today()
    first, second, _third = contracts_ending(session, today)
    session.commit()
    headers = api_headers("Staff Read-only")
    answer = client.get("/api/v1/contracts/calendar?days=60", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json
    assert body["count"] == 3 and body["today"] == today.isoformat()
    dates = [d for month in body["months"] for d in month["dates"]]
    assert dates[0]["number"] == second.number and dates[0]["kind"] == "cancel_by"
    assert dates[1]["link"] == f"/contracts/contracts/show/{first.id}"
    assert all(d["day"].startswith(m["month"]) for m in body["months"] for d in m["dates"])
    bad = client.get("/api/v1/contracts/calendar?days=abc", headers=headers)
    assert (bad.status_code, bad.json["field"]) == (422, "days")
    default = client.get("/api/v1/contracts/calendar", headers=headers).json
    assert default["days"] == 90


def test_calendar_screen_lists_dates_linking_to_contracts(client, login_as, session):
    today = s.company_today()
    first, second, third = contracts_ending(session, today)
    session.commit()
    login_as("Sales")
    page = client.get("/contracts/calendar/?days=60")
    assert page.status_code == 200
    assert f"/contracts/contracts/show/{first.id}" in page.text
    assert second.number in page.text and third.number not in page.text
    assert "Ends (renews tacitly)" in page.text
    bad = client.get("/contracts/calendar/?days=0")
    assert "days: must be a whole number from 1 to 730" in bad.text
    chinese = client.get("/contracts/calendar/?days=60&_l_=zh")
    assert chinese.status_code == 200


def test_contract_list_filters_contracts_ending_within_n_days(client, login_as, session):
    first, second, third = contracts_ending(session, s.company_today())
    numbers = [first.number, second.number, third.number]
    session.commit()
    login_as("Contract Manager")

    def listed(url):
        html = client.get(url).get_data(as_text=True)
        return [n for n in numbers if n in html]

    assert listed("/contracts/contracts/list/") == numbers
    assert listed("/contracts/contracts/list/?ending_within=30") == [first.number]
    assert listed("/contracts/contracts/list/?ending_within=60") == [first.number, second.number]
    refused_page = client.get(
        "/contracts/contracts/list/?ending_within=soon", follow_redirects=True
    )
    assert "whole number of days" in refused_page.get_data(as_text=True)
