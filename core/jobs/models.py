"""The run history of background jobs."""

from __future__ import annotations

import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.column_limits import TEXT_LENGTH, LongText
from core.extensions import db
from core.timeutil import UTC, utcnow

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
STATUSES = (RUNNING, SUCCEEDED, FAILED)

# How a run was started.
TRIGGERS = ("cli", "schedule", "celery", "manual")

MESSAGE_LENGTH = 500


def as_utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """``moment`` as an aware UTC datetime (SQLite hands back naive values, stored as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class JobRun(db.Model):
    """One run of one job: when, how it was started, how far it got and how it ended."""

    __tablename__ = "core_job_run"
    __audit__ = False
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'succeeded', 'failed')", name="ck_core_job_run_status"
        ),
        CheckConstraint(
            "trigger IN ('cli', 'schedule', 'celery', 'manual')", name="ck_core_job_run_trigger"
        ),
        Index("ix_core_job_run_job_started", "job_name", "started_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_name: Mapped[str] = mapped_column(String(100), nullable=False)
    trigger: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=RUNNING)
    started_on: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    finished_on: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    progress_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    # The latest progress message.
    message: Mapped[str | None] = mapped_column(String(MESSAGE_LENGTH))
    # ``ExceptionType: message`` of a failed run; the traceback is kept apart.
    error: Mapped[str | None] = mapped_column(LongText(TEXT_LENGTH, truncate=True))
    traceback: Mapped[str | None] = mapped_column(LongText(100_000, truncate=True))
    # Lines the job wrote with ``context.log(...)`` (the latest part when it wrote a lot).
    log: Mapped[str | None] = mapped_column(LongText(50_000, truncate=True))
    # ``host:pid`` of the process that ran it.
    worker: Mapped[str | None] = mapped_column(String(200))

    def progress_label(self) -> str:
        """``3/10 (30%)``, ``3`` when the total is unknown, ``-`` before any progress."""
        if self.progress_total:
            percent = 100 * self.progress_done // self.progress_total
            return f"{self.progress_done}/{self.progress_total} ({percent}%)"
        if self.progress_done:
            return str(self.progress_done)
        return "-"

    def progress_percent(self) -> int | None:
        """How far the run got in percent, or ``None`` when its total is unknown."""
        if not self.progress_total:
            return None
        return max(0, min(100, 100 * self.progress_done // self.progress_total))

    def __repr__(self) -> str:
        return f"<JobRun {self.id} {self.job_name} {self.status}>"
