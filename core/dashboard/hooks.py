"""Core's own dashboard widgets, contributed through the same hook as a plugin's."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core.contributions import DashboardWidget
from core.dashboard.charts import bar_chart
from core.hooks import hookimpl
from core.runtime import runtime
from core.timeutil import utcnow

AUDIT_DAYS = 14
ACTION_COLOURS = {"create": "#5cb85c", "update": "#f0ad4e", "delete": "#d9534f"}


@hookimpl
def aftersales_dashboard_widgets() -> list[DashboardWidget]:
    """Enabled modules (admins), active users by role, and audit activity when audit exists."""
    widgets = [
        DashboardWidget(
            "core_enabled_modules",
            _("Enabled modules"),
            "count",
            enabled_modules,
            permission=("can_read", "core_modules"),
            order=10,
            width=4,
        ),
        DashboardWidget(
            "core_users_by_role",
            _("Active users by role"),
            "chart",
            users_by_role,
            permission=("can_list", "UserDBModelView"),
            order=20,
            width=8,
        ),
    ]
    audit = _audit_model()
    if audit is not None:
        widgets.append(
            DashboardWidget(
                "core_audit_activity",
                _("Audit activity, last %(days)d days", days=AUDIT_DAYS),
                "chart",
                audit_activity,
                permission=("can_read", "core_audit_log"),
                order=30,
                width=12,
            )
        )
    return widgets


def enabled_modules(session: Session) -> dict[str, Any]:
    """How many plugins this app runs, out of those installed, linking to the Modules screen."""
    rt = runtime()
    return {
        "value": len(rt.enabled_names),
        "link": url_for("ModulesView.list"),
        "note": gettext("%(count)d installed", count=len(rt.registry.plugins)),
    }


def users_by_role(session: Session) -> dict[str, Any]:
    """A bar chart: for each role (but the anonymous one), how many active users hold it."""
    sm = current_app.appbuilder.sm
    role, user = sm.role_model, sm.user_model
    link = user.roles.property.secondary
    public = current_app.config.get("AUTH_ROLE_PUBLIC", "Public")
    rows = session.execute(
        select(role.name, func.count(user.id))
        .select_from(role)
        .outerjoin(link, link.c.role_id == role.id)
        .outerjoin(user, and_(user.id == link.c.user_id, user.active.is_(True)))
        .where(role.name != public)
        .group_by(role.name)
        .order_by(role.name)
    ).all()
    return bar_chart(
        [name for name, _count in rows],
        gettext("Active users"),
        [count for _name, count in rows],
        "#337ab7",
    )


def day_starts(today: datetime.date, days: int, zone: ZoneInfo) -> list[datetime.datetime]:
    """The UTC instants at which each of the last ``days`` days (ending ``today``) begins in
    ``zone``, plus the start of tomorrow: ``days + 1`` boundaries (daylight saving safe)."""
    first = today - datetime.timedelta(days=days - 1)
    return [
        datetime.datetime.combine(
            first + datetime.timedelta(days=i), datetime.time(), zone
        ).astimezone(datetime.UTC)
        for i in range(days + 1)
    ]


def audit_activity(session: Session) -> dict[str, Any]:
    """A stacked bar chart of audit log entries per day and action, in the company time zone.

    One query: each day is a ``SUM(CASE ...)`` column, grouped by action.
    """
    audit = _audit_model()
    zone = _company_zone()
    today = utcnow().astimezone(zone).date()
    bounds = day_starts(today, AUDIT_DAYS, zone)
    columns = [
        func.sum(case((and_(audit.at >= start, audit.at < end), 1), else_=0))
        for start, end in zip(bounds, bounds[1:], strict=False)
    ]
    rows = session.execute(
        select(audit.action, *columns)
        .where(audit.at >= bounds[0], audit.at < bounds[-1])
        .group_by(audit.action)
        .order_by(audit.action)
    ).all()
    first = bounds[0].astimezone(zone).date()
    return {
        "type": "bar",
        "data": {
            "labels": [
                (first + datetime.timedelta(days=i)).strftime("%m-%d") for i in range(AUDIT_DAYS)
            ],
            "datasets": [
                {
                    "label": _action_label(row[0]),
                    "data": [int(v or 0) for v in row[1:]],
                    "backgroundColor": ACTION_COLOURS.get(row[0], "#777777"),
                }
                for row in rows
            ],
        },
        "options": {
            "scales": {
                "x": {"stacked": True},
                "y": {"stacked": True, "beginAtZero": True, "ticks": {"precision": 0}},
            }
        },
    }


def _action_label(action: str) -> str:
    """The translated name of an audit action (``create``, ``update``, ``delete``)."""
    labels = {
        "create": gettext("Created"),
        "update": gettext("Updated"),
        "delete": gettext("Deleted"),
    }
    return labels.get(action, action)


def _company_zone() -> ZoneInfo:
    """The company time zone (the Company screen's, else ``COMPANY_TIME_ZONE``)."""
    try:
        from core.company.service import company_zone
    except ImportError:
        return ZoneInfo(current_app.config.get("COMPANY_TIME_ZONE") or "UTC")
    return company_zone()


def _audit_model() -> Any:
    """Core's ``AuditLog`` model when the audit feature is present (it is built separately)."""
    try:
        from core.audit.models import AuditLog
    except ImportError:
        return None
    return AuditLog
