"""The contract lifecycle: which actions each state allows and the transitions (submit,
return to draft, activate, terminate, mark expiring, expire, renew), each publishing its
event; contracts counted by state.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.events import publish
from plugins.contracts import events
from plugins.contracts.models import (
    ACTIVE,
    CONTRACT_STATES,
    DRAFT,
    EXPIRED,
    EXPIRING,
    IN_FORCE,
    RENEWED,
    TERMINATED,
    UNDER_REVIEW,
    Contract,
    ContractEquipment,
    ContractRange,
    Entitlement,
    EntitlementPart,
)
from plugins.contracts.services.activation import check_activation
from plugins.contracts.services.common import company_today
from plugins.contracts.services.errors import ContractError
from plugins.contracts.services.terms import add_months, cancel_by_date, prepare_contract
from plugins.contracts.services.versions import record_version

# The states each lifecycle action may start from: one table for the rules and the screens.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "submit": (DRAFT,),
    "return_to_draft": (UNDER_REVIEW,),
    "activate": (UNDER_REVIEW,),
    "mark_expiring": (ACTIVE,),
    "expire": IN_FORCE,
    "renew": IN_FORCE,
    "terminate": IN_FORCE,
}


def available_actions(state: str) -> set[str]:
    """The lifecycle actions a contract in ``state`` allows (the screen shows only these)."""
    return {action for action, allowed in ALLOWED_FROM.items() if state in allowed}


def _require_state(contract: Contract, allowed_from: tuple[str, ...], action: str) -> None:
    """Refuse (409, naming the current state) unless ``contract`` is in ``allowed_from``."""
    if contract.state not in allowed_from:
        raise ContractError(
            gettext(
                "state: cannot %(action)s contract %(number)s, it is %(state)s (allowed "
                "from: %(allowed)s)",
                action=action,
                number=contract.number,
                state=contract.state,
                allowed=", ".join(allowed_from),
            ),
            "state",
            409,
        )


def _move(contract: Contract, allowed_from: tuple[str, ...], to_state: str, action: str) -> str:
    """Check the transition and set the new state; returns the previous one."""
    _require_state(contract, allowed_from, action)
    previous = contract.state
    contract.state = to_state
    return previous


def state_event(
    kind: type[events.ContractStateChanged], contract: Contract, previous: str, **extra: Any
) -> events.ContractStateChanged:
    """The ``kind`` event for ``contract`` leaving ``previous``, plus ``extra`` fields."""
    return kind(
        contract_id=contract.id,
        number=contract.number,
        from_state=previous,
        to_state=contract.state,
        **extra,
    )


def submit_for_review(session: Session, contract: Contract) -> Contract:
    """draft -> under_review (the terms must be valid)."""
    _require_state(contract, ALLOWED_FROM["submit"], gettext("submit"))
    prepare_contract(session, contract)
    previous = _move(contract, ALLOWED_FROM["submit"], UNDER_REVIEW, gettext("submit"))
    session.flush()
    publish(session, state_event(events.ContractSubmitted, contract, previous))
    return contract


def return_to_draft(session: Session, contract: Contract) -> Contract:
    """under_review -> draft (the reviewer asks for changes)."""
    previous = _move(contract, ALLOWED_FROM["return_to_draft"], DRAFT, gettext("return to draft"))
    session.flush()
    publish(session, state_event(events.ContractStateChanged, contract, previous))
    return contract


def activate(session: Session, contract: Contract) -> Contract:
    """under_review -> active, after :func:`check_activation`."""
    _require_state(contract, ALLOWED_FROM["activate"], gettext("activate"))
    session.flush()
    check_activation(session, contract)
    previous = _move(contract, ALLOWED_FROM["activate"], ACTIVE, gettext("activate"))
    session.flush()
    record_version(session, contract, company_today(session))
    publish(session, state_event(events.ContractActivated, contract, previous))
    return contract


approve = activate


def terminate(session: Session, contract: Contract, reason: str) -> Contract:
    """active/expiring -> terminated; ``reason`` is required."""
    reason = (reason or "").strip()
    if contract.state in IN_FORCE and not reason:
        raise ContractError(gettext("reason: is required to terminate a contract"), "reason")
    previous = _move(contract, ALLOWED_FROM["terminate"], TERMINATED, gettext("terminate"))
    contract.termination_reason = reason
    session.flush()
    publish(session, state_event(events.ContractTerminated, contract, previous, reason=reason))
    return contract


def mark_expiring(session: Session, contract: Contract, today: datetime.date) -> Contract:
    """active -> expiring, once ``today`` reached the cancel-by date."""
    _require_state(contract, ALLOWED_FROM["mark_expiring"], gettext("mark as expiring"))
    cancel_by = cancel_by_date(contract.end_date, contract.notice_days)
    if today < cancel_by:
        raise ContractError(
            gettext(
                "state: contract %(number)s enters its notice period on %(date)s",
                number=contract.number,
                date=cancel_by.isoformat(),
            ),
            "state",
            409,
        )
    previous = _move(contract, ALLOWED_FROM["mark_expiring"], EXPIRING, gettext("mark as expiring"))
    session.flush()
    publish(session, state_event(events.ContractExpiring, contract, previous))
    return contract


def expire(session: Session, contract: Contract, today: datetime.date) -> Contract:
    """active/expiring -> expired, once ``today`` is after the end date."""
    _require_state(contract, ALLOWED_FROM["expire"], gettext("expire"))
    if today <= contract.end_date:
        raise ContractError(
            gettext(
                "end date: contract %(number)s runs until %(date)s",
                number=contract.number,
                date=contract.end_date.isoformat(),
            ),
            "end_date",
            409,
        )
    previous = _move(contract, ALLOWED_FROM["expire"], EXPIRED, gettext("expire"))
    session.flush()
    publish(session, state_event(events.ContractExpired, contract, previous))
    return contract


def renew(session: Session, contract: Contract, months: int | None = None) -> Contract:
    """active/expiring -> renewed; returns the successor contract, already active.

    The successor copies the terms, covered units and entitlements and runs from the day
    after the end date for ``months`` (default: the renewal length).
    """
    months = contract.renewal_months if months is None else months
    if not isinstance(months, int) or not 1 <= months <= 120:
        raise ContractError(
            gettext("renewal length: must be between 1 and 120 months"), "renewal_months"
        )
    previous = _move(contract, ALLOWED_FROM["renew"], RENEWED, gettext("renew"))
    start = contract.end_date + datetime.timedelta(days=1)
    successor = Contract(
        customer_id=contract.customer_id,
        title=contract.title,
        start_date=start,
        end_date=add_months(start, months) - datetime.timedelta(days=1),
        service_level_id=contract.service_level_id,
        fee=contract.fee,
        currency=contract.currency,
        billing_cycle=contract.billing_cycle,
        payment_terms=contract.payment_terms,
        renewal=contract.renewal,
        renewal_months=contract.renewal_months,
        notice_days=min(contract.notice_days, months * 28),
        confidentiality_clause=contract.confidentiality_clause,
        liability_clause=contract.liability_clause,
        dispute_resolution=contract.dispute_resolution,
        dispute_venue=contract.dispute_venue,
        renewed_from_id=contract.id,
        manager_id=contract.manager_id,
    )
    prepare_contract(session, successor)
    session.add(successor)
    session.flush()
    for link in contract.equipment_links:
        session.add(ContractEquipment(contract_id=successor.id, equipment_id=link.equipment_id))
    for rng in contract.ranges:
        session.add(
            ContractRange(
                contract_id=successor.id,
                product_type=rng.product_type,
                manufacturer=rng.manufacturer,
                model=rng.model,
            )
        )
    for ent in contract.entitlements:
        session.add(
            Entitlement(
                contract_id=successor.id,
                kind=ent.kind,
                coverage=ent.coverage,
                annual_amount=ent.annual_amount,
                annual_count=ent.annual_count,
                discount_percent=ent.discount_percent,
                parts=[
                    EntitlementPart(part_number=p.part_number, description=p.description)
                    for p in ent.parts
                ],
            )
        )
    successor.state = UNDER_REVIEW
    session.flush()
    check_activation(session, successor)
    successor.state = ACTIVE
    session.flush()
    record_version(session, successor, company_today(session))
    publish(
        session, state_event(events.ContractRenewed, contract, previous, successor_id=successor.id)
    )
    publish(session, state_event(events.ContractActivated, successor, UNDER_REVIEW))
    return successor


ACTIONS: dict[str, Callable[..., Contract]] = {
    "submit": submit_for_review,
    "return_to_draft": return_to_draft,
    "activate": activate,
    "terminate": terminate,
    "mark_expiring": mark_expiring,
    "expire": expire,
    "renew": renew,
}


def count_by_state(session: Session) -> dict[str, int]:
    """How many contracts are in each state (every state listed, zeros included)."""
    rows = dict(
        session.execute(select(Contract.state, func.count()).group_by(Contract.state)).all()
    )
    return {state: int(rows.get(state, 0)) for state in CONTRACT_STATES}
