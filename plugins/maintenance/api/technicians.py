"""REST APIs of technicians and their certifications."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi
from plugins.maintenance import services
from plugins.maintenance.models import (
    Certification,
    Technician,
)
from plugins.maintenance.services.access import (
    KEPT_API_PERMISSIONS,
    NO_DELETE,
)


class TechnicianApi(CheckedModelApi):
    """``/api/v1/technician/``."""

    resource_name = "technician"
    datamodel = SQLAInterface(Technician)
    class_permission_name = "maintenance_technician"
    method_permission_name = KEPT_API_PERMISSIONS
    exclude_route_methods = NO_DELETE  # deactivate a technician instead
    prepare = staticmethod(services.prepare_technician)
    add_columns = edit_columns = services.TECHNICIAN_FIELDS
    # the user by name, then the other fields
    list_columns = show_columns = ["id", "user.username", *services.TECHNICIAN_FIELDS[1:]]
    search_columns = ["name", "region", "skills", "active"]


class CertificationApi(CheckedModelApi):
    """``/api/v1/certification/``: a technician's certificates and their expiry."""

    resource_name = "certification"
    datamodel = SQLAInterface(Certification)
    class_permission_name = "maintenance_technician"
    prepare = staticmethod(services.prepare_certification)
    add_columns = edit_columns = ["technician", "skill", "name", "number", "valid_until"]
    list_columns = show_columns = [
        "id",
        "technician.name",
        "skill",
        "name",
        "number",
        "valid_until",
    ]
    search_columns = ["technician", "skill", "valid_until"]
