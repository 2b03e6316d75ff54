"""Notifying users, reading and marking notifications, and sending the e-mail outbox.

``notify`` and ``queue_mail`` write in the caller's transaction (the caller commits), so a
rolled-back action notifies nobody. ``send_pending_mail`` runs as the ``core.send_mail`` job:
it commits after every message and marks a message sent only once the SMTP server accepted
it, so running it again never sends twice what was sent.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import current_app, has_app_context
from flask_appbuilder.security.sqla.models import Group, Role, User
from flask_babel import gettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.notifications.models import (
    ADDRESS_LENGTH,
    FAILED,
    LINK_LENGTH,
    PENDING,
    SENT,
    SUBJECT_LENGTH,
    TITLE_LENGTH,
    MailOutbox,
    Notification,
)
from core.timeutil import utcnow

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_BATCH_SIZE = 100
MAX_BACKOFF_MINUTES = 60
ERROR_LENGTH = 2000

# SMTP failures that concern one message; anything else means the server itself is unusable.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


class NotificationError(ValueError):
    """A notification that cannot be made; ``field`` names the bad argument."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class NotificationNotFound(NotificationError):
    """No such notification for this user (another user's counts as none: 404)."""


# --- Writing --------------------------------------------------------------------------------


def notify(
    session: Session,
    users_or_roles: Any,
    title: str,
    body: str = "",
    link: str | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify users: one in-app notification each, and an e-mail to those with an address.

    ``users_or_roles`` is a user, a role, a group, a user id (``int``) or a role name
    (``str``), or an iterable of them; roles and groups reach their active members. Each user
    is notified once. ``link`` is a path in the app (``/contracts/5``) or an http(s) URL.
    Everything is written in the caller's transaction; raises :class:`NotificationError`.
    """
    title = (title or "").strip()
    if not title:
        raise NotificationError(gettext("title: is required"), "title")
    if len(title) > TITLE_LENGTH:
        raise NotificationError(
            gettext("title: must be at most %(n)d characters", n=TITLE_LENGTH), "title"
        )
    link = _checked_link(link)
    users = recipients(session, users_or_roles)
    notifications = [
        Notification(user_id=user.id, title=title, body=body or "", link=link) for user in users
    ]
    session.add_all(notifications)
    session.flush()
    if email:
        for user, notification in zip(users, notifications, strict=True):
            if user.email:
                queue_mail(
                    session,
                    user.email,
                    title,
                    _mail_body(body or "", link),
                    notification_id=notification.id,
                )
        session.flush()
    return notifications


def recipients(session: Session, users_or_roles: Any) -> list[Any]:
    """The active users that ``users_or_roles`` designates, each once, by id."""
    items = (
        [users_or_roles]
        if isinstance(users_or_roles, str | int | User | Role | Group)
        else list(users_or_roles or [])
    )
    if not items:
        raise NotificationError(
            gettext("users_or_roles: name at least one user or role"), "users_or_roles"
        )
    user_ids: set[int] = set()
    role_names: set[str] = set()
    role_ids: set[int] = set()
    group_ids: set[int] = set()
    for item in items:
        if isinstance(item, bool):
            raise _bad_recipient(item)
        if isinstance(item, User):
            user_ids.add(item.id)
        elif isinstance(item, int):
            user_ids.add(item)
        elif isinstance(item, Role):
            role_ids.add(item.id)
        elif isinstance(item, Group):
            group_ids.add(item.id)
        elif isinstance(item, str):
            role_names.add(item)
        else:
            raise _bad_recipient(item)
    if role_names:
        query = select(Role.name, Role.id).where(Role.name.in_(role_names))
        found = {name: role_id for name, role_id in session.execute(query)}
        missing = sorted(role_names - set(found))
        if missing:
            raise NotificationError(
                gettext("users_or_roles: no role named %(names)s", names=", ".join(missing)),
                "users_or_roles",
            )
        role_ids.update(found.values())
    conditions = []
    if user_ids:
        conditions.append(User.id.in_(user_ids))
    if role_ids:
        conditions.append(User.roles.any(Role.id.in_(role_ids)))
        conditions.append(User.groups.any(Group.roles.any(Role.id.in_(role_ids))))
    if group_ids:
        conditions.append(User.groups.any(Group.id.in_(group_ids)))
    users = list(session.scalars(select(User).where(or_(*conditions)).order_by(User.id)))
    unknown = sorted(user_ids - {u.id for u in users})
    if unknown:
        raise NotificationError(
            gettext("users_or_roles: no user with id %(ids)s", ids=", ".join(map(str, unknown))),
            "users_or_roles",
        )
    return [u for u in users if u.active]


def _bad_recipient(item: Any) -> NotificationError:
    return NotificationError(
        gettext(
            "users_or_roles: %(item)r is not a user, role, group, user id or role name",
            item=item,
        ),
        "users_or_roles",
    )


def _checked_link(link: str | None) -> str | None:
    link = (link or "").strip() or None
    if link is None:
        return None
    if len(link) > LINK_LENGTH:
        raise NotificationError(
            gettext("link: must be at most %(n)d characters", n=LINK_LENGTH), "link"
        )
    if is_local_link(link) or link.startswith(("http://", "https://")):
        return link
    raise NotificationError(
        gettext("link: must be a path in the app (/...) or an http(s) URL"), "link"
    )


def is_local_link(link: str | None) -> bool:
    """Whether ``link`` is a path inside this app (safe to redirect to)."""
    return bool(link) and link.startswith("/") and not link.startswith("//") and "\\" not in link


def _mail_body(body: str, link: str | None) -> str:
    if not link:
        return body
    if is_local_link(link) and has_app_context():
        base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
        link = f"{base}{link}"
    return f"{body}\n\n{link}" if body else link


def queue_mail(
    session: Session,
    to_address: str,
    subject: str,
    body: str,
    notification_id: int | None = None,
) -> MailOutbox:
    """Put an e-mail in the outbox, in the caller's transaction; the mail job sends it."""
    to_address = (to_address or "").strip()
    if not to_address or "@" not in parseaddr(to_address)[1] or len(to_address) > ADDRESS_LENGTH:
        raise NotificationError(
            gettext("to_address: %(value)r is not an e-mail address", value=to_address),
            "to_address",
        )
    subject = " ".join((subject or "").split())[:SUBJECT_LENGTH]
    if not subject:
        raise NotificationError(gettext("subject: is required"), "subject")
    mail = MailOutbox(
        to_address=to_address,
        subject=subject,
        body=body or "",
        status=PENDING,
        attempts=0,
        notification_id=notification_id,
    )
    session.add(mail)
    return mail


# --- Reading and marking --------------------------------------------------------------------


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread."""
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_on.is_(None))
    )


def user_notifications(
    session: Session, user_id: int, unread_only: bool = False, limit: int = 20, offset: int = 0
) -> tuple[list[Notification], int]:
    """One page of the user's notifications, newest first, and how many there are."""
    condition = [Notification.user_id == user_id]
    if unread_only:
        condition.append(Notification.read_on.is_(None))
    total = session.scalar(select(func.count()).select_from(Notification).where(*condition))
    rows = session.scalars(
        select(Notification)
        .where(*condition)
        .order_by(Notification.created_on.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (already read: unchanged).

    Another user's notification is treated as missing (:class:`NotificationNotFound`).
    """
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        raise NotificationNotFound(
            gettext("notification %(id)s: not found", id=notification_id), "notification_id"
        )
    if notification.read_on is None:
        notification.read_on = utcnow()
        session.flush()
    return notification


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_on.is_(None))
        .values(read_on=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return result.rowcount or 0


# --- Sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailRunResult:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0
    pending: int = 0
    reason: str = ""


def _settings() -> Mapping[str, Any]:
    return current_app.config if has_app_context() else {}


def pending_mail_count(session: Session, now: datetime.datetime | None = None) -> int:
    """How many e-mails are due to be sent now."""
    return session.scalar(select(func.count()).select_from(MailOutbox).where(_due(now or utcnow())))


def _due(now: datetime.datetime) -> Any:
    return (MailOutbox.status == PENDING) & or_(
        MailOutbox.next_attempt_on.is_(None), MailOutbox.next_attempt_on <= now
    )


def send_pending_mail(
    session: Session,
    limit: int | None = None,
    settings: Mapping[str, Any] | None = None,
    now: datetime.datetime | None = None,
    progress: Callable[[int, int | None, str], Any] | None = None,
) -> MailRunResult:
    """Send up to ``limit`` due e-mails of the outbox, oldest first, committing after each.

    A message is marked ``sent`` only after the SMTP server accepted it. A failure records
    the error and the attempt, and the message waits (1, 2, 4... up to 60 minutes) before the
    next try; after ``MAIL_MAX_ATTEMPTS`` it is marked ``failed``. When the server cannot be
    reached the run stops at the first message. Without ``MAIL_SERVER`` nothing is sent and
    a warning is logged. ``settings`` defaults to the current app's config.
    """
    settings = settings if settings is not None else _settings()
    now = now or utcnow()
    limit = limit or int(settings.get("MAIL_BATCH_SIZE") or DEFAULT_BATCH_SIZE)
    due = pending_mail_count(session, now)
    if not settings.get("MAIL_SERVER"):
        if due:
            log.warning("%d e-mail(s) wait in the outbox: MAIL_SERVER is not configured", due)
        return MailRunResult(pending=due, reason="MAIL_SERVER is not configured")
    total = min(due, limit)
    max_attempts = int(settings.get("MAIL_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    sent = failed = 0
    reason = ""
    smtp: smtplib.SMTP | None = None
    try:
        for _ in range(total):
            mail = session.scalars(
                select(MailOutbox)
                .where(_due(now))
                .order_by(MailOutbox.id)
                .limit(1)
                .with_for_update(skip_locked=True)  # another sender holds it: take the next
            ).first()
            if mail is None:
                break
            try:
                if smtp is None:
                    smtp = _connect(settings)
                smtp.send_message(_message(mail, settings, now))
            except (smtplib.SMTPException, OSError) as exc:
                _record_failure(mail, exc, max_attempts, now)
                session.commit()
                failed += 1
                if not isinstance(exc, MESSAGE_ERRORS):
                    reason = f"{type(exc).__name__}: {exc}"
                    log.warning("mail server unusable, stopping this run: %s", reason)
                    smtp = _close(smtp)
                    break
                continue
            mail.status = SENT
            mail.sent_on = utcnow()
            mail.attempts += 1
            mail.last_error = None
            session.commit()
            sent += 1
            if progress is not None:
                progress(sent + failed, total, f"sent {sent}, failed {failed}")
    finally:
        _close(smtp)
    if progress is not None:
        progress(sent + failed, total, f"sent {sent}, failed {failed}")
    return MailRunResult(sent, failed, pending_mail_count(session, now), reason)


def _record_failure(
    mail: MailOutbox, exc: BaseException, max_attempts: int, now: datetime.datetime
) -> None:
    mail.attempts += 1
    mail.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
    if mail.attempts >= max_attempts:
        mail.status = FAILED
        mail.next_attempt_on = None
    else:
        minutes = min(2 ** (mail.attempts - 1), MAX_BACKOFF_MINUTES)
        mail.next_attempt_on = now + datetime.timedelta(minutes=minutes)
    log.warning(
        "e-mail %s to %s failed (attempt %d): %s",
        mail.id,
        mail.to_address,
        mail.attempts,
        mail.last_error,
    )


def _connect(settings: Mapping[str, Any]) -> smtplib.SMTP:
    host = settings["MAIL_SERVER"]
    port = int(settings.get("MAIL_PORT") or 25)
    timeout = float(settings.get("MAIL_TIMEOUT") or 30)
    if settings.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if settings.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if settings.get("MAIL_USERNAME"):
        smtp.login(settings["MAIL_USERNAME"], settings.get("MAIL_PASSWORD") or "")
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return None
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    return None


def _message(mail: MailOutbox, settings: Mapping[str, Any], now: datetime.datetime) -> EmailMessage:
    sender = settings.get("MAIL_DEFAULT_SENDER") or "aftersales@localhost"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    # One stable id per outbox row: a receiving system can drop a duplicate delivery.
    message["Message-ID"] = f"<outbox.{mail.id}.{int(mail.created_on.timestamp())}@{domain}>"
    message.set_content(mail.body)
    return message


def send_mail_job(context: Any) -> MailRunResult:
    """The ``core.send_mail`` job: send the due e-mails of the outbox."""
    return send_pending_mail(context.session, progress=context.progress)
