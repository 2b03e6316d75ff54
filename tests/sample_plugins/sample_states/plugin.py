"""Hooks of sample_states: a screen and an API built on core.states, and an API made from
the screen (core.screen_api)."""

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.contributions import RoleSpec
from core.hooks import hookimpl
from core.screen_api import api_for
from core.security.permissions import BusinessModelApi, BusinessModelView
from core.states.api import StatefulApi
from core.states.views import StatefulView
from sample_states.models import PERMIT_STATES, Permit

PERMIT = "sample_states_permit"


class PermitView(StatefulView, BusinessModelView):
    datamodel = SQLAInterface(Permit)
    route_base = "/states/permits"
    class_permission_name = PERMIT
    state_machine = PERMIT_STATES
    list_columns = ["number", "holder", "state"]
    show_columns = ["number", "holder", "state", "state_reason"]
    add_columns = edit_columns = ["number", "holder"]


class PermitApi(StatefulApi, BusinessModelApi):
    resource_name = "permit"
    datamodel = SQLAInterface(Permit)
    class_permission_name = PERMIT
    state_machine = PERMIT_STATES
    add_columns = edit_columns = ["number", "holder"]
    list_columns = show_columns = ["id", "number", "holder", "state"]


@hookimpl
def aftersales_models():
    return [Permit]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder):
    appbuilder.add_view(PermitView, "Permits", category="States")


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder):
    appbuilder.add_api(PermitApi)
    appbuilder.add_api(api_for(PermitView, "permit_screen"))  # the same API, from the screen


@hookimpl
def aftersales_roles():
    clerk = [("can_read", PERMIT), ("can_write", PERMIT), ("menu_access", "Permits")]
    return [
        RoleSpec("Permit Clerk", clerk),
        RoleSpec("Permit Approver", [*clerk, ("can_approve", PERMIT)]),
        RoleSpec("Permit Reader", [("can_read", PERMIT), ("menu_access", "Permits")]),
    ]
