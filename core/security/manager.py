"""AfterSales' security manager: Flask-AppBuilder's, minus what does not fit here, plus the
login lockout (:mod:`core.security.lockout`)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, current_app, g
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_babel import gettext, lazy_gettext
from werkzeug.security import check_password_hash

from core.security import lockout

log = logging.getLogger(__name__)
INVALID_LOGIN = lazy_gettext("Invalid login. Please try again.")


def locked_message() -> str | None:
    """The message for a login refused because the account is locked, in this request."""
    lock = g.get("login_lock")
    if lock is None:
        return None
    return gettext(
        "This account is locked after too many failed logins. Try again in %(minutes)s min, "
        "or ask an administrator to unlock it.",
        minutes=lockout.minutes_left(lock),
    )


class AuthDBView(FabAuthDBView):
    """The login form, saying so when the account is locked.

    (Same class name as Flask-AppBuilder's, so its endpoints keep theirs: ``AuthDBView.login``.)
    """

    @property
    def invalid_login_message(self) -> str:  # type: ignore[override]
        """Flask-AppBuilder's "Invalid login" or, for a locked account, why and until when."""
        return locked_message() or str(INVALID_LOGIN)


class SecurityApi(FabSecurityApi):
    """``POST /api/v1/security/login``, answering a locked account's 401 with why.

    (Same class name as Flask-AppBuilder's, so the blueprint and its routes keep theirs.)
    """

    def response_401(self) -> Response:
        """401 ``{"message"}``: "Not authorized", or that the account is locked."""
        message = locked_message()
        if message is None:
            return super().response_401()
        return self.response(401, message=message)


class AfterSalesSecurityManager(SecurityManager):
    """Flask-AppBuilder's database security manager with two changes.

    * No "User's Statistics" chart screen: it draws with Google Charts loaded from the
      internet; AfterSales serves every asset itself and must work offline.
    * Failed logins lock the account (:mod:`core.security.lockout`); a locked account is
      refused without its password being checked. Flask-AppBuilder's own rate limit on the
      form is off: :mod:`core.security.ratelimit` gives the form and the REST login one budget.
    """

    userstatschartview = None
    authdbview = AuthDBView
    security_api = SecurityApi

    @property
    def is_auth_limited(self) -> bool:
        """Off: :func:`core.security.ratelimit.limit_logins` limits both logins together."""
        return False

    def auth_user_db(self, username: Any, password: Any) -> Any:
        """Flask-AppBuilder's check of a username (or e-mail) and password, refused for a
        locked account whatever the password."""
        g.login_lock = None
        user = None
        if isinstance(username, str) and username:
            user = self.find_user(username=username) or self.find_user(email=username)
        if user is not None and user.is_active:
            lock = lockout.active_lock(self.session, user)
            if lock is not None:
                # As long as a password check, so the answer's timing tells nothing either.
                check_password_hash(
                    current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password"
                )
                log.info("login refused: account %s is locked", user.username)
                g.login_lock = lock
                return None
        return super().auth_user_db(username, password)

    def update_user_auth_stat(self, user: Any, success: bool = True) -> None:
        """Count the login as Flask-AppBuilder does; lock the account after too many
        failures in a row."""
        super().update_user_auth_stat(user, success)
        if not success:
            lock = lockout.record_failure(self.session, user)
            if lock is not None:
                log.warning(
                    "account %s locked after %s failed logins", user.username, lock.failures
                )
                g.login_lock = lock
