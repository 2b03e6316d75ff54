"""My notifications: each signed-in user sees and marks only their own.

The screen needs a signed-in user but no role permission: every user has an inbox, and
the queries are filtered by the user's id, so nobody can reach another's notifications.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext

from core.company.service import company_zone
from core.extensions import db
from core.notifications.service import (
    NotificationNotFound,
    is_local_link,
    mark_all_read,
    mark_read,
    unread_count,
    user_notifications,
)
from core.timeutil import to_zone

TEMPLATES = str(Path(__file__).parent / "templates")
PAGE_SIZE = 20


def signed_in_user() -> Any:
    """The signed-in user of this request, or ``None``."""
    user = g.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let signed-in users through; send anonymous visitors to the login page."""

    @functools.wraps(view)
    def wrapper(self: BaseView, *args: Any, **kwargs: Any) -> Any:
        if signed_in_user() is None:
            login = f"{type(self.appbuilder.sm.auth_view).__name__}.login"
            return redirect(url_for(login, next=request.url))
        return view(self, *args, **kwargs)

    return wrapper


def local_time(moment: datetime.datetime | None) -> str:
    """``moment`` in the company time zone, to the minute."""
    if moment is None:
        return ""
    return to_zone(moment, str(company_zone())).strftime("%Y-%m-%d %H:%M")


class NotificationsView(BaseView):
    """The current user's notifications, newest first; mark one or all as read (POST)."""

    route_base = "/notifications"
    default_view = "list"
    template_folder = TEMPLATES
    class_permission_name = "core_notification"

    @expose("/")
    @signed_in
    def list(self) -> Any:
        """One page of the user's notifications (``?unread=1``: unread only)."""
        user = signed_in_user()
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        unread_only = request.args.get("unread") == "1"
        rows, total = user_notifications(
            db.session, user.id, unread_only, PAGE_SIZE, (page - 1) * PAGE_SIZE
        )
        return self.render_template(
            "core_notifications/list.html",
            notifications=rows,
            total=total,
            unread=unread_count(db.session, user.id),
            page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            unread_only=unread_only,
            local_time=local_time,
            is_local_link=is_local_link,
        )

    @expose("/<int:notification_id>/read", methods=["POST"])
    @signed_in
    def read(self, notification_id: int) -> Any:
        """Mark one of the user's notifications read."""
        self._mark(notification_id)
        db.session.commit()
        return redirect(self._back())

    @expose("/<int:notification_id>/open", methods=["POST"])
    @signed_in
    def open(self, notification_id: int) -> Any:
        """Mark a notification read and go to its link (links inside the app only)."""
        notification = self._mark(notification_id)
        link = notification.link
        db.session.commit()
        return redirect(link if is_local_link(link) else self._back())

    @expose("/read_all", methods=["POST"])
    @signed_in
    def read_all(self) -> Any:
        """Mark all the user's notifications read."""
        count = mark_all_read(db.session, signed_in_user().id)
        db.session.commit()
        flash(gettext("%(n)d notification(s) marked as read.", n=count), "success")
        return redirect(self._back())

    def _mark(self, notification_id: int) -> Any:
        try:
            return mark_read(db.session, signed_in_user().id, notification_id)
        except NotificationNotFound:
            db.session.rollback()
            abort(404)

    @staticmethod
    def _back() -> str:
        target = request.form.get("next") or ""
        return target if is_local_link(target) else url_for("NotificationsView.list")
