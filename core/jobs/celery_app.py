"""Jobs on Celery, used when ``CELERY_BROKER_URL`` is set (e.g. ``redis://127.0.0.1:6379/0``).

Workers and the one beat process start with::

    celery -A core.jobs.celery_app worker --loglevel=INFO
    celery -A core.jobs.celery_app beat --loglevel=INFO

Both build the Flask app from the environment's settings (``AFTERSALES_*``, as
``aftersales`` and gunicorn do) following Flask's "Background Tasks with Celery" pattern: every
task runs inside an app context. There is one task, ``aftersales.run_job(name, trigger)``,
which runs :func:`core.jobs.service.run_job`; beat sends it on each job's crontab, evaluated
in the company time zone (``COMPANY_TIME_ZONE``). Workers and beat follow module changes
without a restart (:class:`core.jobs.follow.FollowModules`, :class:`ModuleAwareScheduler`).

Lower-case Celery settings may be added with the ``CELERY`` setting (a dict), as in Flask's
pattern; they win over the ones derived here.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from celery import Celery, Task
from celery.beat import PersistentScheduler
from celery.signals import worker_process_init
from flask import Flask

from core.jobs.follow import FollowModules
from core.jobs.locks import ClusterLock, scheduler_lock
from core.jobs.models import FAILED
from core.jobs.schedule import ScheduleError, celery_crontab, company_time_zone, parse_crontab
from core.jobs.service import JobAlreadyRunning, registered_jobs, run_job

log = logging.getLogger("core.jobs.celery")

TASK_NAME = "aftersales.run_job"
ENTRY_PREFIX = "aftersales:"
BEAT_REFRESH_SECONDS = 30.0


class JobFailed(RuntimeError):
    """Raised by the Celery task when the job failed, so Celery records the task as failed."""


class FlaskTask(Task):
    """A task that runs inside an app context of the Celery app's current Flask app."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.app.aftersales_app_source().app_context():
            return self.run(*args, **kwargs)


def celery_config(app: Flask) -> dict[str, Any]:
    """Celery settings derived from the app's settings (``CELERY`` overrides them)."""
    broker = app.config.get("CELERY_BROKER_URL")
    if not broker:
        raise RuntimeError(
            "CELERY_BROKER_URL is not set: set it (e.g. AFTERSALES_CELERY_BROKER_URL="
            "redis://127.0.0.1:6379/0) to run jobs on Celery"
        )
    backend = app.config.get("CELERY_RESULT_BACKEND")
    if backend is None and str(broker).startswith(("redis://", "rediss://")):
        backend = broker
    config: dict[str, Any] = {
        "broker_url": broker,
        "result_backend": backend,
        "timezone": company_time_zone(app),
        "enable_utc": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        # A job is idempotent: after a worker machine is lost its job is delivered again.
        "task_acks_late": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "beat_scheduler": f"{__name__}:ModuleAwareScheduler",
        "beat_schedule_filename": os.path.join(app.instance_path, "celerybeat-schedule"),
        "beat_max_loop_interval": BEAT_REFRESH_SECONDS,
    }
    config.update(app.config.get("CELERY") or {})
    return config


def beat_schedule(app: Flask, celery_app: Celery | None = None) -> dict[str, dict[str, Any]]:
    """One beat entry per job with a crontab: ``"aftersales:<job name>"``."""
    entries: dict[str, dict[str, Any]] = {}
    for name, spec in registered_jobs(app).items():
        if not spec.schedule:
            continue
        try:
            crontab = parse_crontab(spec.schedule)
        except ScheduleError as exc:
            log.error("job %s is not scheduled: %s", name, exc)
            continue
        schedule = celery_crontab(crontab)
        if celery_app is not None:
            # Set afterwards: a crontab made with ``app=`` pickles the app into beat's file.
            schedule.app = celery_app
        entries[ENTRY_PREFIX + name] = {"task": TASK_NAME, "schedule": schedule, "args": (name,)}
    return entries


def celery_init_app(app: Flask, app_source: Callable[[], Flask] | None = None) -> Celery:
    """The Celery app of ``app`` (made once, kept in ``app.extensions["celery"]``).

    ``app_source`` returns the Flask app each task runs in (default: ``app``); workers pass a
    :class:`FollowModules` so that tasks run with the current modules.
    """
    existing = app.extensions.get("celery")
    if existing is not None:
        return existing
    source = app_source or (lambda: app)
    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.conf.update(celery_config(app))
    celery_app.conf.beat_schedule = beat_schedule(app, celery_app)
    celery_app.aftersales_app_source = source  # type: ignore[attr-defined]
    celery_app.aftersales_flask_app = app  # type: ignore[attr-defined]

    @celery_app.task(name=TASK_NAME)
    def run_job_task(name: str, trigger: str = "celery") -> dict[str, Any]:
        """Run job ``name``; a failed job fails the task, a busy one is skipped."""
        try:
            run = run_job(name, trigger=trigger)
        except JobAlreadyRunning as exc:
            log.info("skipped: %s", exc)
            return {"job": name, "status": "skipped", "message": str(exc)}
        if run.status == FAILED:
            raise JobFailed(f"job {name!r} failed (run {run.id}): {run.error}")
        return {"job": name, "run_id": run.id, "status": run.status}

    app.extensions["celery"] = celery_app
    return celery_app


def send_run_job(app: Flask, name: str, trigger: str = "manual") -> Any:
    """Queue a run of job ``name`` for the Celery workers; returns the ``AsyncResult``."""
    return celery_init_app(app).send_task(TASK_NAME, args=[name], kwargs={"trigger": trigger})


class ModuleAwareScheduler(PersistentScheduler):
    """``celery beat``'s scheduler: one sender per cluster, following module changes.

    Several beat processes may run (for availability): only the one holding the cluster
    lock (:func:`core.jobs.locks.scheduler_lock`, the in-process scheduler's) sends tasks;
    the others stand by and retry the lock every 30 s. When one takes over, its entries
    restart from now, so what the previous leader already sent is not sent again (jobs catch
    up with ``context.last_success``). Every 30 s it also re-reads the jobs when the enabled
    modules changed.
    """

    refresh_every = BEAT_REFRESH_SECONDS
    lock_retry_seconds = BEAT_REFRESH_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._flask_app: Flask | None = None
        self._leader_lock: ClusterLock | None = None
        self.is_leader = False
        self._lock_tried_at: float | None = None
        super().__init__(*args, **kwargs)
        self._refreshed_at = time.monotonic()
        self._flask_app = getattr(self.app, "aftersales_flask_app", None)

    def lead(self) -> bool:
        """Keep or take the cluster lock (retried every ``lock_retry_seconds``); whether this
        beat leads."""
        flask_app = getattr(self.app, "aftersales_flask_app", None)
        if flask_app is None:  # not made by celery_init_app: nothing to coordinate with
            return True
        if self._leader_lock is None:
            self._leader_lock = scheduler_lock(
                flask_app.config["SQLALCHEMY_DATABASE_URI"], flask_app.instance_path
            )
        if self.is_leader and not self._leader_lock.alive():
            log.warning("beat lost the cluster lock; standing by")
            self.is_leader = False
        now = time.monotonic()
        if not self.is_leader and (
            self._lock_tried_at is None or now - self._lock_tried_at >= self.lock_retry_seconds
        ):
            self._lock_tried_at = now
            if self._leader_lock.acquire():
                self.is_leader = True
                self._restart_entries()
                log.info("this beat now sends the scheduled jobs (holds the cluster lock)")
            else:
                log.info("another scheduler holds the cluster lock; this beat stands by")
        return self.is_leader

    def _restart_entries(self) -> None:
        now = self.app.now()
        for key, entry in self.schedule.items():
            if key.startswith(ENTRY_PREFIX):
                entry.last_run_at = now
        self._heap = None

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """One beat iteration: send what is due if leading, else wait to retry the lock."""
        if not self.lead():
            return self.refresh_every
        now = time.monotonic()
        if now - self._refreshed_at >= self.refresh_every:
            self._refreshed_at = now
            self.refresh_jobs()
        return min(super().tick(*args, **kwargs), self.refresh_every)

    def refresh_jobs(self) -> bool:
        """Rebuild the job entries when the Flask app was rebuilt; returns whether it was."""
        source = getattr(self.app, "aftersales_app_source", None)
        if source is None:
            return False
        flask_app = source()
        if flask_app is self._flask_app:
            return False
        self._flask_app = flask_app
        others = {
            key: {
                "task": entry.task,
                "schedule": entry.schedule,
                "args": entry.args,
                "kwargs": entry.kwargs,
                "options": entry.options,
            }
            for key, entry in self.schedule.items()
            if not key.startswith(ENTRY_PREFIX)
        }
        self.merge_inplace({**others, **beat_schedule(flask_app, self.app)})
        self._heap = None
        log.info("beat schedule follows the modules: %s", ", ".join(sorted(self.schedule)))
        return True

    def close(self) -> None:
        """Save the schedule and release the cluster lock."""
        try:
            super().close()
        finally:
            if self._leader_lock is not None:
                self._leader_lock.release()
            self.is_leader = False


# --- The Celery app of ``celery -A core.jobs.celery_app`` ---------------------------------------

_worker_app: Celery | None = None
_worker_lock = threading.Lock()


def make_worker_celery() -> Celery:
    """Build (once per process) the Celery app from the environment's settings."""
    global _worker_app
    with _worker_lock:
        if _worker_app is None:
            from core.app import create_app

            flask_app = create_app()
            _worker_app = celery_init_app(flask_app, FollowModules(flask_app, create_app))
            _worker_app.set_default()
        return _worker_app


@worker_process_init.connect(weak=False)
def _fresh_connections_after_fork(**_kwargs: Any) -> None:
    """A forked worker child must not share the parent's pooled database connections."""
    if _worker_app is None:
        return
    from core.extensions import db

    flask_app = _worker_app.aftersales_app_source.app  # type: ignore[attr-defined]
    with flask_app.app_context():
        db.engine.dispose(close=False)


def __getattr__(name: str) -> Any:
    """``celery -A core.jobs.celery_app`` looks up ``app``: build it on first use only."""
    if name in ("app", "celery"):
        return make_worker_celery()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
