"""The daily contracts job and what it tells people: contracts entering their notice period
or past their end date (auto-renewing ones renewed), the manager of each expiring contract
notified once per term, and the contracts expiring soon.
"""

from __future__ import annotations

import datetime

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from plugins.contracts.models import (
    ACTIVE,
    AUTO_RENEWAL,
    EXPIRING,
    IN_FORCE,
    Contract,
    ContractExpiryNotice,
)
from plugins.contracts.services.lifecycle import expire, mark_expiring, renew


def run_daily_lifecycle(session: Session, today: datetime.date) -> dict[str, int]:
    """Mark contracts past their cancel-by date expiring, end those past their end date
    (auto-renewing ones are renewed instead). Idempotent: a second run changes nothing."""
    done = {"expiring": 0, "expired": 0, "renewed": 0}
    due = session.scalars(
        select(Contract)
        .where(Contract.state.in_(IN_FORCE), Contract.end_date < today)
        .order_by(Contract.id)
    ).all()
    for contract in due:
        if contract.renewal == AUTO_RENEWAL:
            renew(session, contract)
            done["renewed"] += 1
        else:
            expire(session, contract, today)
            done["expired"] += 1
    entering = session.scalars(
        select(Contract)
        .where(Contract.state == ACTIVE, Contract.cancel_by <= today, Contract.end_date >= today)
        .order_by(Contract.id)
    ).all()
    for contract in entering:
        mark_expiring(session, contract, today)
        done["expiring"] += 1
    return done


def notify_expiring(session: Session, today: datetime.date) -> int:
    """Tell the manager of every expiring contract, in the app and by e-mail (core
    notifications and outbox), once per contract term: a term already notified (same
    contract, same end date) is skipped, so running it again notifies nobody twice. A
    contract without an active manager waits until it gets one. Returns how many were told."""
    from core.notifications.service import notify

    pending = session.scalars(
        select(Contract)
        .outerjoin(
            ContractExpiryNotice,
            (ContractExpiryNotice.contract_id == Contract.id)
            & (ContractExpiryNotice.end_date == Contract.end_date),
        )
        .join(User, User.id == Contract.manager_id)
        .where(Contract.state == EXPIRING, User.active.is_(True), ContractExpiryNotice.id.is_(None))
        .order_by(Contract.id)
    ).all()
    for contract in pending:
        notify(
            session,
            contract.manager_id,
            gettext(
                "Contract %(number)s is expiring: it ends on %(end)s",
                number=contract.number,
                end=contract.end_date.isoformat(),
            ),
            gettext(
                "%(title)s (%(customer)s) ends on %(end)s; the notice period began on "
                "%(cancel_by)s. Renew it, let it expire or agree new terms with the customer.",
                title=contract.title,
                customer=contract.customer.name,
                end=contract.end_date.isoformat(),
                cancel_by=contract.cancel_by.isoformat() if contract.cancel_by else "",
            ),
            link=f"/contracts/contracts/show/{contract.id}",
        )
        session.add(
            ContractExpiryNotice(
                contract_id=contract.id,
                end_date=contract.end_date,
                user_id=contract.manager_id,
                notified_on=today,
            )
        )
        session.flush()
    return len(pending)


def ending_within(today: datetime.date, days: int) -> ColumnElement[bool]:
    """The condition "in force and ending within ``days`` days of ``today``" (used by
    :func:`expiring_within` and by the contract lists' filter)."""
    return and_(
        Contract.state.in_(IN_FORCE),
        Contract.end_date >= today,
        Contract.end_date <= today + datetime.timedelta(days=days),
    )


def expiring_within(session: Session, today: datetime.date, days: int = 90) -> list[Contract]:
    """Contracts in force whose end date falls within ``days`` days of ``today``."""
    return list(
        session.scalars(
            select(Contract)
            .where(ending_within(today, days))
            .order_by(Contract.end_date, Contract.number)
        )
    )
