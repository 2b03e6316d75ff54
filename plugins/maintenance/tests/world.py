"""Shared set-up of the maintenance tests: a covered unit, an uncovered one, technicians."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from core.company.service import uscc_check_character
from core.testing import create_user
from plugins.contracts import services as cs
from plugins.maintenance import services as ms
from plugins.maintenance.services import plans

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The world's contract runs 2026-01-01..2027-12-31 and its orders open on given days, so the
#: tests built on it run on one morning of its life, whatever today's date is.
WORLD_MORNING = "2026-11-27T09:00:00+08:00"
ON_WORLD_DAY = pytest.mark.clock(WORLD_MORNING)
# The plugins most maintenance tests run with: inventory too when MAINTENANCE_WITH_INVENTORY
# is set, so that the suite is run both ways (maintenance must work with and without it).
PLUGINS = (
    ("maintenance", "inventory")
    if os.environ.get("MAINTENANCE_WITH_INVENTORY")
    else ("maintenance",)
)
CLAUSES = {
    "confidentiality_clause": "Both parties keep each other's secrets.",
    "liability_clause": "The party in breach pays the direct loss.",
    "dispute_resolution": "arbitration",
    "dispute_venue": "Shanghai International Arbitration Center",
}


def sh(*args: int) -> datetime.datetime:
    """A Shanghai wall-clock moment."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def uscc(n: int) -> str:
    first17 = f"91310000{n:09d}"
    return first17 + uscc_check_character(first17)


def build_world(app, session, calendar_code: str = "5x8", n: int = 1) -> SimpleNamespace:
    """A customer with a unit covered by an active contract (labour free, ``calendar_code``
    service hours, P1 4h/16h, P2 8h/40h), an uncovered unit and two technicians."""
    customer = cs.create_customer(session, kind="company", name=f"Customer {n}", tax_id=uscc(n))
    product = cs.create_product(session, product_type="Printer", model=f"M50{n}", manufacturer="HP")
    unit = cs.create_equipment(
        session, product_id=product.id, customer_id=customer.id, serial_number=f"SN-{n}"
    )
    bare = cs.create_equipment(
        session, product_id=product.id, customer_id=customer.id, serial_number=f"SN-{n}-BARE"
    )
    level = cs.create_service_level(
        session, f"Gold {n}", calendar_code, "on_site", {"P1": (4, 16), "P2": (8, 40)}
    )
    contract = cs.create_contract(
        session,
        customer_id=customer.id,
        title="Full service",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        service_level_id=level.id,
        fee=Decimal("48000.00"),
        notice_days=30,
        **CLAUSES,
    )
    cs.cover_equipment(session, contract, unit)
    cs.add_entitlement(session, contract, "labour", "all")
    cs.submit_for_review(session, contract)
    cs.activate(session, contract)
    users = [create_user(app, ["Technician"]) for _ in range(2)]
    techs = [
        ms.create_technician(
            session, user=users[0], name="Chen", region="Shanghai", skills="printer, hvac"
        ),
        ms.create_technician(session, user=users[1], name="Zhao", region="Hangzhou", skills="hvac"),
    ]
    until = datetime.date(2028, 12, 31)
    ms.add_certification(session, techs[0], "printer", "HP service engineer", until)
    ms.add_certification(session, techs[0], "hvac", "Refrigerant handling", until)
    ms.add_certification(session, techs[1], "hvac", "Refrigerant handling", until)
    session.commit()
    return SimpleNamespace(
        customer=customer,
        product=product,
        unit=unit,
        bare=bare,
        level=level,
        contract=contract,
        techs=techs,
        users=users,
    )


def open_order(session, unit, at: datetime.datetime, priority: str = "P1", **extra):
    """A corrective order opened at ``at`` (the clock's "now" too)."""
    return ms.create_work_order(
        session,
        now=at,
        equipment_id=unit.id,
        title="Paper jam",
        priority=priority,
        opened_at=at,
        **extra,
    )


def refused(call, field: str, status: int | None = None) -> str:
    """Run ``call``; it must raise MaintenanceError naming ``field`` (and ``status``)."""
    with pytest.raises(ms.MaintenanceError) as info:
        call()
    assert info.value.field == field, str(info.value)
    if status is not None:
        assert info.value.status == status, str(info.value)
    return str(info.value)


def headers_for(client, user) -> dict[str, str]:
    """JWT ``Authorization`` headers of an existing ``user`` (password of core.testing)."""
    token = client.post(
        "/api/v1/security/login",
        json={"username": user.username, "password": "s3cret-pass", "provider": "db"},
    ).json["access_token"]
    return {"Authorization": f"Bearer {token}"}


def sign_in(client, user) -> None:
    """Sign the test client in as an existing ``user``."""
    answer = client.post("/login/", data={"username": user.username, "password": "s3cret-pass"})
    assert answer.status_code == 302


def printer_plan(session, **values):
    """A printer plan: every month, 60 days ahead, skill printer, 45 minutes, one item
    "Clean"; ``values`` (``create_plan``'s arguments) instead where given."""
    plan = {
        "name": "Printers monthly",
        "product_type": "Printer",
        "interval_count": 1,
        "interval_unit": "months",
        "horizon_days": 60,
        "skill": "printer",
        "duration_minutes": 45,
        "items": [{"name": "Clean"}],
    }
    plan.update(values)
    return plans.create_plan(session, **plan)


def plan_inspection(session, unit, plan, due, *, title="Inspection", checklist=True, **extra):
    """An inspection of ``unit`` under ``plan``, due on ``due`` (``extra``: more arguments
    of ``create_work_order``), with the plan's checklist rows unless ``checklist`` is false."""
    order = ms.create_work_order(
        session,
        kind="inspection",
        equipment_id=unit.id,
        title=title,
        plan_id=plan.id,
        due_date=due,
        **extra,
    )
    if checklist:
        plans.add_results_from_plan(order, plan)
    return order
