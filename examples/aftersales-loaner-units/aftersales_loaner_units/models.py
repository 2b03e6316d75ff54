"""The loans of loaner_units and their states."""

import datetime

from flask_babel import lazy_gettext as _
from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.states import State, StateMachine, Transition
from plugins.contracts.models import Customer

LOAN_STATES = StateMachine(
    states=[State("out", _("Out")), State("returned", _("Returned")), State("lost", _("Lost"))],
    transitions=[
        Transition("return_unit", _("Return"), ["out"], "returned", icon="fa-undo"),
        Transition("report_lost", _("Report lost"), ["out"], "lost", needs_reason=True),
    ],
    reason_column="state_reason",
)


class Loan(db.Model):
    """A unit lent to a customer from ``lent_on`` until ``due_back``."""

    __tablename__ = "loaner_units_loan"
    __audit__ = True
    __table_args__ = (LOAN_STATES.check("state", "ck_loaner_units_loan_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(80), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("contracts_customer.id"), index=True)
    customer: Mapped[Customer] = relationship()
    lent_on: Mapped[datetime.date] = mapped_column(Date)
    due_back: Mapped[datetime.date] = mapped_column(Date)
    state: Mapped[str] = LOAN_STATES.column()
    state_reason: Mapped[str | None] = LOAN_STATES.reason_column_type()

    def __str__(self) -> str:
        return self.serial_number
