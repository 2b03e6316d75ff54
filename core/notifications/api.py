"""``/api/v1/notifications/unread_count``: the navbar's unread badge, for the signed-in user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask_appbuilder.api import BaseApi, expose
from flask_jwt_extended import current_user as jwt_user
from flask_jwt_extended import verify_jwt_in_request

from core.extensions import db
from core.notifications import service
from core.notifications.views import signed_in_user
from core.security.permissions import BusinessApi


def api_user() -> Any:
    """The caller: the browser session's user, else the JWT bearer's, else ``None``."""
    user = signed_in_user()
    if user is not None:
        return user
    if verify_jwt_in_request(optional=True) is None:
        return None
    return jwt_user if jwt_user and getattr(jwt_user, "is_active", False) else None


def signed_in_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 401 unless a user is signed in (session cookie or JWT)."""

    @functools.wraps(view)
    def wrapper(self: BaseApi, *args: Any, **kwargs: Any) -> Any:
        user = api_user()
        if user is None:
            return self.response_401()
        return view(self, user, *args, **kwargs)

    return wrapper


class NotificationsApi(BusinessApi):
    """The signed-in user's notification counts (every user has an inbox: no role needed)."""

    resource_name = "notifications"
    class_permission_name = "core_notification"
    openapi_spec_tag = "Notifications"

    @expose("/unread_count", methods=["GET"])
    @signed_in_api
    def unread_count(self, user: Any) -> Any:
        """How many of my notifications are unread.
        ---
        get:
          summary: Count my unread notifications
          responses:
            200:
              description: The count
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count:
                        type: integer
            401:
              $ref: '#/components/responses/401'
        """
        return self.response(200, count=service.unread_count(db.session, user.id))
