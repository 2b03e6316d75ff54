"""The one table of sample_checked."""

import datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class Ticket(db.Model):
    """A ticket: a title typed in, a reference and a due date that ``prepare`` fills."""

    __tablename__ = "sample_checked_ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    reference: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    due_on: Mapped[datetime.date] = mapped_column(Date, nullable=False)
