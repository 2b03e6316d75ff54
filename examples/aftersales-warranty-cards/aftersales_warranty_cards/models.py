"""The one table of warranty_cards: a warranty card per sold unit."""

from __future__ import annotations

import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.company.service import company_today
from core.extensions import db
from core.states import State, StateMachine, Transition

ACTIVE, EXPIRED, VOID = "active", "expired", "void"


def past_cover(card: WarrantyCard) -> str | None:
    """Why ``card`` may not expire yet: its last covered day is today or later."""
    if card.expires_on < company_today():
        return None
    return gettext("status: covered until %(date)s", date=card.expires_on)


def within_cover(card: WarrantyCard) -> str | None:
    """Why ``card`` may not be reinstated: its warranty is over."""
    if card.expires_on >= company_today():
        return None
    return gettext("status: the warranty ended on %(date)s", date=card.expires_on)


#: Active until the nightly job expires it; voided (with a reason) when registered by
#: mistake or the unit is written off; reinstated while still within its cover.
CARD_STATES = StateMachine(
    states=[
        State(ACTIVE, _("Active")),
        State(EXPIRED, _("Expired")),
        State(VOID, _("Void"), closed=True),
    ],
    transitions=[
        Transition("expire", _("Expire"), [ACTIVE], EXPIRED, allowed=past_cover, icon="fa-clock-o"),
        Transition("void", _("Void"), [ACTIVE, EXPIRED], VOID, needs_reason=True, icon="fa-ban"),
        Transition(
            "reinstate", _("Reinstate"), [VOID], ACTIVE, allowed=within_cover, icon="fa-undo"
        ),
    ],
    reason_column="status_reason",
)


class WarrantyCard(db.Model):
    """The warranty card that came with one unit, as registered by a clerk.

    ``expires_on`` is the last day covered; it is computed from the purchase date and the
    warranty months by :func:`aftersales_warranty_cards.services.prepare_card`, never typed in.
    ``status`` moves only through :data:`CARD_STATES` (the daily job expires cards).
    """

    __tablename__ = "warranty_cards_card"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("warranty_months BETWEEN 1 AND 120", name="ck_warranty_cards_card_months"),
        CARD_STATES.check("status", "ck_warranty_cards_card_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    serial_number: Mapped[str] = mapped_column(String(80), index=True, nullable=False)
    customer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    purchase_date: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    warranty_months: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_on: Mapped[datetime.date] = mapped_column(Date, index=True, nullable=False)
    status: Mapped[str] = CARD_STATES.column()
    status_reason: Mapped[str | None] = CARD_STATES.reason_column_type()

    def __repr__(self) -> str:
        return f"<WarrantyCard {self.card_number} {self.serial_number} until {self.expires_on}>"
