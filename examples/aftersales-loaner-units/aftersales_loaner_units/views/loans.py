"""The loans screen (and, made from it, the API): it only calls services."""

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from aftersales_loaner_units.models import LOAN_STATES, Loan
from aftersales_loaner_units.services import prepare_loan
from core.crud import CheckedModelView
from core.states.views import StatefulView


class LoanView(StatefulView, CheckedModelView):
    """Lend units, see what is out, take them back (buttons per state)."""

    datamodel = SQLAInterface(Loan)
    route_base = "/loaner-units/loans"
    class_permission_name = "loaner_units_loan"
    prepare = staticmethod(prepare_loan)
    filled_by_prepare = ("lent_on", "due_back")
    state_machine = LOAN_STATES
    list_title = _("Loans")
    list_columns = ["serial_number", "customer.name", "lent_on", "due_back", "state"]
    show_columns = [*list_columns, "state_reason"]
    add_columns = edit_columns = ["serial_number", "customer", "lent_on", "due_back"]
    search_columns = ["serial_number", "customer", "state", "due_back"]
    base_order = ("due_back", "asc")
