"""The Jobs screen (jobs, their last run, "Run now") and the read-only run history."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from core.extensions import db
from core.jobs.models import RUNNING, JobRun, as_utc
from core.jobs.schedule import company_time_zone
from core.jobs.service import JobError, UnknownJobError, job_is_running, job_overview, start_job
from core.security.permissions import BusinessModelView
from core.timeutil import to_zone

TEMPLATES = str(Path(__file__).parent / "templates")


def local_time(moment: datetime.datetime | None) -> str:
    """``moment`` in the company time zone, ``YYYY-MM-DD HH:MM:SS``; ``-`` when empty."""
    if moment is None:
        return "-"
    zone = company_time_zone(current_app._get_current_object())  # type: ignore[attr-defined]
    return f"{to_zone(as_utc(moment), zone):%Y-%m-%d %H:%M:%S}"


STATUS_LABELS = {
    "running": _("running"),
    "succeeded": _("succeeded"),
    "failed": _("failed"),
}
TRIGGER_LABELS = {
    "cli": _("command line"),
    "schedule": _("schedule"),
    "celery": _("Celery"),
    "manual": _("manual"),
}


class JobsView(BaseView):
    """Every job with its schedule and last run; "Run now" starts one (POST, CSRF)."""

    route_base = "/jobs"
    default_view = "list"
    class_permission_name = "core_jobs"
    method_permission_name = {"list": "read", "run": "write"}
    template_folder = TEMPLATES

    @expose("/")
    @has_access
    def list(self) -> Any:
        """Render the jobs table."""
        try:
            rows = job_overview(db.session)
        except JobError as exc:
            flash(str(exc), "danger")
            rows = []
        # A run still marked running whose job lock is free was left by a process that died
        # (the next run marks it failed); only such rows are probed, usually none.
        interrupted = {
            r.spec.name
            for r in rows
            if r.last_run is not None
            and r.last_run.status == RUNNING
            and not job_is_running(r.spec.name)
        }
        running = any(
            r.last_run is not None
            and r.last_run.status == RUNNING
            and r.spec.name not in interrupted
            for r in rows
        )
        return self.render_template(
            "core_jobs/jobs.html",
            rows=rows,
            running=running,
            interrupted=interrupted,
            local_time=local_time,
            status_labels=STATUS_LABELS,
            trigger_labels=TRIGGER_LABELS,
            time_zone=company_time_zone(current_app._get_current_object()),  # type: ignore[attr-defined]
            celery=bool(current_app.config.get("CELERY_BROKER_URL")),
        )

    @expose("/run", methods=["POST"])
    @has_access
    def run(self) -> Any:
        """Start the job named in the form, in the background."""
        name = request.form.get("name", "")
        target = redirect(url_for("JobsView.list"))
        try:
            if job_is_running(name):
                flash(gettext("Job %(name)s is already running.", name=name), "warning")
                return target, 409
            where = start_job(name, trigger="manual")
        except UnknownJobError as exc:
            flash(str(exc), "danger")
            return target, 404
        except JobError as exc:
            flash(str(exc), "danger")
            return target, 409
        if where == "celery":
            flash(gettext("Job %(name)s was sent to the job workers.", name=name), "success")
        else:
            flash(gettext("Job %(name)s started.", name=name), "success")
        return target


def _when_formatter(value: datetime.datetime | None) -> str:
    return local_time(value)


class JobRunView(BusinessModelView):
    """The run history, newest first; read-only (permission ``can_read`` on core_job_run)."""

    datamodel = SQLAInterface(JobRun)
    class_permission_name = "core_job_run"
    route_base = "/jobruns"
    include_route_methods = {"list", "show"}
    base_order = ("started_on", "desc")
    list_title = _("Job runs")
    show_title = _("Job run")
    list_columns = [
        "job_name",
        "trigger",
        "status",
        "started_on",
        "finished_on",
        "progress_label",
        "message",
    ]
    show_columns = [
        *list_columns,
        "worker",
        "error",
        "traceback",
        "log",
    ]
    search_columns = ["job_name", "status", "trigger", "started_on"]
    label_columns = {
        "job_name": _("Job"),
        "trigger": _("Started by"),
        "status": _("Status"),
        "started_on": _("Started"),
        "finished_on": _("Finished"),
        "progress_label": _("Progress"),
        "message": _("Message"),
        "worker": _("Worker"),
        "error": _("Error"),
        "traceback": _("Traceback"),
        "log": _("Log"),
    }
    formatters_columns = {
        "started_on": _when_formatter,
        "finished_on": _when_formatter,
        "status": lambda value: STATUS_LABELS.get(value, value),
        "trigger": lambda value: TRIGGER_LABELS.get(value, value),
        "message": lambda value: value or "",
        "error": lambda value: value or "",
        "traceback": lambda value: value or "",
        "log": lambda value: value or "",
        "worker": lambda value: value or "",
    }
