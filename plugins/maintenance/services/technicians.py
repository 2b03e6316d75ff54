"""Technicians: skills, calendars and certifications."""

from __future__ import annotations

import datetime
import re
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.calendar.service import CalendarError, work_calendar
from core.records import add_prepared
from plugins.maintenance.models import (
    Certification,
    Technician,
)
from plugins.maintenance.services.common import (
    clean_text,
)
from plugins.maintenance.services.errors import MaintenanceError

# The fields a user sets on a technician (screen form and API).
TECHNICIAN_FIELDS = [
    "user",
    "name",
    "phone",
    "region",
    "skills",
    "calendar_code",
    "active",
]
_SKILL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")


def parse_skills(text: str | None) -> list[str]:
    """Skill codes from a comma-separated text: lower case, de-duplicated, in order."""
    found: list[str] = []
    for raw in (text or "").split(","):
        skill = raw.strip().lower()
        if not skill:
            continue
        if not _SKILL.match(skill):
            raise MaintenanceError(
                gettext(
                    "skills: %(value)r is not a skill code (letters, digits, '_', '.', '-')",
                    value=raw.strip(),
                ),
                "skills",
            )
        if skill not in found:
            found.append(skill)
    return found


def check_calendar_code(session: Session, code: str, field: str = "calendar_code") -> str:
    """Refuse a business calendar that does not exist (``5x8``/``7x24`` are made on use)."""
    try:
        work_calendar(session, code)
    except CalendarError as exc:
        raise MaintenanceError(
            gettext("working hours: no business calendar is named %(code)s", code=code), field
        ) from exc
    return code


def prepare_technician(session: Session, technician: Technician) -> Technician:
    """Check a new or edited technician (nothing is flushed): a user (not linked to another
    technician, 409), name and region required, skill codes, an existing working-hours
    calendar."""
    if technician.user is None and technician.user_id is None:
        raise MaintenanceError(gettext("user: is required"), "user")
    user_id = technician.user.id if technician.user is not None else technician.user_id
    clean_text(technician, "name", gettext("name"), required=True)
    clean_text(technician, "region", gettext("region"), required=True)
    clean_text(technician, "phone", gettext("phone"))
    technician.skills = ", ".join(parse_skills(technician.skills))
    technician.calendar_code = (technician.calendar_code or "5x8").strip()
    check_calendar_code(session, technician.calendar_code)
    if technician.active is None:
        technician.active = True
    query = select(Technician.id).where(Technician.user_id == user_id)
    if technician.id is not None:
        query = query.where(Technician.id != technician.id)
    with session.no_autoflush:
        taken = session.scalar(query.limit(1))
    if taken is not None:
        raise MaintenanceError(
            gettext("user: this user is already linked to another technician"), "user", 409
        )
    return technician


def create_technician(session: Session, **values: Any) -> Technician:
    """Create a technician after :func:`prepare_technician`; returns it flushed."""
    return add_prepared(session, Technician(**values), prepare_technician, no_autoflush=True)


def prepare_certification(session: Session, cert: Certification) -> Certification:
    """Check a certification: technician, skill code, name and expiry date required."""
    if cert.technician is None and cert.technician_id is None:
        raise MaintenanceError(gettext("technician: is required"), "technician")
    skills = parse_skills(cert.skill)
    if len(skills) != 1:
        raise MaintenanceError(gettext("skill: give exactly one skill code"), "skill")
    cert.skill = skills[0]
    clean_text(cert, "name", gettext("name"), required=True)
    clean_text(cert, "number", gettext("certificate number"))
    if not isinstance(cert.valid_until, datetime.date):
        raise MaintenanceError(gettext("valid until: is required"), "valid_until")
    technician_id = cert.technician.id if cert.technician is not None else cert.technician_id
    query = select(Certification.id).where(
        Certification.technician_id == technician_id,
        Certification.skill == cert.skill,
        Certification.number == cert.number,
    )
    if cert.id is not None:
        query = query.where(Certification.id != cert.id)
    with session.no_autoflush:
        taken = session.scalar(query.limit(1))
    if taken is not None:
        raise MaintenanceError(
            gettext(
                "number: the technician already holds a %(skill)s certificate numbered "
                "%(number)r; edit its expiry instead",
                skill=cert.skill,
                number=cert.number,
            ),
            "number",
            409,
        )
    return cert


def add_certification(
    session: Session,
    technician: Technician,
    skill: str,
    name: str,
    valid_until: datetime.date,
    number: str = "",
) -> Certification:
    """Record a certification of ``technician``; returns it flushed."""
    cert = Certification(
        technician_id=technician.id, skill=skill, name=name, valid_until=valid_until, number=number
    )
    with session.no_autoflush:
        prepare_certification(session, cert)
    technician.certifications.append(cert)
    session.flush()
    return cert


def valid_certification(
    technician: Technician, skill: str, on: datetime.date
) -> Certification | None:
    """The technician's certification for ``skill`` valid on ``on``, if any."""
    return next(
        (c for c in technician.certifications if c.skill == skill and c.valid_until >= on),
        None,
    )
