"""The one table of sample_alpha."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class AlphaNote(db.Model):
    """A note."""

    __tablename__ = "sample_alpha_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
