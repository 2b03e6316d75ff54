"""What the inventory screens share: the route sets, the labels of kinds, reasons, states and
fields, and the formatters of times and quantities."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask_appbuilder.fieldwidgets import Select2Widget
from flask_babel import lazy_gettext as _
from wtforms import SelectField

from core.company.service import company_zone
from core.timeutil import to_zone
from plugins.inventory.models import (
    BRANCH,
    CENTRAL,
    NORMAL,
    QUARANTINE,
    VAN,
)
from plugins.inventory.services import fmt_quantity

READ_ONLY_ROUTES = {"list", "show"}
NO_DELETE_ROUTES = {"list", "show", "add", "edit"}

KIND_LABELS = {
    CENTRAL: _("Central store"),
    BRANCH: _("Branch store"),
    VAN: _("Van"),
    NORMAL: _("Normal"),
    QUARANTINE: _("Quarantine"),
}
REASON_LABELS = {
    "receipt": _("Receipt"),
    "issue": _("Issue"),
    "return": _("Return"),
    "transfer": _("Transfer"),
    "adjustment": _("Adjustment"),
    "scrap": _("Scrap"),
    "reversal": _("Reversal"),
    "vendor_return": _("Sent to vendor"),
    "vendor_receipt": _("Back from vendor"),
}
STATE_LABELS = {"active": _("Active"), "released": _("Released"), "consumed": _("Consumed")}

LABELS = {
    "sku": _("SKU"),
    "name": _("Name"),
    "specification": _("Specification"),
    "unit": _("Unit"),
    "standard_cost": _("Standard Cost"),
    "sale_price": _("Sale Price"),
    "average_cost": _("Average Cost"),
    "active": _("Active"),
    "code": _("Code"),
    "kind": _("Kind"),
    "technician": _("Technician"),
    "technician.username": _("Technician"),
    "warehouse": _("Warehouse"),
    "warehouse.code": _("Warehouse"),
    "part": _("Part"),
    "part.sku": _("SKU"),
    "part.name": _("Part"),
    "location": _("Location"),
    "location.label": _("Location"),
    "from_location.label": _("From"),
    "to_location.label": _("To"),
    "on_hand": _("On Hand"),
    "reserved": _("Reserved"),
    "quantity": _("Quantity"),
    "reason": _("Reason"),
    "reference": _("Reference"),
    "note": _("Note"),
    "unit_cost": _("Unit Cost"),
    "reversal_of_id": _("Reverses Move"),
    "created_on": _("Date"),
    "created_by": _("By"),
    "state": _("State"),
    "closed_on": _("Closed"),
    "preferred_supplier": _("Preferred Supplier"),
    "supplier": _("Supplier"),
    "rma": _("RMA number"),
    "vendor_return_id": _("Vendor return"),
}


def local_time(moment: datetime.datetime | None) -> str:
    """``moment`` (stored in UTC) in the company time zone, to the minute."""
    if moment is None:
        return ""
    return to_zone(moment, str(company_zone())).strftime("%Y-%m-%d %H:%M")


def quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros."""
    return "" if value is None else fmt_quantity(value)


def label_formatter(labels: dict[str, Any]) -> Any:
    """A list formatter showing the label of a stored value (the value itself when unknown)."""
    return lambda value: labels.get(value, value or "")


def kind_field(kinds: tuple[str, ...]) -> SelectField:
    """A select field offering ``kinds`` with their labels."""
    return SelectField(
        _("Kind"), choices=[(k, KIND_LABELS[k]) for k in kinds], widget=Select2Widget()
    )
