"""Locking an account after too many failed logins in a row, and unlocking it.

``AUTH_LOCKOUT_ATTEMPTS`` failures in a row (Flask-AppBuilder's ``fail_login_count``, which a
successful login resets) lock the account for ``AUTH_LOCKOUT_MINUTES``; every further
``AUTH_LOCKOUT_ATTEMPTS`` failures after a lock ends lock it again. While locked, a login is
refused without looking at the password, so the answer is the same for a right and a wrong
one. ``aftersales users unlock NAME`` (:func:`unlock`) ends a lock at once.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit.service import audit_actor
from core.security.models import LoginLock
from core.timeutil import UTC, utcnow

LOCKOUT_ACTOR = "system:login-lockout"


def lockout_policy() -> tuple[int, int]:
    """``(attempts, minutes)`` from the settings; ``attempts`` 0 means never lock."""
    config = current_app.config
    return int(config.get("AUTH_LOCKOUT_ATTEMPTS") or 0), int(
        config.get("AUTH_LOCKOUT_MINUTES") or 0
    )


def _aware(moment: datetime.datetime) -> datetime.datetime:
    # SQLite gives timezone-aware columns back naive; they hold UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def find_lock(session: Session, user_id: int) -> LoginLock | None:
    """The lock row of a user, current or ended, if there is one."""
    return session.scalar(select(LoginLock).where(LoginLock.user_id == user_id))


def active_lock(session: Session, user: Any) -> LoginLock | None:
    """The lock keeping ``user`` out now, or ``None``."""
    lock = find_lock(session, user.id)
    if lock is not None and _aware(lock.locked_until) > utcnow():
        return lock
    return None


def minutes_left(lock: LoginLock) -> int:
    """Whole minutes (at least 1) until ``lock`` ends."""
    seconds = (_aware(lock.locked_until) - utcnow()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def record_failure(session: Session, user: Any) -> LoginLock | None:
    """After a failed login of ``user`` (its ``fail_login_count`` already counted): lock the
    account when the failures in a row reach a multiple of ``AUTH_LOCKOUT_ATTEMPTS``, and
    return the new lock; ``None`` otherwise. Commits."""
    attempts, minutes = lockout_policy()
    failures = user.fail_login_count or 0
    if attempts <= 0 or minutes <= 0 or failures == 0 or failures % attempts:
        return None
    now = utcnow()
    with audit_actor(LOCKOUT_ACTOR):
        lock = find_lock(session, user.id)
        if lock is None:
            lock = LoginLock(user_id=user.id, username=user.username)
            session.add(lock)
        lock.failures = failures
        lock.address = request.remote_addr if has_request_context() else None
        lock.locked_on = now
        lock.locked_until = now + datetime.timedelta(minutes=minutes)
        try:
            session.commit()
        except IntegrityError:  # a parallel failed login locked the account first
            session.rollback()
            lock = find_lock(session, user.id)
    return lock


def unlock(session: Session, user: Any) -> bool:
    """End any lock of ``user`` and forget its failed logins; whether it was locked.
    Commits (the removal is audited with the caller as actor)."""
    lock = find_lock(session, user.id)
    was_locked = lock is not None and _aware(lock.locked_until) > utcnow()
    if lock is not None:
        session.delete(lock)
    user.fail_login_count = 0
    session.commit()
    return was_locked
