"""Security headers on every response, through Flask-Talisman.

* ``Content-Security-Policy``: everything from the app's own origin only (no CDN: every asset
  is served from ``/static``). Scripts need the origin or the request's nonce: templates write
  ``nonce="{{ baselib.get_nonce() }}"`` on every ``<script>`` (Flask-AppBuilder 5's templates
  already do, through Talisman's ``csp_nonce``); inline event handlers (``onclick=``) are not
  allowed, behaviour lives in ``core/static/aftersales.js``. ``style="..."`` attributes are
  allowed (``style-src-attr 'unsafe-inline'``): Flask-AppBuilder's templates, its widgets and
  ours use them for layout, and a style attribute cannot run script; ``<style>`` elements and
  stylesheets from elsewhere stay refused. ``frame-ancestors 'none'`` (with
  ``X-Frame-Options: DENY``) keeps the app out of other sites' frames.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` (``REFERRER_POLICY``), a
  ``Permissions-Policy`` denying camera, microphone and location.
* With ``PREFERRED_URL_SCHEME = "https"``: ``Secure`` session and remember-me cookies, and
  ``Strict-Transport-Security`` on requests that arrived over https (directly or through a
  proxy that says so); ``HSTS_MAX_AGE`` seconds. Redirecting http to https is the proxy's job.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_talisman import Talisman

SELF = "'self'"

CONTENT_SECURITY_POLICY: dict[str, str] = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "style-src-attr": "'unsafe-inline'",
    # data: images: icons inlined in Swagger UI's and the Bootswatch themes' stylesheets.
    "img-src": f"{SELF} data:",
    "font-src": SELF,
    "connect-src": SELF,
    "object-src": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY: dict[str, str] = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "browsing-topics": "()",
}


def uses_https(app: Flask) -> bool:
    """Whether the app is served over https (``PREFERRED_URL_SCHEME = "https"``)."""
    return str(app.config.get("PREFERRED_URL_SCHEME", "http")).lower() == "https"


def install_security_headers(app: Flask) -> Talisman:
    """Add the headers above to every response of ``app`` (pages, API, static files, errors)."""
    https = uses_https(app)
    app.config["REMEMBER_COOKIE_SECURE"] = https
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    options: dict[str, Any] = {
        "force_https": False,
        "frame_options": "DENY",
        "content_security_policy": CONTENT_SECURITY_POLICY,
        "content_security_policy_nonce_in": ["script-src"],
        "referrer_policy": app.config.get("REFERRER_POLICY", "strict-origin-when-cross-origin"),
        "permissions_policy": PERMISSIONS_POLICY,
        "strict_transport_security": https,
        "strict_transport_security_max_age": int(app.config.get("HSTS_MAX_AGE", 31536000)),
        "strict_transport_security_include_subdomains": False,
        "session_cookie_secure": https,
        "session_cookie_http_only": True,
        "session_cookie_samesite": app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    }
    return Talisman(app, **options)
