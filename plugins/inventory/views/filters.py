"""List filters of inventory, shared by screens and APIs."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _

from plugins.inventory.services.reorder import below_minimum_condition


class FilterBelowMinimum(BaseFilter):
    """Stock rows whose available quantity is below the reorder point of an active rule."""

    name = _("Below minimum")
    arg_name = "below_minimum"

    def apply(self, query: Any, value: Any) -> Any:
        """Keep the rows below minimum (the value is ignored)."""
        return query.filter(below_minimum_condition())
