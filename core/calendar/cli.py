"""``aftersales calendars ...``: create the standard calendars, seed public holidays."""

from __future__ import annotations

import click

from core.extensions import db


@click.group("calendars")
def calendars_cli() -> None:
    """Business calendars."""


@calendars_cli.command("seed-holidays")
@click.option("--calendar", "calendar_name", default="5x8", show_default=True)
@click.option("--year", "years", type=int, multiple=True, required=True)
@click.option("--country", default="CN", show_default=True)
def seed_holidays_command(calendar_name: str, years: tuple[int, ...], country: str) -> None:
    """Add the public holidays and weekend working days of YEARs to a calendar (idempotent)."""
    from core.calendar.seed import seed_holidays
    from core.calendar.service import (
        STANDARD_5X8,
        STANDARD_7X24,
        CalendarError,
        get_calendar,
        standard_calendar,
    )

    try:
        if calendar_name in (STANDARD_5X8, STANDARD_7X24):
            cal = standard_calendar(db.session, calendar_name)
        else:
            cal = get_calendar(db.session, calendar_name)
        result = seed_holidays(db.session, cal, list(years), country=country.upper())
        db.session.commit()
    except CalendarError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{cal.name}: {result.holidays_added} holidays and {result.workdays_added} working "
        f"days added, {result.kept} existing days kept"
    )
