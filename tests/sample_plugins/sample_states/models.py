"""The one table of sample_states, and its state machine."""

from flask_babel import lazy_gettext as _
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.states import State, StateMachine, Transition


def has_holder(permit):
    """A permit is submitted only with a holder."""
    return None if permit.holder else "holder: is required to submit"


PERMIT_STATES = StateMachine(
    states=[
        State("draft", _("Draft")),
        State("submitted", _("Submitted")),
        State("approved", _("Approved")),
        State("rejected", _("Rejected"), closed=True),
    ],
    transitions=[
        Transition("submit", _("Submit"), ["draft"], "submitted", allowed=has_holder),
        Transition("approve", _("Approve"), ["submitted"], "approved", permission="approve"),
        Transition("reject", _("Reject"), ["submitted"], "rejected", needs_reason=True),
        Transition("reopen", _("Reopen"), ["rejected"], "draft"),
    ],
    reason_column="state_reason",
)


class Permit(db.Model):
    """A permit: a number, a holder, and a state moved only by its actions."""

    __tablename__ = "sample_states_permit"
    __audit__ = True
    __table_args__ = (PERMIT_STATES.check("state", "ck_sample_states_permit_state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = PERMIT_STATES.column()
    state_reason: Mapped[str | None] = PERMIT_STATES.reason_column_type()
