"""Small shared rules of maintenance: the company's today, the number sequences, and the
field checks the other services modules use."""

from __future__ import annotations

import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from core.company.service import company_today as company_today  # core's, re-exported
from core.sequences.service import define_sequence
from core.timeutil import utcnow
from core.validation import checked_choice
from plugins.contracts.models import Equipment
from plugins.maintenance.services import sla
from plugins.maintenance.services.errors import MaintenanceError

WORK_ORDER_SEQUENCE = "maintenance.work_order"  # WO-2026-00001
FAULT_REPORT_SEQUENCE = "maintenance.fault_report"  # FR-2026-00001
MAX_LABOUR_MINUTES = 100_000


def ensure_sequences(session: Session) -> None:
    """Define the work order (WO) and fault report (FR) number sequences unless they exist."""
    define_sequence(session, WORK_ORDER_SEQUENCE, "WO", 5, True, name="Work orders")
    define_sequence(session, FAULT_REPORT_SEQUENCE, "FR", 5, True, name="Fault reports")


def moment_or_now(now: datetime.datetime | None) -> datetime.datetime:
    """The given moment in UTC, or now when it is ``None``."""
    return sla.as_utc(now) if now is not None else utcnow()


def clean_text(obj: Any, attr: str, label: str, *, required: bool = False) -> str:
    """``obj.attr`` stripped (and stored back); refused when ``required`` and empty."""
    value = (getattr(obj, attr) or "").strip()
    if required and not value:
        raise MaintenanceError(gettext("%(field)s: is required", field=label), attr)
    setattr(obj, attr, value)
    return value


def check_choice(obj: Any, attr: str, label: str, choices: tuple[str, ...]) -> str:
    """``obj.attr``, refused unless it is one of ``choices``."""
    return checked_choice(obj, attr, label, choices, MaintenanceError)


def required_equipment(session: Session, obj: Any) -> Equipment:
    """``obj``'s equipment (loaded from ``equipment_id`` if needed); refused when missing."""
    equipment = obj.equipment
    if equipment is None and obj.equipment_id is not None:
        equipment = session.get(Equipment, obj.equipment_id)
    if equipment is None:
        raise MaintenanceError(gettext("equipment: is required"), "equipment")
    obj.equipment = equipment
    return equipment


def checked_labour(value: Any) -> int:
    """Labour minutes as a whole number between 0 and :data:`MAX_LABOUR_MINUTES`."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError as exc:
            raise MaintenanceError(
                gettext("labour minutes: must be a whole number"), "labour_minutes"
            ) from exc
    if not 0 <= value <= MAX_LABOUR_MINUTES:
        raise MaintenanceError(
            gettext("labour minutes: must be between 0 and %(max)d", max=MAX_LABOUR_MINUTES),
            "labour_minutes",
        )
    return value
