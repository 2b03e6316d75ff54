"""Core's Audit log feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from core.audit import capture
from core.hooks import hookimpl
from core.menus import add_admin_view

# Importing this module installs the session listeners (idempotent, once per process).
capture.install()


@hookimpl
def aftersales_models() -> list[type]:
    """The audit log table."""
    from core.audit.models import AuditLog

    return [AuditLog]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """Admin > Audit log."""
    from core.audit.views import AuditLogView

    add_admin_view(appbuilder, AuditLogView, "Audit log", _("Audit log"), "fa-history")


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """``/api/v1/audit_log/``."""
    from core.audit.api import AuditLogApi

    appbuilder.add_api(AuditLogApi)
