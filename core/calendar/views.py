"""The admin's Calendars screens: calendars, their weekly hours, holidays and 调休 days."""

from __future__ import annotations

import datetime
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from core.calendar.models import DAY_HOLIDAY, DAY_KINDS, BusinessCalendar, CalendarDay
from core.calendar.seed import seed_holidays
from core.calendar.service import (
    calendar_summaries,
    create_calendar,
    remove_day,
    set_day,
    set_week,
    update_calendar,
)
from core.calendar.worktime import WEEKDAYS, CalendarError, Interval, format_intervals
from core.extensions import db

WEEKDAY_LABELS = (
    lazy_gettext("Monday"),
    lazy_gettext("Tuesday"),
    lazy_gettext("Wednesday"),
    lazy_gettext("Thursday"),
    lazy_gettext("Friday"),
    lazy_gettext("Saturday"),
    lazy_gettext("Sunday"),
)
KIND_LABELS = {"holiday": lazy_gettext("Holiday"), "workday": lazy_gettext("Working day")}


def _parse_date(text: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise CalendarError(f"{field} must be a date like 2026-10-01", field) from None


class CalendarsView(BaseView):
    """List, create and edit business calendars (POST forms, CSRF-protected)."""

    route_base = "/calendars"
    default_view = "list"
    class_permission_name = "core_calendar"
    method_permission_name = {
        "list": "read",
        "show": "read",
        "create": "write",
        "edit": "write",
        "hours": "write",
        "add_day": "write",
        "delete_day": "write",
        "seed": "write",
    }

    @expose("/")
    @has_access
    def list(self) -> Any:
        """Every calendar with its weekly hours and number of special days."""
        return self._render_list()

    def _render_list(self) -> Any:
        return self.render_template(
            "aftersales/calendars.html",
            rows=calendar_summaries(db.session),
            weekday_labels=WEEKDAY_LABELS,
        )

    @expose("/create", methods=["POST"])
    @has_access
    def create(self) -> Any:
        """Create a calendar from the form on the list."""
        try:
            cal = create_calendar(
                db.session,
                request.form.get("name", ""),
                request.form.get("time_zone", "").strip() or None,
                description=request.form.get("description", ""),
            )
            db.session.commit()
        except CalendarError as exc:
            return self._refused(exc)
        flash(gettext("Calendar %(name)s created.", name=cal.name), "success")
        return redirect(url_for("CalendarsView.show", pk=cal.id))

    @expose("/<int:pk>/")
    @has_access
    def show(self, pk: int) -> Any:
        """One calendar: its settings, weekly hours and special days, each editable."""
        return self._render_show(self._calendar(pk))

    def _render_show(self, cal: BusinessCalendar, form: dict[str, str] | None = None) -> Any:
        week: list[list[Interval]] = [[] for _ in range(7)]
        for row in cal.hours:
            week[row.weekday].append(Interval(row.start_minute, row.end_minute))
        days = list(
            db.session.scalars(
                select(CalendarDay)
                .where(CalendarDay.calendar_id == cal.id)
                .order_by(CalendarDay.day)
            )
        )
        return self.render_template(
            "aftersales/calendar_edit.html",
            cal=cal,
            week=[
                (WEEKDAYS[i], WEEKDAY_LABELS[i], format_intervals(sorted(day)))
                for i, day in enumerate(week)
            ],
            days=days,
            kinds=[(k, KIND_LABELS[k]) for k in DAY_KINDS],
            weekday_labels=WEEKDAY_LABELS,
            this_year=datetime.date.today().year,
            form=form or {},
        )

    @expose("/<int:pk>/edit", methods=["POST"])
    @has_access
    def edit(self, pk: int) -> Any:
        """Save the calendar's name, time zone and description."""
        cal = self._calendar(pk)
        try:
            update_calendar(
                db.session,
                cal,
                name=request.form.get("name", ""),
                time_zone=request.form.get("time_zone", "").strip(),
                description=request.form.get("description", ""),
            )
            db.session.commit()
        except CalendarError as exc:
            return self._refused(exc, pk)
        flash(gettext("Calendar saved."), "success")
        return redirect(url_for("CalendarsView.show", pk=pk))

    @expose("/<int:pk>/hours", methods=["POST"])
    @has_access
    def hours(self, pk: int) -> Any:
        """Replace the weekly hours: one field per weekday, like ``09:00-12:00, 13:00-18:00``."""
        cal = self._calendar(pk)
        week = {i: request.form.get(name, "") for i, name in enumerate(WEEKDAYS)}
        try:
            set_week(db.session, cal, week)
            db.session.commit()
        except CalendarError as exc:
            return self._refused(exc, pk)
        flash(gettext("Working hours saved."), "success")
        return redirect(url_for("CalendarsView.show", pk=pk))

    @expose("/<int:pk>/days", methods=["POST"])
    @has_access
    def add_day(self, pk: int) -> Any:
        """Make a date a holiday or an extra working day (replacing what it was)."""
        cal = self._calendar(pk)
        try:
            day = _parse_date(request.form.get("day", ""), "day")
            weekday_text = request.form.get("hours_as_weekday", "").strip()
            kind = request.form.get("kind", "")
            set_day(
                db.session,
                cal,
                day,
                kind,
                request.form.get("day_name", ""),
                hours_as_weekday=int(weekday_text)
                if weekday_text.isdigit() and kind != DAY_HOLIDAY
                else None,
            )
            db.session.commit()
        except CalendarError as exc:
            return self._refused(exc, pk)
        flash(gettext("Day %(day)s saved.", day=day.isoformat()), "success")
        return redirect(url_for("CalendarsView.show", pk=pk))

    @expose("/<int:pk>/days/<day>/delete", methods=["POST"])
    @has_access
    def delete_day(self, pk: int, day: str) -> Any:
        """Let a date follow the weekly hours again."""
        cal = self._calendar(pk)
        try:
            removed = remove_day(db.session, cal, _parse_date(day, "day"))
            db.session.commit()
        except CalendarError as exc:
            return self._refused(exc, pk)
        if not removed:
            abort(404)
        flash(gettext("Day %(day)s removed.", day=day), "success")
        return redirect(url_for("CalendarsView.show", pk=pk))

    @expose("/<int:pk>/seed", methods=["POST"])
    @has_access
    def seed(self, pk: int) -> Any:
        """Add a year's public holidays and 调休 working days from the ``holidays`` package."""
        cal = self._calendar(pk)
        try:
            text = request.form.get("year", "").strip()
            if not text.isdigit():
                raise CalendarError("year must be a year like 2027", "year")
            country = request.form.get("country", "").strip().upper() or "CN"
            result = seed_holidays(db.session, cal, [int(text)], country=country)
            db.session.commit()
        except CalendarError as exc:
            return self._refused(exc, pk)
        flash(
            gettext(
                "Added %(holidays)d holidays and %(workdays)d working days; "
                "%(kept)d existing days kept.",
                holidays=result.holidays_added,
                workdays=result.workdays_added,
                kept=result.kept,
            ),
            "success",
        )
        return redirect(url_for("CalendarsView.show", pk=pk))

    def _calendar(self, pk: int) -> BusinessCalendar:
        cal = db.session.get(BusinessCalendar, pk)
        if cal is None:
            abort(404)
        return cal

    def _refused(self, exc: CalendarError, pk: int | None = None) -> Any:
        """Undo the half-done change and show the page again with the error (422)."""
        db.session.rollback()
        flash(str(exc), "danger")
        if pk is None:
            return self._render_list(), 422
        return self._render_show(self._calendar(pk), dict(request.form)), 422
