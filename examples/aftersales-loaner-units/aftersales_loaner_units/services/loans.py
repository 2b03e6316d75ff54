"""Lending a unit: the rules every screen, API and demo goes through."""

import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from aftersales_loaner_units.models import Loan
from core.company.service import company_today
from core.errors import RuleError


class LoanError(RuleError):
    """A loan that breaks a rule (``field`` names the field)."""


def prepare_loan(session: Session, loan: Loan) -> Loan:
    """Check a loan: serial and customer given, lent today or before, due back after it, and
    the unit not already out; a loan without a date is lent today for two weeks."""
    loan.serial_number = (loan.serial_number or "").strip().upper()
    if not loan.serial_number:
        raise LoanError(gettext("serial number: is required"), "serial_number")
    if loan.customer_id is None and loan.customer is None:
        raise LoanError(gettext("customer: is required"), "customer")
    loan.lent_on = loan.lent_on or company_today(session)
    loan.due_back = loan.due_back or loan.lent_on + datetime.timedelta(days=14)
    if loan.lent_on > company_today(session):
        raise LoanError(gettext("lent on: cannot be in the future"), "lent_on")
    if loan.due_back <= loan.lent_on:
        raise LoanError(gettext("due back: must be after the day it is lent"), "due_back")
    out = select(Loan.id).where(Loan.serial_number == loan.serial_number, Loan.state == "out")
    with session.no_autoflush:
        if session.scalar(out.where(Loan.id != (loan.id or 0))) is not None:
            message = gettext("serial number: %(serial)s is already out", serial=loan.serial_number)
            raise LoanError(message, "serial_number", 409)
    return loan


def lend(session: Session, **values: object) -> Loan:
    """Lend a unit (see :func:`prepare_loan`); returns the loan, flushed."""
    loan = prepare_loan(session, Loan(**values))
    session.add(loan)
    session.flush()
    return loan
