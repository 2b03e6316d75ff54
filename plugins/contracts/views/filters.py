"""List filters of the contract screen (the API has ``/api/v1/contracts/calendar?days=N``)."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _

from plugins.contracts.services import company_today, ending_within

ENDING_WITHIN_CHOICES = (30, 60, 90)


class FilterEndingWithin(BaseFilter):
    """Contracts in force whose end date falls within the given number of days from today."""

    name = _("Ending within (days)")
    arg_name = "ending_within"

    def apply(self, query: Any, value: Any) -> Any:
        """Keep the contracts ending within ``value`` days (checked by :func:`parse_days`)."""
        return query.filter(ending_within(company_today(), int(value)))


def parse_days(value: str) -> int | None:
    """``value`` as a number of days from 1 to 3650, or ``None`` when it is not one."""
    text = (value or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        return None
    return int(text)
