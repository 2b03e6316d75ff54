"""Finding jobs, running one with its run record, and the run history.

Other code runs a job with :func:`run_job` (inline: CLI, scheduler, Celery task) or
:func:`start_job` (in the background: the Jobs screen's "Run now").
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.contributions import JobSpec
from core.extensions import db
from core.jobs.context import DEFAULT_PROGRESS_INTERVAL, JobContext
from core.jobs.locks import job_lock
from core.jobs.models import (
    FAILED,
    MESSAGE_LENGTH,
    RUNNING,
    SUCCEEDED,
    TRIGGERS,
    JobRun,
    as_utc,
)
from core.runtime import hooks
from core.timeutil import utcnow

log = logging.getLogger("core.jobs")

INTERRUPTED = "interrupted: the process running it ended before the run finished"


class JobError(ValueError):
    """A job request that is refused; ``field`` names the input at fault."""

    field = "name"


class UnknownJobError(JobError):
    """No enabled plugin declares a job of that name; the message lists the known jobs."""


class JobAlreadyRunning(JobError):
    """The job is running in this or another process; two runs never overlap."""


@dataclass(frozen=True)
class JobOverview:
    """A job with its latest run and its latest successful run (for lists)."""

    spec: JobSpec
    last_run: JobRun | None
    last_success: JobRun | None


def registered_jobs(app: Flask | None = None) -> dict[str, JobSpec]:
    """Every job of core and the enabled plugins, by name (sorted).

    Two jobs declaring one name are a plugin bug and raise :class:`JobError` naming it.
    """
    found: dict[str, JobSpec] = {}
    for spec in hooks(app).jobs():
        if spec.name in found:
            raise JobError(f"job name {spec.name!r} is declared twice; job names must be unique")
        found[spec.name] = spec
    return dict(sorted(found.items()))


def get_job(name: str, app: Flask | None = None) -> JobSpec:
    """The job called ``name``; raises :class:`UnknownJobError` listing the known jobs."""
    jobs = registered_jobs(app)
    spec = jobs.get(name)
    if spec is None:
        known = ", ".join(jobs) or "none"
        raise UnknownJobError(f"unknown job {name!r} (known jobs: {known})")
    return spec


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _record_session() -> Session:
    """A session of its own for the run record, so it commits apart from the job's work."""
    return Session(bind=db.engine, expire_on_commit=False)


def _start_run(name: str, trigger: str) -> tuple[JobRun, JobRun | None]:
    """Record a new running run; returns it and the job's last successful run.

    Called while holding the job's lock, so any run of this job still marked running was
    left behind by a process that died: it is marked failed.
    """
    now = utcnow()
    with _record_session() as records:
        records.execute(
            update(JobRun)
            .where(JobRun.job_name == name, JobRun.status == RUNNING)
            .values(status=FAILED, finished_on=now, error=INTERRUPTED)
        )
        last_success = records.scalars(
            select(JobRun)
            .where(JobRun.job_name == name, JobRun.status == SUCCEEDED)
            .order_by(JobRun.id.desc())
            .limit(1)
        ).first()
        run = JobRun(
            job_name=name,
            trigger=trigger,
            status=RUNNING,
            started_on=now,
            progress_done=0,
            worker=_worker(),
        )
        records.add(run)
        records.commit()
        return run, last_success


def _progress_values(context: JobContext) -> dict[str, Any]:
    return {
        "progress_done": context.done,
        "progress_total": context.total,
        "message": (context.message or None) and context.message[:MESSAGE_LENGTH],
        "log": context.log_text(),
    }


def _store_progress(context: JobContext) -> None:
    """Write the latest progress to the run record in a short transaction of its own.

    On SQLite only one connection may write at a time and a job's open transaction holds that
    lock, so there the update joins the job's transaction instead (waiting for the lock from
    a second connection in the same thread would never end); it becomes visible when the job
    commits, and the final state is written when the run ends in any case.
    """
    table = JobRun.__table__
    statement = (
        update(table).where(table.c.id == context.run_id).values(**_progress_values(context))
    )
    job_session = context.session
    try:
        if db.engine.dialect.name == "sqlite" and job_session.in_transaction():
            job_session.connection().execute(statement)
            return
        with db.engine.begin() as connection:
            connection.execute(statement)
    except SQLAlchemyError as exc:  # progress is informative: never fail the job for it
        log.warning(
            "could not store progress of %s run %s: %s", context.job_name, context.run_id, exc
        )


def _finish_run(
    run_id: int, status: str, context: JobContext, exc: BaseException | None = None
) -> JobRun:
    with _record_session() as records:
        run = records.get(JobRun, run_id)
        assert run is not None, f"run {run_id} vanished"
        for key, value in _progress_values(context).items():
            setattr(run, key, value)
        run.status = status
        run.finished_on = utcnow()
        if exc is not None:
            run.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            run.traceback = "".join(traceback.format_exception(exc))
        records.commit()
        return run


def _busy_message(name: str) -> str:
    running = db.session.scalars(
        select(JobRun)
        .where(JobRun.job_name == name, JobRun.status == RUNNING)
        .order_by(JobRun.id.desc())
        .limit(1)
    ).first()
    db.session.rollback()
    if running is None:
        return f"job {name!r} is already running"
    return (
        f"job {name!r} is already running (run {running.id}, started "
        f"{as_utc(running.started_on):%Y-%m-%d %H:%M:%S} UTC on {running.worker})"
    )


def run_job(
    name: str, trigger: str = "manual", echo: Callable[[str], None] | None = None
) -> JobRun:
    """Run job ``name`` now, in this thread, and return its finished run record.

    Needs an app context. The run is recorded as running before the job starts, its progress
    is stored while it runs, and it ends as succeeded or failed. A job that raises is
    recorded as failed with its error and traceback and its uncommitted work rolled back;
    the failed run is returned (check ``run.status``), not raised. ``echo`` receives
    progress lines (the CLI passes ``click.echo``).

    The caller's ``db.session`` is committed first, so the job starts a transaction of its
    own. Raises :class:`UnknownJobError` for an unknown name and :class:`JobAlreadyRunning`
    when the job runs elsewhere (in any process sharing the database).
    """
    if trigger not in TRIGGERS:
        error = JobError(f"trigger {trigger!r} must be one of {', '.join(TRIGGERS)}")
        error.field = "trigger"
        raise error
    spec = get_job(name)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session()
    session.commit()
    lock = job_lock(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path, name)
    if not lock.acquire():
        raise JobAlreadyRunning(_busy_message(name))
    try:
        run, last_success = _start_run(name, trigger)
        context = JobContext(
            job_name=name,
            run_id=run.id,
            trigger=trigger,
            session=session,
            last_success=as_utc(last_success.finished_on) if last_success else None,
            last_success_started=as_utc(last_success.started_on) if last_success else None,
            store=_store_progress,
            echo=echo,
            progress_interval=float(
                app.config.get("JOBS_PROGRESS_INTERVAL", DEFAULT_PROGRESS_INTERVAL)
            ),
        )
        log.info("job %s started (run %s, %s)", name, run.id, trigger)
        if echo is not None:
            echo(f"[{name}] started (run {run.id})")
        began = time.monotonic()
        try:
            spec.run(context)
            session.commit()
        except BaseException as exc:
            session.rollback()
            finished = _finish_run(run.id, FAILED, context, exc)
            log.error("job %s failed (run %s): %s", name, run.id, finished.error, exc_info=exc)
            if echo is not None:
                echo(f"[{name}] failed: {finished.error}")
            if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: stop anyway
                raise
            return finished
        finished = _finish_run(run.id, SUCCEEDED, context)
        seconds = time.monotonic() - began
        log.info("job %s succeeded (run %s) in %.1f s", name, run.id, seconds)
        if echo is not None:
            echo(f"[{name}] succeeded in {seconds:.1f} s")
        return finished
    finally:
        lock.release()


def job_is_running(name: str) -> bool:
    """Whether job ``name`` is running now in any process (probes its lock)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    lock = job_lock(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path, name)
    if lock.acquire():
        lock.release()
        return False
    return True


# --- Running in the background ----------------------------------------------------------------

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def _run_in_thread(app: Flask, name: str, trigger: str) -> None:
    try:
        with app.app_context():
            run_job(name, trigger=trigger)
    except JobAlreadyRunning as exc:
        log.info("%s", exc)
    except Exception:  # a background thread has nobody to raise to
        log.exception("job %s could not run", name)
    finally:
        with _threads_lock:
            _threads.discard(threading.current_thread())


def start_job(name: str, trigger: str = "manual") -> str:
    """Start job ``name`` in the background and return at once.

    With ``CELERY_BROKER_URL`` set the job is sent to the Celery workers (returns
    ``"celery"``); otherwise it runs in a thread of this process (returns ``"thread"``).
    Unknown names are refused before anything starts.
    """
    get_job(name)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("CELERY_BROKER_URL"):
        from core.jobs.celery_app import send_run_job

        send_run_job(app, name, trigger)
        return "celery"
    thread = threading.Thread(
        target=_run_in_thread, args=(app, name, trigger), name=f"job:{name}", daemon=True
    )
    with _threads_lock:
        _threads.add(thread)
    thread.start()
    return "thread"


def wait_for_background_jobs(timeout: float | None = None) -> bool:
    """Wait for the jobs :func:`start_job` runs in threads; ``False`` if some still run."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _threads_lock:
            pending = list(_threads)
        if not pending:
            return True
        for thread in pending:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)
            if thread.is_alive():
                return False


# --- History ----------------------------------------------------------------------------------


def latest_runs(session: Session, status: str | None = None) -> dict[str, JobRun]:
    """The latest run of every job (``status``: the latest with that status), one query."""
    latest = select(func.max(JobRun.id)).group_by(JobRun.job_name)
    if status is not None:
        latest = latest.where(JobRun.status == status)
    runs = session.scalars(select(JobRun).where(JobRun.id.in_(latest)))
    return {run.job_name: run for run in runs}


def job_overview(session: Session, app: Flask | None = None) -> list[JobOverview]:
    """Every registered job with its latest run and latest success (two queries)."""
    last = latest_runs(session)
    succeeded = latest_runs(session, SUCCEEDED)
    return [
        JobOverview(spec, last.get(name), succeeded.get(name))
        for name, spec in registered_jobs(app).items()
    ]


def prune_history(context: JobContext) -> None:
    """Core's job: delete runs older than ``JOBS_HISTORY_DAYS`` days (0 keeps all).

    The latest run and the latest successful run of every job are always kept (a job's
    ``last_success`` is read from them).
    """
    days = int(current_app.config.get("JOBS_HISTORY_DAYS", 90) or 0)
    if days <= 0:
        context.progress(0, 0, "history is kept forever (JOBS_HISTORY_DAYS = 0)")
        return
    cutoff = utcnow() - datetime.timedelta(days=days)
    keep_latest = select(func.max(JobRun.id)).group_by(JobRun.job_name)
    keep_success = (
        select(func.max(JobRun.id)).where(JobRun.status == SUCCEEDED).group_by(JobRun.job_name)
    )
    result = context.session.execute(
        delete(JobRun)
        .where(
            JobRun.started_on < cutoff,
            JobRun.status != RUNNING,
            JobRun.id.not_in(keep_latest),
            JobRun.id.not_in(keep_success),
        )
        .execution_options(synchronize_session=False)
    )
    removed = result.rowcount or 0
    context.progress(removed, removed, f"removed {removed} runs older than {days} days")
