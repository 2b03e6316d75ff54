"""The one table of sample_events: what its handlers saw, in order."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class EventLog(db.Model):
    """A line written by an in-transaction handler."""

    __tablename__ = "sample_events_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line: Mapped[str] = mapped_column(String(200), nullable=False)
