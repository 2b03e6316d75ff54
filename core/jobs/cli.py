"""``aftersales jobs list|run|scheduler``."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from core.extensions import db
from core.jobs.models import FAILED, as_utc
from core.jobs.schedule import company_time_zone
from core.jobs.service import JobError, job_overview, run_job
from core.timeutil import to_zone


def _when(moment: Any) -> str:
    if moment is None:
        return "-"
    zone = company_time_zone(current_app._get_current_object())  # type: ignore[attr-defined]
    return f"{to_zone(as_utc(moment), zone):%Y-%m-%d %H:%M}"


@click.group("jobs", cls=AppGroup)
def jobs_cli() -> None:
    """Background jobs: list them, run one now, run the scheduler."""


@jobs_cli.command("list")
def list_jobs() -> None:
    """List jobs with their schedule, last run and its status (times in the company zone)."""
    try:
        rows = job_overview(db.session)
    except JobError as exc:
        raise click.ClickException(str(exc)) from exc
    if not rows:
        click.echo("No jobs are registered.")
        return
    click.echo(f"{'JOB':<32} {'SCHEDULE':<16} {'LAST RUN':<17} {'STATUS':<10} DESCRIPTION")
    for row in rows:
        last = row.last_run
        click.echo(
            f"{row.spec.name:<32} {row.spec.schedule or 'on demand':<16} "
            f"{_when(last.started_on if last else None):<17} "
            f"{last.status if last else 'never run':<10} {row.spec.description}"
        )


@jobs_cli.command("run")
@click.argument("name")
def run(name: str) -> None:
    """Run job NAME now, printing its progress; exits non-zero when it fails."""
    try:
        finished = run_job(name, trigger="cli", echo=click.echo)
    except JobError as exc:
        raise click.ClickException(str(exc)) from exc
    if finished.status == FAILED:
        raise click.ClickException(f"job {name!r} failed (run {finished.id}): {finished.error}")
    click.echo(f"Job {name} succeeded (run {finished.id}).")


@jobs_cli.command("scheduler")
def scheduler() -> None:
    """Run the in-process scheduler in the foreground until interrupted.

    For deployments without Celery whose web servers do not schedule (gunicorn). Several may
    run: only the one holding the cluster lock schedules, the others stand by.
    """
    from core.app import create_app
    from core.jobs.follow import FollowModules
    from core.jobs.scheduler import start_scheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session.remove()  # hold no database transaction (nor SQLite's lock) while waiting
    handle = start_scheduler(app, FollowModules(app, create_app), force=True)
    if handle is None:
        raise click.ClickException(
            "CELERY_BROKER_URL is set: run `celery -A core.jobs.celery_app beat` instead"
        )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    state = "schedules the jobs" if handle.is_leader else "stands by (another instance leads)"
    click.echo(f"Scheduler started in {handle.time_zone}; this instance {state}.")
    try:
        while not stop.wait(1.0):
            pass
    finally:
        handle.stop()
        click.echo("Scheduler stopped.")
