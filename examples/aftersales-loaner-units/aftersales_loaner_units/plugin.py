"""Hooks of loaner_units: the models, screen, API and role declared, plus the demo loans."""

import datetime

from flask_babel import lazy_gettext as _
from sqlalchemy.orm import Session

from core.declare import Menu, Screen, declare
from core.hooks import hookimpl

declare(
    globals(),
    models=["aftersales_loaner_units.models:Loan"],
    menu=Menu("Loaner Units", _("Loaner Units"), icon="fa-exchange"),
    screens=[Screen("aftersales_loaner_units.views.loans:LoanView", _("Loans"), api="loan")],
    roles={"Loan Clerk": {"loaner_units_loan": "write"}},
    includes={"Loan Clerk": ["contracts.read"]},
)


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """A loan for each of the first customers, lent a week ago."""
    from aftersales_loaner_units.models import Loan
    from aftersales_loaner_units.services import lend
    from core.company.service import company_today
    from plugins.contracts.models import Customer

    week_ago = company_today(session) - datetime.timedelta(days=7)
    start = session.query(Loan).count()
    for number, customer in enumerate(session.query(Customer).limit(3 * scale), start + 1):
        lend(session, serial_number=f"LOAN-{number:04d}", customer_id=customer.id, lent_on=week_ago)
