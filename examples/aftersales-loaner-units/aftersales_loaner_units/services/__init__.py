"""Rules of loaner_units; other plugins may call them."""

from aftersales_loaner_units.services.loans import LoanError, lend, prepare_loan

__all__ = ["LoanError", "lend", "prepare_loan"]
