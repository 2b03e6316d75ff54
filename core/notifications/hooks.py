"""Core's Notifications feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _
from jinja2 import ChoiceLoader, FileSystemLoader

from core.contributions import JobSpec
from core.hooks import hookimpl

TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def aftersales_config_defaults() -> dict[str, Any]:
    """Mail sending settings beyond ``MAIL_*`` in ``config.py``."""
    return {
        # Give up on a message after this many failed attempts (it is then marked failed).
        "MAIL_MAX_ATTEMPTS": 10,
        # Messages sent per run of the core.send_mail job.
        "MAIL_BATCH_SIZE": 100,
        # Seconds to wait for the SMTP server.
        "MAIL_TIMEOUT": 30,
        # SMTP over TLS from the first byte (port 465) instead of STARTTLS.
        "MAIL_USE_SSL": False,
        # Prefix of the app's links in e-mails ("https://erp.example.com"); empty: paths only.
        "PUBLIC_URL": "",
    }


@hookimpl
def aftersales_models() -> list[type]:
    """The notification and mail outbox tables."""
    from core.notifications.models import MailOutbox, Notification

    return [Notification, MailOutbox]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """My notifications (reached from the bell in the navbar, not from a menu)."""
    from core.notifications.views import NotificationsView

    appbuilder.add_view_no_menu(NotificationsView)


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """``/api/v1/notifications/unread_count``."""
    from core.notifications.api import NotificationsApi

    appbuilder.add_api(NotificationsApi)


@hookimpl
def aftersales_jobs() -> list[JobSpec]:
    """Send the e-mail outbox every minute."""
    from core.notifications.service import send_mail_job

    return [
        JobSpec(
            "core.send_mail",
            run=send_mail_job,
            description=_("Send the e-mails waiting in the outbox"),
            schedule="* * * * *",
        )
    ]


@hookimpl
def aftersales_app_ready(app: Flask) -> None:
    """The navbar bell: FAB's ``navbar_right.html`` with an unread badge.

    Our copy is found after the app's own templates (an override there still wins) and
    before Flask-AppBuilder's.
    """
    from core.notifications.views import signed_in_user

    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [app.jinja_loader, FileSystemLoader(str(TEMPLATES))]  # type: ignore[list-item]
    )

    def notifications_unread_count() -> int:
        from core.extensions import db
        from core.notifications.service import unread_count

        user = signed_in_user()
        return unread_count(db.session, user.id) if user is not None else 0

    app.jinja_env.globals["notifications_unread_count"] = notifications_unread_count
