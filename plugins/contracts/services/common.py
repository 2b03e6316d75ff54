"""Helpers shared by the contracts services: the company's today and the small field checks
(required, one of a list, e-mail, stripped text, already taken) that raise
:class:`~plugins.contracts.services.errors.ContractError`.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext

from core.company.service import company_today as company_today  # core's, re-exported
from core.validation import checked_choice
from plugins.contracts.services.errors import ContractError

# The terms stored under the same name on a contract, its versions and its amendments: how
# it bills and renews, then its clauses. The term lists of the screens, the API, the
# amendments and the version comparison are built from these.
RENEWAL_TERMS = (
    "billing_cycle",
    "payment_terms",
    "renewal",
    "renewal_months",
    "notice_days",
)
CLAUSE_TERMS = (
    "confidentiality_clause",
    "liability_clause",
    "dispute_resolution",
    "dispute_venue",
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def required_text(obj: Any, attr: str, label: str) -> str:
    """Strip ``obj.<attr>`` and return it; refuse it blank, naming ``label``."""
    value = (getattr(obj, attr) or "").strip()
    if not value:
        raise ContractError(gettext("%(field)s: is required", field=label), attr)
    setattr(obj, attr, value)
    return value


def checked_option(obj: Any, attr: str, label: str, choices: tuple[str, ...]) -> str:
    """``obj.<attr>`` when it is one of ``choices``; otherwise refuse it, naming ``label``."""
    return checked_choice(obj, attr, label, choices, ContractError)


def checked_email(obj: Any, attr: str = "email") -> None:
    """Strip ``obj.<attr>``; refuse it when it is set and not an e-mail address."""
    value = (getattr(obj, attr) or "").strip()
    setattr(obj, attr, value)
    if value and not _EMAIL.match(value):
        raise ContractError(
            gettext("e-mail: %(value)r is not an e-mail address", value=value), attr
        )


def strip_fields(obj: Any, *attrs: str) -> None:
    """Strip the text in each of ``attrs`` of ``obj`` (``None`` becomes ``""``)."""
    for attr in attrs:
        setattr(obj, attr, (getattr(obj, attr) or "").strip())
