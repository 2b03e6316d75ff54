"""The one-row table of company settings."""

from __future__ import annotations

import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.column_limits import CODE_LENGTH, NAME_LENGTH
from core.extensions import db
from core.money import CurrencyCode
from core.timeutil import utcnow

COMPANY_ROW_ID = 1


class Company(db.Model):
    """The service company running this deployment (exactly one row, id 1)."""

    __tablename__ = "core_company"
    __table_args__ = (CheckConstraint("id = 1", name="ck_core_company_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=COMPANY_ROW_ID)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), nullable=False)
    legal_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    # Unified social credit code (统一社会信用代码) in China, or another tax id.
    tax_id: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    time_zone: Mapped[str] = mapped_column(String(CODE_LENGTH), nullable=False)
    currency: Mapped[str] = mapped_column(CurrencyCode(), nullable=False)
    language: Mapped[str] = mapped_column(String(16), nullable=False)
    changed_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow
    )

    def __str__(self) -> str:
        return self.name
