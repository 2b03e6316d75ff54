"""Contracts: service-level terms run on one of core's business calendars."""

import pytest

from core.calendar.service import create_calendar
from plugins.contracts import services as s
from plugins.contracts.models import ServiceLevel

pytestmark = pytest.mark.plugins("contracts")


def desk(session):
    return create_calendar(
        session,
        "Shanghai desk 6x10",
        description="Mon-Sat 08:00-18:00",
        week=dict.fromkeys(range(6), "08:00-18:00"),
    )


def test_calendar_choices_are_the_standard_ones_then_core_calendars(session):
    desk(session)
    codes = [code for code, _label in s.calendar_choices(session)]
    assert codes == ["5x8", "7x24", "Shanghai desk 6x10"]
    labels = dict(s.calendar_choices(session))
    assert labels["Shanghai desk 6x10"] == "Shanghai desk 6x10 — Mon-Sat 08:00-18:00"


def test_service_hours_must_be_a_business_calendar(session):
    desk(session)
    level = s.create_service_level(session, "Desk", "Shanghai desk 6x10")
    assert level.calendar_code == "Shanghai desk 6x10"
    with pytest.raises(s.ContractError) as info:
        s.create_service_level(session, "Odd", "6x12")
    assert info.value.field == "calendar_code"


def test_the_form_offers_core_calendars_and_refuses_others(client, login_as, session):
    desk(session)
    session.commit()
    login_as("Contract Manager")
    form = client.get("/contracts/service-levels/add")
    assert form.status_code == 200
    select = form.text.split('id="calendar_code"', 1)[1].split("</select>", 1)[0]
    assert 'value="Shanghai desk 6x10"' in select and 'value="7x24"' in select
    client.post(
        "/contracts/service-levels/add",
        data={"name": "Desk", "calendar_code": "Shanghai desk 6x10", "service_mode": "on_site"},
    )
    assert session.query(ServiceLevel).filter_by(name="Desk").one().calendar_code == (
        "Shanghai desk 6x10"
    )
    refused = client.post(
        "/contracts/service-levels/add",
        data={"name": "Odd", "calendar_code": "6x12", "service_mode": "on_site"},
        follow_redirects=True,
    )
    assert "Not a valid choice" in refused.text
    assert session.query(ServiceLevel).filter_by(name="Odd").count() == 0


def test_the_api_refuses_an_unknown_calendar(client, api_headers, session):
    desk(session)
    session.commit()
    headers = api_headers("Contract Manager")
    bad = client.post(
        "/api/v1/service_level/",
        json={"name": "Odd", "calendar_code": "6x12", "service_mode": "on_site"},
        headers=headers,
    )
    assert (bad.status_code, bad.json["field"]) == (422, "calendar_code")
    good = client.post(
        "/api/v1/service_level/",
        json={"name": "Desk", "calendar_code": "Shanghai desk 6x10", "service_mode": "remote"},
        headers=headers,
    )
    assert good.status_code == 201, good.text
