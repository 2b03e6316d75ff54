"""``/api/v1/audit_log/``: the audit log, read-only, filterable, one query per page."""

from __future__ import annotations

from flask_appbuilder import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.audit.models import AuditLog

READ_ONLY_API_PERMISSIONS = {"get": "read", "get_list": "read", "info": "read"}
COLUMNS = [
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "table_name",
    "record_id",
    "record_label",
    "changes",
]


class AuditLogApi(ModelRestApi):
    """List and read audit entries; no relationships, so a page costs one query."""

    resource_name = "audit_log"
    datamodel = SQLAInterface(AuditLog)
    class_permission_name = "core_audit_log"
    include_route_methods = set(READ_ONLY_API_PERMISSIONS)
    method_permission_name = READ_ONLY_API_PERMISSIONS
    allow_browser_login = True
    base_order = ("id", "desc")
    list_columns = COLUMNS
    show_columns = COLUMNS
    search_columns = ["table_name", "record_id", "username", "user_id", "action", "at"]
    order_columns = ["id", "at", "username", "action", "table_name", "record_id"]
