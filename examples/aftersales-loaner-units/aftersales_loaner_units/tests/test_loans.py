"""Loans: the rules, the screen, the API with its state actions; core's checks."""

import datetime

import pytest

from aftersales_loaner_units.services import LoanError, lend
from core.company.service import company_today
from core.plugin_checks import PluginChecks
from plugins.contracts import services as contracts

URL = "/api/v1/loan/"


def customer(session, name="Wang Fang"):
    return contracts.create_customer(session, kind="person", name=name)


def test_a_unit_is_lent_once_at_a_time_and_due_back_after_it_is_lent(session):
    today = company_today(session)
    loan = lend(session, serial_number=" ln-1 ", customer_id=customer(session).id)
    assert (loan.serial_number, loan.lent_on, loan.state) == ("LN-1", today, "out")
    assert loan.due_back == today + datetime.timedelta(days=14)
    for values, field in (
        ({"serial_number": "LN-1"}, "serial_number"),
        ({"serial_number": "LN-2", "lent_on": today + datetime.timedelta(days=1)}, "lent_on"),
        ({"serial_number": "LN-2", "due_back": today}, "due_back"),
        ({"serial_number": " "}, "serial_number"),
    ):
        with pytest.raises(LoanError) as refused:
            lend(session, customer_id=loan.customer_id, **values)
        assert refused.value.field == field, values


def test_clerk_lends_on_the_screen_and_returns_through_the_api(
    client, login_as, api_headers, session
):
    who = customer(session)
    session.commit()
    login_as("Loan Clerk")
    added = client.post(
        "/loaner-units/loans/add", data={"serial_number": "LN-7", "customer": who.id}
    )
    assert added.status_code == 302, added.text[:500]
    assert "LN-7" in client.get("/loaner-units/loans/list/").text
    headers = api_headers("Loan Clerk")
    (loan,) = client.get(URL, headers=headers).json["result"]
    lost = client.post(f"{URL}{loan['id']}/actions/report_lost", json={}, headers=headers)
    assert (lost.status_code, lost.json["field"]) == (422, "reason")
    back = client.post(f"{URL}{loan['id']}/actions/return_unit", headers=headers)
    assert back.json["state"] == "returned"
    again = client.post(URL, json={"serial_number": "LN-7", "customer": who.id}, headers=headers)
    assert again.status_code == 201, again.text  # returned: the unit may go out again


class TestCoreChecks(PluginChecks):
    """Core's checks: migrations, demo data, every screen and API in three languages."""
