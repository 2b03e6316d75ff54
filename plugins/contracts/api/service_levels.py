"""REST endpoints of service-level terms and their targets per priority."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi
from plugins.contracts import services
from plugins.contracts.models import ServiceLevel, ServiceLevelTarget


class ServiceLevelApi(CheckedModelApi):
    """``/api/v1/service_level/``."""

    resource_name = "service_level"
    datamodel = SQLAInterface(ServiceLevel)
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_service_level)
    add_columns = edit_columns = ["name", "calendar_code", "service_mode"]
    list_columns = show_columns = ["id", *add_columns]


class ServiceLevelTargetApi(CheckedModelApi):
    """``/api/v1/service_level_target/``: response/resolution hours per priority."""

    resource_name = "service_level_target"
    datamodel = SQLAInterface(ServiceLevelTarget)
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_target)
    add_columns = edit_columns = [
        "service_level",
        "priority",
        "response_hours",
        "resolution_hours",
    ]
    list_columns = show_columns = [
        "id",
        "priority",
        "response_hours",
        "resolution_hours",
    ]
    search_columns = ["service_level", "priority"]
