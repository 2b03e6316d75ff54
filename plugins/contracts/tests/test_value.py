"""Contracts: contract value by month (the dashboard chart)."""

import datetime
from decimal import Decimal

import pytest

from plugins.contracts import services as s
from plugins.contracts.services.value import term_months, value_by_month
from plugins.contracts.tests.helpers import active, contract, world

pytestmark = pytest.mark.plugins("contracts")

D = datetime.date


def test_fees_are_spread_over_their_cycle_and_part_months_count_by_days(session):
    # 12,000 a quarter = 4,000 a month, from 16 January (half of January's 31 days: 16/31).
    customer, unit, level = world(session, 1)
    active(
        session,
        customer,
        level,
        unit,
        start=D(2026, 1, 16),
        end=D(2026, 12, 31),
        fee=Decimal("12000.00"),
        billing_cycle="quarterly",
    )
    # A one-off 6,000 for March..May (3 months) = 2,000 a month.
    customer, unit, level = world(session, 2)
    active(
        session,
        customer,
        level,
        unit,
        start=D(2026, 3, 1),
        end=D(2026, 5, 31),
        fee=Decimal("6000.00"),
        billing_cycle="one_off",
    )
    # A draft and a terminated contract count for nothing.
    customer, unit, level = world(session, 3)
    contract(session, customer, level, unit, start=D(2026, 1, 1), end=D(2026, 12, 31))
    customer, unit, level = world(session, 4)
    ended = active(session, customer, level, unit, start=D(2026, 1, 1), end=D(2026, 12, 31))
    s.terminate(session, ended, "closed")
    session.commit()

    values = dict(value_by_month(session, D(2025, 12, 10), 7, "CNY"))
    assert values == {
        D(2025, 12, 1): Decimal("0.00"),
        D(2026, 1, 1): (Decimal(4000) * 16 / 31).quantize(Decimal("0.01")),
        D(2026, 2, 1): Decimal("4000.00"),
        D(2026, 3, 1): Decimal("6000.00"),
        D(2026, 4, 1): Decimal("6000.00"),
        D(2026, 5, 1): Decimal("6000.00"),
        D(2026, 6, 1): Decimal("4000.00"),
    }
    assert value_by_month(session, D(2026, 2, 1), 1, "USD") == [(D(2026, 2, 1), Decimal("0.00"))]


def test_term_length_in_months_counts_part_months_by_days():
    assert term_months(D(2026, 1, 1), D(2026, 12, 31)) == 12
    assert term_months(D(2026, 2, 15), D(2026, 2, 28)) == Decimal(14) / 28


def test_the_dashboard_shows_a_year_of_contract_value(client, login_as, session):
    login_as("Contract Manager")
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Contract value by month" in html
    assert "could not be loaded" not in html
