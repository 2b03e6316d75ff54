"""A contract's own terms: numbering, the fields a user sets, dates (months added, cancel-by
date), the checks of new and edited contracts, the contract manager, and lookup by id.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
from decimal import Decimal
from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.company.service import company_currency
from core.money import MoneyError, check_currency, parse_amount
from core.records import add_prepared
from core.sequences.service import define_sequence, next_number
from plugins.contracts.models import (
    BILLING_CYCLES,
    DISPUTE_KINDS,
    DRAFT,
    EXPIRED,
    IN_FORCE,
    RENEWAL_KINDS,
    RENEWED,
    TERMINATED,
    UNDER_REVIEW,
    Contract,
)
from plugins.contracts.services.common import (
    CLAUSE_TERMS,
    RENEWAL_TERMS,
    checked_option,
    required_text,
    strip_fields,
)
from plugins.contracts.services.errors import ContractError

SEQUENCE = "contracts.contract"  # prefix CT: CT-2026-00001
EDITABLE_STATES = (DRAFT, UNDER_REVIEW)
# The fields a user sets on a contract (screen form and API), editable in EDITABLE_STATES.
CONTRACT_FIELDS = [
    "customer",
    "title",
    "manager",
    "start_date",
    "end_date",
    "service_level",
    "fee",
    "currency",
    *RENEWAL_TERMS,
    *CLAUSE_TERMS,
]


def ensure_sequence(session: Session) -> None:
    """Define the contract number sequence (prefix CT: CT-2026-00001) unless it exists."""
    define_sequence(session, SEQUENCE, "CT", 5, True, name="Service contracts")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def cancel_by_date(end_date: datetime.date, notice_days: int) -> datetime.date:
    """The last day on which notice may be given: ``notice_days`` before the end date."""
    return end_date - datetime.timedelta(days=notice_days)


def prepare_contract(session: Session, contract: Contract) -> Contract:
    """Check a new or edited contract's terms and compute its cancel-by date.

    Refuses edits once the contract left review (409 on ``state``). A new contract gets
    state draft; its number is assigned by :func:`create_contract` (or here when missing).
    """
    if contract.id is not None:
        with session.no_autoflush:
            stored = session.scalar(select(Contract.state).where(Contract.id == contract.id))
        if stored in IN_FORCE:
            raise ContractError(
                gettext(
                    "state: contract %(number)s is %(state)s; its terms change only through an "
                    "amendment (New amendment on the contract page, or POST "
                    "/api/v1/contract_amendment/)",
                    number=contract.number,
                    state=stored,
                ),
                "state",
                409,
            )
        if stored not in EDITABLE_STATES:
            raise ContractError(
                gettext(
                    "state: a contract in state %(state)s can no longer be edited",
                    state=stored,
                ),
                "state",
                409,
            )
    check_terms(session, contract)
    _check_manager(session, contract)
    if contract.id is None:
        contract.state = DRAFT
        if not contract.number:
            ensure_sequence(session)
            contract.number = next_number(session, SEQUENCE, on=contract.start_date)
    return contract


def _check_manager(session: Session, contract: Contract) -> None:
    """The contract manager, when named, must be an active user."""
    manager_id = contract.manager_id or (contract.manager.id if contract.manager else None)
    if manager_id is None:
        return
    with session.no_autoflush:
        user = session.get(User, manager_id)
    if user is None or not user.active:
        raise ContractError(
            gettext("contract manager: user %(id)s is not an active user", id=manager_id),
            "manager",
        )


def assign_manager(session: Session, contract: Contract, user_id: int | None) -> Contract:
    """Name (or clear, with ``None``) the contract manager, in any state but the ended ones:
    the manager is told when the contract is expiring."""
    if contract.state in (EXPIRED, RENEWED, TERMINATED):
        raise ContractError(
            gettext(
                "state: contract %(number)s is %(state)s; it needs no manager any more",
                number=contract.number,
                state=contract.state,
            ),
            "state",
            409,
        )
    if user_id is not None:
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise ContractError(gettext("contract manager: give a user id"), "manager")
        _check_manager(session, Contract(manager_id=user_id))
    contract.manager = session.get(User, user_id) if user_id is not None else None
    session.flush()
    return contract


def check_terms(session: Session, contract: Contract) -> Contract:
    """Check a contract's terms whatever its state and compute its cancel-by date: customer,
    title, dates, currency and fee, billing cycle, renewal terms, notice period, dispute
    resolution (shared by new contracts, edits of drafts and amendments)."""
    if contract.customer_id is None and contract.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    required_text(contract, "title", gettext("title"))
    if contract.start_date is None:
        raise ContractError(gettext("start date: is required"), "start_date")
    if contract.end_date is None:
        raise ContractError(gettext("end date: is required"), "end_date")
    if contract.end_date <= contract.start_date:
        raise ContractError(
            gettext(
                "end date: %(end)s must be after the start date %(start)s",
                end=contract.end_date,
                start=contract.start_date,
            ),
            "end_date",
        )
    try:
        contract.currency = check_currency(
            (contract.currency or company_currency()).upper(), "currency"
        )
        fee = parse_amount(
            contract.fee if contract.fee is not None else "0", "fee", currency=contract.currency
        )
    except MoneyError as exc:
        raise ContractError(str(exc), exc.field or "fee") from exc
    fee_amount = fee.amount if hasattr(fee, "amount") else Decimal(fee)
    if fee_amount < 0:
        raise ContractError(gettext("fee: must not be negative"), "fee")
    contract.fee = fee_amount
    contract.billing_cycle = contract.billing_cycle or "yearly"
    checked_option(contract, "billing_cycle", gettext("billing cycle"), BILLING_CYCLES)
    contract.renewal = contract.renewal or "express"
    if contract.renewal_months is None:
        contract.renewal_months = 12
    if contract.notice_days is None:
        contract.notice_days = 30
    checked_option(contract, "renewal", gettext("renewal"), RENEWAL_KINDS)
    if contract.renewal_months is None or not 1 <= contract.renewal_months <= 120:
        raise ContractError(
            gettext("renewal length: must be between 1 and 120 months"), "renewal_months"
        )
    span = (contract.end_date - contract.start_date).days
    if contract.notice_days is None or not 0 <= contract.notice_days <= span:
        raise ContractError(
            gettext(
                "notice period: must be between 0 and %(days)d days (the contract's length)",
                days=span,
            ),
            "notice_days",
        )
    if contract.dispute_resolution in ("", None):
        contract.dispute_resolution = None
    else:
        checked_option(contract, "dispute_resolution", gettext("dispute resolution"), DISPUTE_KINDS)
    strip_fields(
        contract,
        "payment_terms",
        "confidentiality_clause",
        "liability_clause",
        "dispute_venue",
    )
    contract.cancel_by = cancel_by_date(contract.end_date, contract.notice_days)
    return contract


def create_contract(session: Session, **values: Any) -> Contract:
    """Create a draft contract numbered from sequence ``CT``; returns it flushed."""
    values.pop("state", None)
    values.pop("number", None)
    return add_prepared(session, Contract(**values), prepare_contract)


def get_contract(session: Session, contract_id: int) -> Contract:
    """A contract by id; :class:`ContractError` 404 when there is none."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise ContractError(
            gettext("contract: %(id)s does not exist", id=contract_id), "contract", 404
        )
    return contract


def require_editable(contract: Contract) -> None:
    """Refuse to change ``contract`` unless it is is a draft or under review."""
    if contract.state not in EDITABLE_STATES:
        raise ContractError(
            gettext(
                "state: contract %(number)s is %(state)s; only a draft or a contract under "
                "review can change",
                number=contract.number,
                state=contract.state,
            ),
            "state",
            409,
        )
