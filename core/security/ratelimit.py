"""One rate-limit budget per client for both logins: the form (``POST /login/``) and the REST
login (``POST /api/v1/security/login``).

Flask-AppBuilder limits only the form, and only with ``RATELIMIT_ENABLED``; its limit is
switched off (:class:`core.security.manager.AfterSalesSecurityManager`) and replaced by one
Flask-Limiter *shared* limit, ``AUTH_RATE_LIMIT`` per client address, on both endpoints. Past
it, the REST login answers 429 ``{"message"}`` and the form a 429 page, both with
``Retry-After`` (seconds).
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Flask, Response, jsonify, make_response, request
from flask_appbuilder import AppBuilder
from flask_babel import gettext

LOGIN_SCOPE = "login"
API_LOGIN_ENDPOINT = "SecurityApi.login"


def _login_endpoints(appbuilder: AppBuilder) -> frozenset[str]:
    return frozenset({f"{appbuilder.sm.auth_view.endpoint}.login", API_LOGIN_ENDPOINT})


def too_many_logins(appbuilder: AppBuilder, reset_at: float) -> Response:
    """The 429 answer: JSON for the REST login, a page for the form; ``Retry-After``."""
    seconds = max(1, math.ceil(reset_at - time.time()))
    message = gettext(
        "Too many login attempts from your address. Try again in %(seconds)s s.",
        seconds=seconds,
    )
    if request.endpoint == API_LOGIN_ENDPOINT:
        response = jsonify(message=message)
    else:
        page = appbuilder.sm.auth_view.render_template(
            "aftersales/too_many_logins.html", message=message
        )
        response = make_response(page)
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response


def limit_logins(app: Flask, appbuilder: AppBuilder) -> None:
    """Apply ``AUTH_RATE_LIMIT`` to POSTs of both logins together, per client."""
    if not (app.config.get("RATELIMIT_ENABLED") and app.config.get("AUTH_RATE_LIMITED")):
        return
    endpoints = _login_endpoints(appbuilder)

    def breached(limit: Any) -> Response:
        return too_many_logins(appbuilder, limit.window[0])  # when the window resets

    shared = appbuilder.sm.limiter.shared_limit(
        app.config["AUTH_RATE_LIMIT"],
        scope=LOGIN_SCOPE,
        methods=["POST"],
        exempt_when=lambda: request.endpoint not in endpoints,
        on_breach=breached,
    )
    for endpoint in endpoints:
        blueprint = app.blueprints.get(endpoint.split(".")[0])
        if blueprint is not None:
            shared(blueprint)
