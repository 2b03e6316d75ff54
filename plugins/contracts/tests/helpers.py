"""Shared fixtures of the contracts tests: a customer with a unit and a service level
(``world``), contracts in draft or active (``contract``, ``active``), a valid company code
(``uscc``) and ``refused``, which checks a ContractError names the expected field."""

import datetime
from decimal import Decimal

import pytest

from core.company.service import uscc_check_character
from plugins.contracts import services as s

START = datetime.date(2026, 4, 1)
END = datetime.date(2027, 3, 31)
CLAUSES = {
    "confidentiality_clause": "Both parties keep each other's secrets.",
    "liability_clause": "The party in breach pays the direct loss.",
    "dispute_resolution": "arbitration",
    "dispute_venue": "Shanghai International Arbitration Center",
}


def uscc(n: int) -> str:
    first17 = f"91310000{n:09d}"
    return first17 + uscc_check_character(first17)


def world(session, n: int = 1):
    """A customer with one unit, a service level: what a contract needs."""
    customer = s.create_customer(session, kind="company", name=f"Customer {n}", tax_id=uscc(n))
    product = s.create_product(session, product_type="Printer", model=f"M{n}", manufacturer="HP")
    unit = s.create_equipment(
        session, product_id=product.id, customer_id=customer.id, serial_number=f"SN-{n}"
    )
    level = s.create_service_level(
        session, f"Gold {n}", "7x24", "on_site", {"P1": (2, 8), "P2": (4, 24)}
    )
    return customer, unit, level


def contract(session, customer, level=None, unit=None, *, start=START, end=END, **extra):
    values = {
        "customer_id": customer.id,
        "title": "Full service",
        "start_date": start,
        "end_date": end,
        "service_level_id": level.id if level else None,
        "fee": Decimal("48000.00"),
        "notice_days": 30,
        **CLAUSES,
    }
    values.update(extra)
    made = s.create_contract(session, **values)
    if unit is not None:
        s.cover_equipment(session, made, unit)
    return made


def active(session, customer, level, unit, **extra):
    made = contract(session, customer, level, unit, **extra)
    s.submit_for_review(session, made)
    s.activate(session, made)
    return made


def refused(call, field, status=None):
    with pytest.raises(s.ContractError) as info:
        call()
    assert info.value.field == field, str(info.value)
    if status is not None:
        assert info.value.status == status
    return str(info.value)
