"""Service-level terms: business calendar (service hours), service mode and the response and
resolution times of each priority.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.records import is_taken
from plugins.contracts.models import (
    CALENDAR_CODES,
    PRIORITIES,
    SERVICE_MODES,
    ServiceLevel,
    ServiceLevelTarget,
)
from plugins.contracts.services.common import checked_option, required_text
from plugins.contracts.services.errors import ContractError


def prepare_service_level(session: Session, level: ServiceLevel) -> ServiceLevel:
    """Check service-level terms: unique name, a known calendar, a known service mode."""
    required_text(level, "name", gettext("name"))
    level.calendar_code = (level.calendar_code or "").strip()
    if level.calendar_code not in CALENDAR_CODES:
        from core.calendar.service import UnknownCalendarError, get_calendar

        try:
            with session.no_autoflush:
                get_calendar(session, level.calendar_code)
        except UnknownCalendarError:
            raise ContractError(
                gettext(
                    "service hours: %(code)r is not a business calendar (5x8, 7x24 or one "
                    "defined under Admin > Calendars)",
                    code=level.calendar_code,
                ),
                "calendar_code",
            ) from None
    level.service_mode = level.service_mode or "on_site"
    checked_option(level, "service_mode", gettext("service mode"), SERVICE_MODES)
    query = select(ServiceLevel.id).where(ServiceLevel.name == level.name)
    if is_taken(session, query, level, ServiceLevel):
        raise ContractError(
            gettext("name: service-level terms %(name)s already exist", name=level.name),
            "name",
            409,
        )
    return level


def calendar_choices(session: Session) -> list[tuple[str, str]]:
    """The business calendars service hours may run on, as ``(code, label)``: the standard
    5x8 and 7x24 first (created on first use), then every other calendar of core's
    Admin > Calendars by name."""
    from core.calendar.models import BusinessCalendar

    rows = {
        name: description
        for name, description in session.execute(
            select(BusinessCalendar.name, BusinessCalendar.description)
        )
    }
    standard = {
        "5x8": gettext("Monday to Friday, 09:00-12:00 and 13:00-18:00, public holidays off"),
        "7x24": gettext("Every day, around the clock"),
    }
    choices = [(code, f"{code} — {standard[code]}") for code in CALENDAR_CODES]
    for name in sorted(set(rows) - set(CALENDAR_CODES)):
        choices.append((name, f"{name} — {rows[name]}" if rows[name] else name))
    return choices


def prepare_target(session: Session, target: ServiceLevelTarget) -> ServiceLevelTarget:
    """Check one priority's times: P1..P4, response > 0, resolution >= response."""
    checked_option(target, "priority", gettext("priority"), PRIORITIES)
    if target.response_hours is None or target.response_hours <= 0:
        raise ContractError(gettext("response hours: must be more than 0"), "response_hours")
    if target.resolution_hours is None or target.resolution_hours < target.response_hours:
        raise ContractError(
            gettext("resolution hours: must not be less than the response hours"),
            "resolution_hours",
        )
    return target


def create_service_level(
    session: Session,
    name: str,
    calendar_code: str = "5x8",
    service_mode: str = "on_site",
    targets: dict[str, tuple[int, int]] | None = None,
) -> ServiceLevel:
    """Create service-level terms with ``targets`` ``{"P1": (response_h, resolution_h)}``."""
    level = ServiceLevel(name=name, calendar_code=calendar_code, service_mode=service_mode)
    prepare_service_level(session, level)
    for priority, (response, resolution) in (targets or {}).items():
        target = ServiceLevelTarget(
            priority=priority, response_hours=response, resolution_hours=resolution
        )
        prepare_target(session, target)
        level.targets.append(target)
    session.add(level)
    session.flush()
    return level
