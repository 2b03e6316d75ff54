"""Login lockout state: one row per account that has been locked."""

from __future__ import annotations

import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import utcnow


class LoginLock(db.Model):
    """An account locked after ``AUTH_LOCKOUT_ATTEMPTS`` failed logins in a row.

    The account is locked while ``locked_until`` is in the future; the row stays afterwards
    (a new lock updates it) until an admin unlocks the account. Flask-AppBuilder's
    ``ab_user.fail_login_count`` is the count of failures in a row (reset by a successful
    login); it has no room for the end of a lock, hence this table. Creating, renewing and
    removing a lock are audited like any record (``core_audit_log``).
    """

    __tablename__ = "core_login_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    username: Mapped[str] = mapped_column(String(256), nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    # The client address of the failure that locked the account.
    address: Mapped[str | None] = mapped_column(String(64))
    locked_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    locked_until: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    def __str__(self) -> str:
        return self.username
