"""Admin > Audit log: a read-only list, filterable by table, record, user and date."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from markupsafe import Markup, escape

from core.audit.models import AuditLog
from core.audit.service import record_history
from core.audit.wording import HistoryWords, action_text, history_words, local_minute
from core.company.service import company_zone
from core.extensions import db
from core.timeutil import to_zone

TEMPLATES = str(Path(__file__).parent / "templates")
READ_ONLY_PERMISSIONS = {"list": "read", "show": "read", "record": "read"}


def local_time(moment: datetime.datetime | None) -> str:
    """``moment`` (stored in UTC) in the company time zone, to the second."""
    if moment is None:
        return ""
    return to_zone(moment, str(company_zone())).strftime("%Y-%m-%d %H:%M:%S %Z")


def _cell(value: Any, words: HistoryWords | None = None, field: str = "") -> Markup:
    if value is None or value == []:
        return Markup('<span class="text-muted">&mdash;</span>')
    if words is not None:
        return escape(words.value(field, value))
    if isinstance(value, list):
        return Markup(", ").join(escape(str(v)) for v in value)
    return escape(str(value))


def changes_html(changes: dict[str, Any] | None, words: HistoryWords | None = None) -> Markup:
    """The changes of one entry as a small field / before / after table; with ``words``
    (:mod:`core.audit.wording`), as the record's screen says them, without the primary key
    and the fields a new or deleted record left empty."""
    if not changes:
        return Markup("")
    rows = []
    for field, value in changes.items():
        if words is not None and not words.shown(field, value):
            continue
        if isinstance(value, dict) and {"added", "removed"} >= set(value):
            before = Markup("&minus; ") + _cell(value.get("removed") or None, words, field)
            after = Markup("+ ") + _cell(value.get("added") or None, words, field)
        elif isinstance(value, list) and len(value) == 2:
            before, after = _cell(value[0], words, field), _cell(value[1], words, field)
        else:
            before, after = Markup(""), _cell(value, words, field)
        label = words.label(field) if words is not None else field
        rows.append(
            Markup("<tr><th>{}</th><td>{}</td><td>{}</td></tr>").format(label, before, after)
        )
    head = Markup("<tr><th>{}</th><th>{}</th><th>{}</th></tr>").format(
        gettext("Field"), gettext("Before"), gettext("After")
    )
    return Markup(
        '<table class="table table-condensed audit-changes"><thead>{}</thead>'
        "<tbody>{}</tbody></table>"
    ).format(head, Markup("").join(rows))


class AuditLogView(ModelView):
    """The audit log, newest first; nothing here can be added, edited or deleted."""

    datamodel = SQLAInterface(AuditLog)
    route_base = "/auditlog"
    template_folder = TEMPLATES
    class_permission_name = "core_audit_log"
    include_route_methods = set(READ_ONLY_PERMISSIONS)
    method_permission_name = READ_ONLY_PERMISSIONS
    base_order = ("id", "desc")
    page_size = 50
    list_title = _("Audit log")
    show_title = _("Audit log entry")
    list_columns = ["at", "username", "action", "table_name", "record_id", "record_label"]
    show_columns = [
        "at",
        "username",
        "user_id",
        "action",
        "table_name",
        "record_id",
        "record_label",
        "changes",
    ]
    search_columns = ["table_name", "record_id", "username", "user_id", "action", "at"]
    order_columns = ["at", "username", "action", "table_name", "record_id"]
    label_columns = {
        "at": _("When"),
        "username": _("User"),
        "user_id": _("User id"),
        "action": _("Action"),
        "table_name": _("Table"),
        "record_id": _("Record id"),
        "record_label": _("Record"),
        "changes": _("Changes"),
    }
    formatters_columns = {"at": local_time, "changes": changes_html}

    @expose("/record/<table>/<path:record_id>")
    @has_access
    def record(self, table: str, record_id: str) -> Any:
        """The history of one record (the "History" link of a record's page)."""
        entries = record_history(db.session, table, record_id)
        words = history_words(table, [entry.changes for entry in entries])
        labels = [entry.record_label for entry in entries if entry.record_label]
        if labels:
            title = gettext("History of %(record)s", record=labels[0])
        else:
            title = gettext("History of %(table)s %(record)s", table=table, record=record_id)
        return self.render_template(
            "core_audit/record.html",
            table=table,
            record_id=record_id,
            entries=entries,
            local_time=local_minute,
            changes_html=lambda changes: changes_html(changes, words),
            action_text=action_text,
            title=title,
        )
