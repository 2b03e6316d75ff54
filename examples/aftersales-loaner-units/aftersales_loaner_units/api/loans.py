"""``/api/v1/loan/``: the loans over REST (labels from the screen)."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from aftersales_loaner_units.models import LOAN_STATES, Loan
from aftersales_loaner_units.services import prepare_loan
from core.crud import CheckedModelApi
from core.states.api import StatefulApi


class LoanApi(StatefulApi, CheckedModelApi):
    """Loans, checked by :func:`prepare_loan`; ``/<id>/actions`` returns or loses a unit."""

    resource_name = "loan"
    datamodel = SQLAInterface(Loan)
    class_permission_name = "loaner_units_loan"
    prepare = staticmethod(prepare_loan)
    filled_by_prepare = ("lent_on", "due_back")
    state_machine = LOAN_STATES
    add_columns = edit_columns = ["serial_number", "customer", "lent_on", "due_back"]
    list_columns = show_columns = ["id", *add_columns, "state"]
