"""An amended contract's inspections are regenerated under its new terms
(``contracts.contract.amended``)."""

import pytest
from sqlalchemy import select

from core.events import publish
from plugins.contracts import services as cs
from plugins.contracts.events import ContractAmended
from plugins.maintenance import services as ms
from plugins.maintenance.models import WorkOrder
from plugins.maintenance.services import generation
from plugins.maintenance.tests.world import ON_WORLD_DAY, PLUGINS, build_world, printer_plan

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def monthly(session, **extra):
    return printer_plan(session, **{"horizon_days": 180, **extra})


def dues(session, plan, unit):
    return session.scalars(
        select(WorkOrder.due_date)
        .where(WorkOrder.plan_id == plan.id, WorkOrder.equipment_id == unit.id)
        .order_by(WorkOrder.due_date)
    ).all()


def amended(session, contract):
    publish(
        session,
        ContractAmended(
            contract_id=contract.id,
            number=contract.number,
            amendment_id=1,
            amendment_number=1,
            previous_version=1,
            version=2,
        ),
    )


def test_a_shortened_term_withdraws_the_untouched_inspections_after_the_new_end(session, world):
    today = ms.company_today()
    plan = monthly(session)
    generation.generate(session, plan, today)
    before = dues(session, plan, world.unit)
    assert len(before) >= 5
    kept = session.scalars(
        select(WorkOrder).where(WorkOrder.plan_id == plan.id).order_by(WorkOrder.due_date.desc())
    ).first()
    ms.assign(session, kept, world.techs[0].id, override_reason="booked")  # a person decided
    world.contract.end_date = before[1]
    amended(session, world.contract)
    after = dues(session, plan, world.unit)
    assert after == [*before[:2], kept.due_date]


def test_regeneration_is_idempotent_and_restores_an_extended_term(session, world):
    today = ms.company_today()
    plan = monthly(session)
    generation.generate(session, plan, today)
    before = dues(session, plan, world.unit)
    end = world.contract.end_date
    world.contract.end_date = before[0]
    amended(session, world.contract)
    assert dues(session, plan, world.unit) == before[:1]
    world.contract.end_date = end
    result = generation.regenerate_contract(session, world.contract.id, today)
    assert (result.withdrawn, result.created) == (1, len(before))  # untouched ones remade
    assert dues(session, plan, world.unit) == before
    again = generation.regenerate_contract(session, world.contract.id, today)
    assert dues(session, plan, world.unit) == before
    assert again.created == again.withdrawn  # untouched ones are withdrawn and made again


def test_a_unit_added_by_amendment_gets_its_inspections_at_once(session, world):
    today = ms.company_today()
    plan = monthly(session)
    generation.generate(session, plan, today)
    extra = cs.create_equipment(
        session,
        product_id=world.product.id,
        customer_id=world.customer.id,
        serial_number="SN-1-NEW",
    )
    amendment = cs.create_amendment(
        session,
        world.contract,
        {"equipment": [world.unit.id, extra.id]},
        "Customer added a printer",
    )
    cs.update_amendment(
        session,
        amendment,
        customer_signer="Wang Lei",
        company_signer="Li Na",
        signed_on=today,
    )
    cs.attach_signed_copy(session, amendment, "signed.pdf", PDF)
    cs.confirm_amendment(session, amendment)
    cs.apply_amendment(session, amendment, today)
    session.commit()
    later = [d for d in dues(session, plan, world.unit) if d > today]
    assert later and dues(session, plan, extra) == later
    assert dues(session, plan, world.bare) == []  # not covered


def test_plans_never_generated_are_left_to_their_first_run(session, world):
    plan = monthly(session)
    amended(session, world.contract)
    assert dues(session, plan, world.unit) == []
