"""The one table of warranty_cards: a warranty card per sold unit."""

from __future__ import annotations

import datetime

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db

ACTIVE = "active"
EXPIRED = "expired"


class WarrantyCard(db.Model):
    """The warranty card that came with one unit, as registered by a clerk.

    ``expires_on`` is the last day covered; it is computed from the purchase date and the
    warranty months by :func:`aftersales_warranty_cards.services.prepare_card`, never typed in.
    ``status`` turns to ``expired`` through the daily job.
    """

    __tablename__ = "warranty_cards_card"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("warranty_months BETWEEN 1 AND 120", name="ck_warranty_cards_card_months"),
        CheckConstraint("status IN ('active', 'expired')", name="ck_warranty_cards_card_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    serial_number: Mapped[str] = mapped_column(String(80), index=True, nullable=False)
    customer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    purchase_date: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    warranty_months: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_on: Mapped[datetime.date] = mapped_column(Date, index=True, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=ACTIVE)

    def __repr__(self) -> str:
        return f"<WarrantyCard {self.card_number} {self.serial_number} until {self.expires_on}>"
