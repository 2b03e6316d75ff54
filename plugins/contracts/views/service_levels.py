"""Screens of service-level terms and their targets per priority."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from wtforms import SelectField

from core.extensions import db
from plugins.contracts import services
from plugins.contracts.models import ServiceLevel, ServiceLevelTarget
from plugins.contracts.services.labels import LABELS
from plugins.contracts.views.common import ContractsView, choice_labels, selects


class ServiceLevelTargetView(ContractsView):
    """Response and resolution times per priority (shown inside service-level terms)."""

    datamodel = SQLAInterface(ServiceLevelTarget)
    route_base = "/contracts/service-level-targets"
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_target)
    list_title = _("Targets per Priority")
    list_columns = ["priority", "response_hours", "resolution_hours"]
    add_columns = edit_columns = show_columns = [
        "service_level",
        "priority",
        "response_hours",
        "resolution_hours",
    ]
    add_form_extra_fields = edit_form_extra_fields = selects("priority")


class ServiceLevelView(ContractsView):
    """Reusable service-level terms."""

    datamodel = SQLAInterface(ServiceLevel)
    route_base = "/contracts/service-levels"
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_service_level)
    list_title = _("Service Levels")
    list_columns = ["name", "calendar_code", "service_mode"]
    add_columns = edit_columns = ["name", "calendar_code", "service_mode"]
    show_columns = ["name", "calendar_code", "service_mode"]
    add_form_extra_fields = edit_form_extra_fields = {
        **selects("service_mode"),
        # Read per form: calendars added under Admin > Calendars appear at once.
        "calendar_code": SelectField(
            LABELS["calendar_code"],
            choices=lambda: services.calendar_choices(db.session),
            description=_("Standard 5x8 / 7x24, or a calendar defined under Admin > Calendars"),
        ),
    }
    formatters_columns = choice_labels("service_mode")
    related_views = [ServiceLevelTargetView]
