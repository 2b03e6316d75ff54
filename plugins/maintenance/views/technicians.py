"""Screens of technicians and their certifications."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from plugins.maintenance import services
from plugins.maintenance.models import (
    Certification,
    Technician,
)
from plugins.maintenance.services.access import (
    KEPT_VIEW_PERMISSIONS,
    NO_DELETE,
)
from plugins.maintenance.views.common import MaintenanceView, yes_no


class CertificationView(MaintenanceView):
    """Certifications of a technician (shown inside the technician)."""

    datamodel = SQLAInterface(Certification)
    route_base = "/maintenance/certifications"
    class_permission_name = "maintenance_technician"
    prepare = staticmethod(services.prepare_certification)
    list_title = _("Certifications")
    list_columns = ["skill", "name", "number", "valid_until"]
    add_columns = edit_columns = show_columns = [
        "technician",
        "skill",
        "name",
        "number",
        "valid_until",
    ]


class TechnicianView(MaintenanceView):
    """Technicians: user, skills, region, working hours and certifications."""

    datamodel = SQLAInterface(Technician)
    route_base = "/maintenance/technicians"
    class_permission_name = "maintenance_technician"
    method_permission_name = KEPT_VIEW_PERMISSIONS
    exclude_route_methods = NO_DELETE  # deactivate a technician instead
    prepare = staticmethod(services.prepare_technician)
    list_title = _("Technicians")
    list_columns = ["name", "region", "skills", "calendar_code", "active"]
    add_columns = edit_columns = show_columns = services.TECHNICIAN_FIELDS
    search_columns = ["name", "region", "skills", "active"]
    base_order = ("name", "asc")
    related_views = [CertificationView]
    formatters_columns = {"active": yes_no}
