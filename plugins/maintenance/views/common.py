"""What the maintenance screens share: the labels of states, actions, fields and choices, the
formatting of moments and quantities, and the base class of their model views."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_appbuilder.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from core.company.service import company_zone
from core.crud import CheckedModelView
from plugins.maintenance.services import sla

if TYPE_CHECKING:
    from plugins.maintenance.views.work_orders import WorkOrderView

STATE_LABELS = {
    "new": _("New"),
    "assigned": _("Assigned"),
    "in_progress": _("In progress"),
    "waiting_parts": _("Waiting for parts"),
    "done": _("Done"),
    "confirmed": _("Confirmed by customer"),
    "closed": _("Closed"),
    "cancelled": _("Cancelled"),
}


ACTION_LABELS = {
    "assign": _("Assign"),
    "start": _("Start work"),
    "wait_for_parts": _("Wait for parts"),
    "parts_arrived": _("Parts arrived"),
    "complete": _("Complete"),
    "confirm": _("Customer confirms"),
    "close": _("Close"),
    "cancel": _("Cancel"),
    "wait_for_customer": _("Wait for customer"),
    "customer_back": _("Customer is back"),
}


ACTION_ICONS = {
    "assign": "fa-user-plus",
    "start": "fa-play",
    "wait_for_parts": "fa-hourglass-half",
    "parts_arrived": "fa-cubes",
    "complete": "fa-check",
    "confirm": "fa-thumbs-up",
    "close": "fa-lock",
    "cancel": "fa-ban",
    "wait_for_customer": "fa-pause",
    "customer_back": "fa-play-circle",
}


CLOCK_LABELS = {
    "started": _("Clock started"),
    "responded": _("Responded"),
    "paused": _("Paused (waiting for customer)"),
    "resumed": _("Resumed"),
    "resolved": _("Resolved"),
    "stopped": _("Stopped (cancelled)"),
    "response_breached": _("Response deadline breached"),
    "resolution_breached": _("Resolution deadline breached"),
}


INPUT_LABELS = {
    "technician_id": _("Technician"),
    "scheduled_start": _("Booked From"),
    "override_reason": _("Override Reason"),
    "diagnosis_cause": _("Cause"),
    "repair_plan": _("Repair Plan"),
    "repair_actions": _("Repair Actions"),
    "labour_minutes": _("Labour (minutes)"),
    "confirmed_by": _("Confirmed By"),
    "customer_remarks": _("Customer Remarks"),
    "reason": _("Reason"),
    "note": _("Note"),
}


LABELS = {
    **INPUT_LABELS,
    "user": _("User"),
    "name": _("Name"),
    "phone": _("Phone"),
    "region": _("Region"),
    "skills": _("Skills"),
    "calendar_code": _("Working Hours (calendar)"),
    "active": _("Active"),
    "technician": _("Technician"),
    "technician.name": _("Technician"),
    "skill": _("Skill"),
    "number": _("Number"),
    "valid_until": _("Valid Until"),
    "equipment": _("Equipment"),
    "equipment.serial_number": _("Serial Number"),
    "symptom": _("Symptom"),
    "environment": _("Environment"),
    "seen_at": _("Time Seen"),
    "reported_at": _("Reported At"),
    "contact_name": _("Contact"),
    "contact_phone": _("Contact Phone"),
    "priority": _("Priority"),
    "source": _("Source"),
    "work_order": _("Work Order"),
    "work_order.number": _("Work Order"),
    "kind": _("Kind"),
    "state": _("State"),
    "title": _("Title"),
    "contract": _("Contract"),
    "contract.number": _("Contract"),
    "service_level": _("Service Level"),
    "chargeable": _("Chargeable"),
    "coverage_note": _("Coverage"),
    "site_time_zone": _("Site Time Zone"),
    "opened_at": _("Opened At"),
    "response_due": _("Response Due"),
    "resolution_due": _("Resolution Due"),
    "responded_at": _("Responded At"),
    "resolved_at": _("Resolved At"),
    "paused_minutes": _("Paused (working minutes)"),
    "response_breached": _("Response Breached"),
    "resolution_breached": _("Resolution Breached"),
    "cancel_reason": _("Cancellation Reason"),
    "closed_at": _("Closed At"),
    "required_skill": _("Required Skill"),
    "scheduled_start": _("Booked From"),
    "scheduled_end": _("Booked Until"),
    "assignment_override": _("Dispatcher Override"),
    "description": _("Description"),
    "quantity": _("Quantity"),
    "unit_cost": _("Unit Cost"),
    "unit_price": _("Unit Price"),
    "at": _("At"),
    "plan": _("Plan"),
    "plan.name": _("Plan"),
    "due_date": _("Due Date"),
    "product_type": _("Product Type"),
    "interval_count": _("Every"),
    "interval_unit": _("Interval Unit"),
    "horizon_days": _("Horizon (days)"),
    "starts_on": _("Starts On"),
    "duration_minutes": _("Duration (minutes)"),
    "generated_until": _("Generated Up To"),
    "position": _("No."),
    "standard": _("Standard"),
    "unit": _("Unit"),
    "min_value": _("Min Value"),
    "max_value": _("Max Value"),
    "outcome": _("Outcome"),
    "measured_value": _("Measured Value"),
    "notes": _("Notes"),
    "corrective_order": _("Corrective Order"),
    "corrective_order.number": _("Corrective Order"),
    "problems_found": _("Problems Found"),
    "risks": _("Risks"),
}


CHOICES = {
    "priority": [(p, p) for p in ("P1", "P2", "P3", "P4")],
    "source": [
        ("hotline", _("Hotline")),
        ("staff", _("Staff")),
        ("customer", _("Customer")),
        ("plugin", _("Another module")),
    ],
    "kind": [("corrective", _("Corrective")), ("inspection", _("Inspection"))],
    "interval_unit": [("days", _("Days")), ("weeks", _("Weeks")), ("months", _("Months"))],
    "outcome": [("pass", _("Pass")), ("fail", _("Fail")), ("n_a", _("Not applicable"))],
}


OUTCOME_LABELS = dict(CHOICES["outcome"])


UNIT_LABELS = dict(CHOICES["interval_unit"])


KIND_LABELS = dict(CHOICES["kind"])


SOURCE_LABELS = dict(CHOICES["source"])


LINE_LABELS = {
    "recorded": _("Recorded"),
    "reserved": _("Reserved"),
    "issued": _("Issued"),
    "released": _("Released"),
}


def local_time(value: datetime.datetime | None) -> str:
    """A stored UTC moment shown in the company time zone (empty when not set)."""
    moment = sla.as_utc(value)
    return moment.astimezone(company_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""


def plain(value: Decimal | None) -> str:
    """A decimal without exponent or trailing zeros (``180``, ``1.5``); empty for none."""
    return "" if value is None else f"{value.normalize():f}"


def yes_no(value: bool) -> str:
    """The word for yes or no, in the user's language."""
    return gettext("Yes") if value else gettext("No")


class MaintenanceView(CheckedModelView):
    """Screens whose add/edit go through a service check; a refusal is flashed."""

    label_columns = LABELS


def lifecycle_action(name: str) -> Any:
    """The work-order screen's action that runs lifecycle action ``name`` on one order."""

    def run(self: WorkOrderView, items: Any) -> Any:
        return self._act(items, name)

    run.__name__ = f"action_{name}"
    run.__doc__ = f"Work order action {name} (needs can_write)."
    return action(name, ACTION_LABELS[name], None, ACTION_ICONS[name], multiple=False)(run)
