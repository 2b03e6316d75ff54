"""Core's shared services (events need no tables; sequences, money, calendars), plugged in
through the same hooks as any plugin."""

from __future__ import annotations

from typing import Any

import click
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import Session

from core.hooks import hookimpl
from core.menus import add_admin_view


@hookimpl
def aftersales_config_defaults() -> dict[str, Any]:
    """``CALENDAR_HOLIDAY_COUNTRY``: whose public holidays the standard 5x8 calendar gets
    (``None`` or ``""``: none)."""
    return {"CALENDAR_HOLIDAY_COUNTRY": "CN"}


@hookimpl
def aftersales_models() -> list[type]:
    """Sequence definitions and counters; calendars, their hours and special days."""
    from core.calendar.models import BusinessCalendar, CalendarDay, CalendarHours
    from core.sequences.models import DocumentSequence, SequenceCounter

    return [DocumentSequence, SequenceCounter, BusinessCalendar, CalendarHours, CalendarDay]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Sequences and Calendars screens, under the Admin menu."""
    from core.calendar.views import CalendarsView
    from core.sequences.views import SequencesView

    add_admin_view(appbuilder, SequencesView, "Sequences", _("Sequences"), "fa-sort-numeric-asc")
    add_admin_view(appbuilder, CalendarsView, "Calendars", _("Calendars"), "fa-calendar")


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales calendars ...``."""
    from core.calendar.cli import calendars_cli

    cli.add_command(calendars_cli)


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """The standard 5x8 and 7x24 calendars."""
    from core.calendar.service import STANDARD_5X8, STANDARD_7X24, standard_calendar

    standard_calendar(session, STANDARD_5X8)
    standard_calendar(session, STANDARD_7X24)
