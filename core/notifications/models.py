"""In-app notifications and the e-mail outbox."""

from __future__ import annotations

import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.column_limits import TEXT_LENGTH, LongText
from core.extensions import db
from core.timeutil import utcnow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
MAIL_STATUSES = (PENDING, SENT, FAILED)
TITLE_LENGTH = 200
LINK_LENGTH = 500
SUBJECT_LENGTH = 300
ADDRESS_LENGTH = 320
BODY_LENGTH = 20_000
MAIL_BODY_LENGTH = 100_000


class Notification(db.Model):
    """A message for one user, shown in their notifications until they read it."""

    __tablename__ = "core_notification"
    __audit__ = False  # a message log of its own; reading one is not a business change
    __table_args__ = (Index("ix_core_notification_user_read", "user_id", "read_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH), nullable=False)
    body: Mapped[str] = mapped_column(
        LongText(BODY_LENGTH, truncate=True), nullable=False, default=""
    )
    link: Mapped[str | None] = mapped_column(String(LINK_LENGTH))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    read_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return self.title


class MailOutbox(db.Model):
    """An e-mail waiting to be sent (or sent, or given up on).

    Written in the same transaction as what caused it; the sender marks a row ``sent`` only
    after the SMTP server accepted the message, so a retry never sends it twice.
    """

    __tablename__ = "core_mail_outbox"
    __audit__ = False
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="ck_core_mail_outbox_status"
        ),
        Index("ix_core_mail_outbox_status_due", "status", "next_attempt_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH), nullable=False)
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH), nullable=False)
    body: Mapped[str] = mapped_column(
        LongText(MAIL_BODY_LENGTH, truncate=True), nullable=False, default=""
    )
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(LongText(TEXT_LENGTH, truncate=True))
    created_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    # Not before this moment (set after a failure, for back-off); None: as soon as possible.
    next_attempt_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    notification_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("core_notification.id", ondelete="SET NULL")
    )

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"
