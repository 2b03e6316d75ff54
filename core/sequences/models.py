"""Tables of document sequences: one definition per code, one counter per code and year."""

from __future__ import annotations

import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import utcnow


class DocumentSequence(db.Model):
    """How the numbers of one kind of document look (``CT-2026-00001``).

    ``format`` uses ``{prefix}``, ``{year}``, ``{number}`` and ``{padding}``; when empty,
    :func:`core.sequences.service.default_format` applies, so changing ``padding`` is enough.
    """

    __tablename__ = "core_sequence"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("padding >= 1 AND padding <= 12", name="ck_core_sequence_padding"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    prefix: Mapped[str] = mapped_column(String(20), nullable=False)
    padding: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    yearly: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    format: Mapped[str | None] = mapped_column(String(120))
    changed_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow
    )

    def __repr__(self) -> str:
        return f"<Sequence {self.code} {self.prefix}>"


class SequenceCounter(db.Model):
    """The next number of a sequence for one year (``year`` 0 when it never resets).

    Incremented with ``UPDATE ... SET next_value = next_value + 1 ... RETURNING`` in the
    transaction of the document that takes the number, so a rollback gives the number back.
    """

    __tablename__ = "core_sequence_counter"
    __audit__ = False
    __table_args__ = (CheckConstraint("next_value >= 1", name="ck_core_sequence_counter_next"),)

    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("core_sequence.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    next_value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1)

    def __repr__(self) -> str:
        return f"<SequenceCounter {self.sequence_id}/{self.year} next={self.next_value}>"
