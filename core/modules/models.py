"""Tables of the module switchboard."""

from __future__ import annotations

import datetime

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import utcnow


class ModuleChoice(db.Model):
    """An admin's explicit choice for one plugin; it wins over ``ENABLED_PLUGINS``."""

    __tablename__ = "core_module_choice"
    __audit__ = True

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    changed_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    changed_by: Mapped[str | None] = mapped_column(String(256))

    def __repr__(self) -> str:
        return f"<ModuleChoice {self.name}={'on' if self.enabled else 'off'}>"


class ModuleGeneration(db.Model):
    """A single row whose counter goes up on every module change.

    Each worker compares it with the generation its app was built for, cheaply per request,
    and rebuilds its app when it moved (Odoo signals registry reloads the same way).
    """

    __tablename__ = "core_module_generation"
    __audit__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
