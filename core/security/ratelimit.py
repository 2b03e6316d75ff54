"""Rate limits on both logins (FAB only limits the form, and only with RATELIMIT_ENABLED)."""

from __future__ import annotations

from flask import Flask
from flask_appbuilder import AppBuilder


def limit_rest_login(app: Flask, appbuilder: AppBuilder) -> None:
    """Apply ``AUTH_RATE_LIMIT`` to POSTs on the REST security API (``/api/v1/security/login``)."""
    if not (app.config.get("RATELIMIT_ENABLED") and app.config.get("AUTH_RATE_LIMITED")):
        return
    blueprint = app.blueprints.get("SecurityApi")
    if blueprint is not None:
        appbuilder.sm.limiter.limit(app.config["AUTH_RATE_LIMIT"], methods=["POST"])(blueprint)
