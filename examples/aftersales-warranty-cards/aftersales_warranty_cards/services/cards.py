"""Warranty card rules: registration, expiry, coverage. Other plugins may call these.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Refusals raise :class:`WarrantyCardError` (a :class:`core.errors.RuleError`),
whose message names the field and the rule.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aftersales_warranty_cards.events import WarrantyCardsExpired
from aftersales_warranty_cards.models import ACTIVE, CARD_STATES, EXPIRED, VOID, WarrantyCard
from core.company.service import company_today
from core.errors import RuleError
from core.events import publish

MAX_WARRANTY_MONTHS = 120
EXPIRY_BATCH = 500


class WarrantyCardError(RuleError):
    """A warranty card that breaks a rule (see :class:`core.errors.RuleError`)."""


def expiry_date(purchase_date: datetime.date, warranty_months: int) -> datetime.date:
    """The last day covered: ``warranty_months`` after the purchase, minus one day.

    A month later than the 31st is the month's last day: bought 2025-01-31 with 1 month of
    warranty, covered until 2025-02-27.
    """
    month_index = purchase_date.month - 1 + warranty_months
    year, month = purchase_date.year + month_index // 12, month_index % 12 + 1
    day = min(purchase_date.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day) - datetime.timedelta(days=1)


def prepare_card(
    session: Session, card: WarrantyCard, today: datetime.date | None = None
) -> WarrantyCard:
    """Check a new or edited card and compute its expiry and status (nothing is flushed).

    ``today`` defaults to :func:`company_today`; screens and APIs run this as their
    ``prepare`` (see :mod:`core.crud`).

    Raises :class:`WarrantyCardError` for a missing number, serial or customer, a purchase
    date in the future, warranty months outside 1..120, or a card number already used.
    """
    if today is None:
        today = company_today()
    for field, label in (
        ("card_number", gettext("card number")),
        ("serial_number", gettext("serial number")),
        ("customer_name", gettext("customer")),
    ):
        value = (getattr(card, field) or "").strip()
        if not value:
            raise WarrantyCardError(gettext("%(field)s: is required", field=label), field)
        setattr(card, field, value)
    if card.purchase_date is None:
        raise WarrantyCardError(gettext("purchase date: is required"), "purchase_date")
    if card.purchase_date > today:
        raise WarrantyCardError(
            gettext("purchase date: %(date)s is in the future", date=card.purchase_date),
            "purchase_date",
        )
    months = card.warranty_months
    if months is None or not 1 <= months <= MAX_WARRANTY_MONTHS:
        raise WarrantyCardError(
            gettext("warranty months: must be between 1 and %(max)d", max=MAX_WARRANTY_MONTHS),
            "warranty_months",
        )
    same_number = select(WarrantyCard.id).where(WarrantyCard.card_number == card.card_number)
    if card.id is not None:
        same_number = same_number.where(WarrantyCard.id != card.id)
    with session.no_autoflush:
        taken = session.scalar(same_number)
    if taken is not None:
        raise WarrantyCardError(
            gettext("card number: %(number)s is already registered", number=card.card_number),
            "card_number",
            status=409,
        )
    card.expires_on = expiry_date(card.purchase_date, months)
    if card.status != VOID:  # a void card stays void until it is reinstated
        card.status = EXPIRED if card.expires_on < today else ACTIVE
    return card


def register_card(
    session: Session,
    *,
    card_number: str,
    serial_number: str,
    customer_name: str,
    purchase_date: datetime.date,
    warranty_months: int,
    today: datetime.date,
) -> WarrantyCard:
    """Register a warranty card; returns it, flushed (so it has an id)."""
    card = WarrantyCard(
        card_number=card_number,
        serial_number=serial_number,
        customer_name=customer_name,
        purchase_date=purchase_date,
        warranty_months=warranty_months,
    )
    prepare_card(session, card, today)
    session.add(card)
    session.flush()
    return card


def covering_card(session: Session, serial_number: str, on: datetime.date) -> WarrantyCard | None:
    """The card whose warranty covers unit ``serial_number`` on day ``on``, if any (a void
    card covers nothing)."""
    return session.scalar(
        select(WarrantyCard)
        .where(
            WarrantyCard.serial_number == serial_number.strip(),
            WarrantyCard.status != VOID,
            WarrantyCard.purchase_date <= on,
            WarrantyCard.expires_on >= on,
        )
        .order_by(WarrantyCard.expires_on.desc())
        .limit(1)
    )


def count_expiring(session: Session, today: datetime.date, within_days: int = 30) -> int:
    """How many active cards expire between ``today`` and ``within_days`` days later."""
    return session.scalar(
        select(func.count())
        .select_from(WarrantyCard)
        .where(
            WarrantyCard.status == ACTIVE,
            WarrantyCard.expires_on >= today,
            WarrantyCard.expires_on <= today + datetime.timedelta(days=within_days),
        )
    )


def flag_expired_cards(
    session: Session,
    today: datetime.date,
    progress: Callable[[int, int, str], object] | None = None,
    batch_size: int = EXPIRY_BATCH,
) -> int:
    """Mark every active card whose last covered day is before ``today`` as expired.

    Works in batches, committing each one, so a crash loses at most one batch and the next
    run simply continues; a second run on the same day changes nothing. Each batch publishes
    :class:`WarrantyCardsExpired`. Returns how many cards were flagged by this run.
    """
    due = (WarrantyCard.status == ACTIVE) & (WarrantyCard.expires_on < today)
    total = session.scalar(select(func.count()).select_from(WarrantyCard).where(due)) or 0
    done = 0
    while True:
        batch = session.scalars(
            select(WarrantyCard).where(due).order_by(WarrantyCard.id).limit(batch_size)
        ).all()
        if not batch:
            break
        for card in batch:  # one move each: the audit log and the state event record it
            CARD_STATES.move(session, card, "expire", attr="status")
        publish(session, WarrantyCardsExpired(card_ids=tuple(c.id for c in batch), on=today))
        session.commit()
        done += len(batch)
        if progress is not None:
            progress(done, max(total, done), gettext("%(count)d cards flagged", count=done))
    if progress is not None and total == 0:
        progress(0, 0, gettext("no card expired"))
    return done
