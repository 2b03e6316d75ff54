"""Company settings: defaults from config, checked edits, the Admin > Company screen."""

import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.company.models import Company
from core.company.service import (
    CompanyError,
    company_currency,
    company_settings,
    company_today,
    company_zone,
    update_company_settings,
)
from core.extensions import db


@pytest.fixture
def app(make_app):
    flask_app = make_app(plugins=[], config={"COMPANY_NAME": "Shanghai Lift Service Co."})
    with flask_app.app_context():
        yield flask_app


def stored():
    db.session.expire_all()
    return db.session.get(Company, 1)


def test_first_read_creates_the_row_from_the_configured_defaults(app):
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0
    settings = company_settings(db.session)
    db.session.commit()
    assert settings.name == "Shanghai Lift Service Co."
    assert (settings.time_zone, settings.currency, settings.language) == (
        "Asia/Shanghai",
        "CNY",
        "en",
    )
    company_settings(db.session)
    assert db.session.scalar(select(func.count()).select_from(Company)) == 1


def test_there_is_only_ever_one_company_row(app):
    company_settings(db.session)
    db.session.add(Company(id=2, name="Second", time_zone="UTC", currency="USD", language="en"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_valid_update_is_saved_normalised(app):
    update_company_settings(
        db.session,
        name="  上海电梯维保有限公司 ",
        tax_id="91350100m000100y43",
        currency="usd",
        time_zone="Asia/Hong_Kong",
        language="zh",
        email="service@example.cn",
        phone="+86 21 5555 0100",
    )
    db.session.commit()
    row = stored()
    assert row.name == "上海电梯维保有限公司"
    assert (row.tax_id, row.currency, row.time_zone, row.language) == (
        "91350100M000100Y43",
        "USD",
        "Asia/Hong_Kong",
        "zh",
    )


BAD_VALUES = [
    ("time_zone", "Mars/Olympus_Mons"),
    ("time_zone", "CST"),
    ("currency", "XYZ"),
    ("currency", "RMB"),
    ("tax_id", "91350100M000100Y44"),  # wrong check character
    ("email", "not an address"),
    ("language", "fr"),
    ("name", "   "),
]


def test_a_bad_value_is_refused_naming_the_field_and_nothing_is_saved(app):
    company_settings(db.session)
    db.session.commit()
    for field, value in BAD_VALUES:
        with pytest.raises(CompanyError) as error:
            update_company_settings(db.session, phone="+86 10 1234 5678", **{field: value})
        db.session.rollback()
        assert error.value.field == field, value
        assert str(error.value).startswith(f"{field}: "), value
        assert stored().phone is None  # the valid value sent along was not saved either


def test_every_bad_field_is_reported_at_once(app):
    with pytest.raises(CompanyError) as error:
        update_company_settings(db.session, time_zone="Nowhere/City", currency="ZZZ")
    assert set(error.value.errors) == {"time_zone", "currency"}


def test_zone_and_currency_helpers_follow_the_settings(app):
    assert str(company_zone()) == "Asia/Shanghai"
    assert company_currency() == "CNY"
    update_company_settings(db.session, time_zone="Europe/Berlin", currency="EUR")
    db.session.commit()
    assert str(company_zone()) == "Europe/Berlin"
    assert company_currency() == "EUR"


@pytest.mark.clock("2026-12-31 20:00:00+00:00")
def test_one_today_for_core_plugins_and_sequences_follows_the_company_screen(app):
    """At 20:00 UTC on New Year's Eve it is already the new year in Shanghai, not in Berlin:
    core, the plugins' services and the yearly number sequences agree on which day it is."""
    from core.sequences import service as sequences
    from plugins.contracts import services as contracts
    from plugins.maintenance import services as maintenance

    sequences.define_sequence(db.session, "test.yearly", "T", 3, True)
    shanghai = datetime.date(2027, 1, 1)
    assert company_today() == contracts.company_today() == maintenance.company_today() == shanghai
    assert sequences.next_number(db.session, "test.yearly").startswith("T-2027-")

    update_company_settings(db.session, time_zone="Europe/Berlin")
    db.session.commit()
    berlin = datetime.date(2026, 12, 31)
    assert company_today() == contracts.company_today() == maintenance.company_today() == berlin
    assert sequences.next_number(db.session, "test.yearly").startswith("T-2026-")
    assert company_today(db.session) == berlin  # read in the caller's own transaction


def test_the_company_screen_edits_the_row(app, client, login_as):
    login_as("Admin")
    page = client.get("/company/form")
    assert page.status_code == 200
    assert "Shanghai Lift Service Co." in page.text
    form = {
        "name": "Beijing HVAC Care",
        "legal_name": "北京暖通维保有限公司",
        "tax_id": "",
        "address": "北京市朝阳区",
        "phone": "",
        "email": "",
        "time_zone": "Asia/Shanghai",
        "currency": "CNY",
        "language": "zh_TW",
    }
    response = client.post("/company/form", data=form)
    assert response.status_code == 302
    row = stored()
    assert (row.name, row.legal_name, row.language) == (
        "Beijing HVAC Care",
        "北京暖通维保有限公司",
        "zh_TW",
    )
    assert "Beijing HVAC Care" in client.get("/company/form").text


def test_the_company_screen_shows_the_bad_field_and_saves_nothing(app, client, login_as):
    login_as("Admin")
    form = {"name": "Changed", "time_zone": "Asia/Shanghia", "currency": "CNY", "language": "en"}
    response = client.post("/company/form", data=form)
    assert response.status_code == 422
    assert "Asia/Shanghia" in response.text and "time zone" in response.text
    assert stored() is None or stored().name != "Changed"


def test_the_company_screen_needs_the_permission(app, client, login_as):
    assert client.get("/company/form").status_code == 302  # to the login page
    login_as("Nobody")
    assert client.get("/company/form").status_code == 403
    assert client.post("/company/form", data={"name": "Hijacked"}).status_code == 403
