"""Core's Jobs feature, plugged in through the same hooks as any plugin."""

from __future__ import annotations

from typing import Any

import click
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

from core.contributions import JobSpec
from core.hooks import hookimpl
from core.menus import add_admin_view


@hookimpl
def aftersales_config_defaults() -> dict[str, Any]:
    """Settings of the job runner and scheduler."""
    return {
        # Seconds between two checks of the scheduler's cluster lock (and of the jobs).
        "SCHEDULER_LOCK_CHECK_SECONDS": 30,
        # A scheduled run that starts this many seconds late still runs; later, it is skipped.
        "SCHEDULER_MISFIRE_GRACE_TIME": 600,
        # Progress of a running job is written to the database at most this often (seconds).
        "JOBS_PROGRESS_INTERVAL": 1.0,
        # Job runs older than this many days are deleted nightly (0: keep them all).
        "JOBS_HISTORY_DAYS": 90,
    }


@hookimpl
def aftersales_models() -> list[type]:
    """The job run history."""
    from core.jobs.models import JobRun

    return [JobRun]


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Jobs screen and the run history, under the Admin menu."""
    from core.jobs.views import JobRunView, JobsView

    add_admin_view(appbuilder, JobsView, "Jobs", _("Jobs"), "fa-clock-o")
    add_admin_view(appbuilder, JobRunView, "Job Runs", _("Job Runs"), "fa-history")


@hookimpl
def aftersales_cli_commands(cli: click.Group) -> None:
    """``aftersales jobs ...``."""
    from core.jobs.cli import jobs_cli

    cli.add_command(jobs_cli)


@hookimpl
def aftersales_jobs() -> list[JobSpec]:
    """Core's own job: keep the run history from growing forever."""
    from core.jobs.service import prune_history

    return [
        JobSpec(
            "core.prune_job_runs",
            prune_history,
            _("Delete job runs older than JOBS_HISTORY_DAYS days"),
            schedule="15 4 * * *",
        )
    ]
