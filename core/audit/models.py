"""The audit log table."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import utcnow

CREATE = "create"
UPDATE = "update"
DELETE = "delete"
ACTIONS = (CREATE, UPDATE, DELETE)
LABEL_LENGTH = 200
KEY_LENGTH = 128


class AuditLog(db.Model):
    """One create, update or delete of one record.

    ``changes`` holds the new values (create), ``{field: [old, new]}`` for the changed fields
    (update; many-to-many fields as ``{"added": [...], "removed": [...]}``) or the old values
    (delete). ``user_id`` has no foreign key on purpose: the log outlives deleted users, and
    ``username`` keeps who it was (``"system"`` or ``"cli:..."`` outside requests).
    """

    __tablename__ = "core_audit_log"
    __audit__ = False
    __table_args__ = (
        CheckConstraint(
            "action IN ('create', 'update', 'delete')", name="ck_core_audit_log_action"
        ),
        Index("ix_core_audit_log_record", "table_name", "record_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, index=True
    )
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(256), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    table_name: Mapped[str] = mapped_column(String(KEY_LENGTH), nullable=False)
    record_id: Mapped[str] = mapped_column(String(KEY_LENGTH), nullable=False)
    record_label: Mapped[str] = mapped_column(String(LABEL_LENGTH), nullable=False, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    def __str__(self) -> str:
        return f"{self.action} {self.table_name} {self.record_id}"
