"""The in-process scheduler: runs every job that has a crontab, on one instance per cluster.

``aftersales serve`` (and ``aftersales jobs scheduler``) call :func:`start_scheduler`. Every
instance starts an APScheduler ``BackgroundScheduler``, but only the one holding the cluster
lock (:func:`core.jobs.locks.scheduler_lock`) schedules jobs; the others retry taking the
lock every ``SCHEDULER_LOCK_CHECK_SECONDS`` and take over when the holder stops or dies. The
leader also checks it still holds the lock (a dropped database connection loses it) and
re-reads the jobs, so a module change is followed without a restart when ``app_source``
returns the current app (:class:`core.jobs.follow.FollowModules`).

With ``CELERY_BROKER_URL`` set, ``celery beat`` schedules the jobs and this scheduler does
not start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from core.jobs.locks import ClusterLock, scheduler_lock
from core.jobs.schedule import ScheduleError, apscheduler_trigger, company_time_zone, parse_crontab
from core.jobs.service import JobAlreadyRunning, JobError, UnknownJobError, registered_jobs, run_job

log = logging.getLogger("core.jobs.scheduler")

LEADER_CHECK_ID = "aftersales:leader-check"
JOB_ID_PREFIX = "job:"
DEFAULT_CHECK_SECONDS = 30.0
DEFAULT_MISFIRE_GRACE_TIME = 600


class SchedulerHandle:
    """A started scheduler; ``is_leader`` says whether this instance schedules the jobs."""

    def __init__(
        self,
        app_source: Callable[[], Flask],
        lock: ClusterLock,
        time_zone: str,
        check_seconds: float = DEFAULT_CHECK_SECONDS,
        misfire_grace_time: int = DEFAULT_MISFIRE_GRACE_TIME,
    ) -> None:
        self._app_source = app_source
        self._lock = lock
        self.time_zone = time_zone
        self.check_seconds = check_seconds
        self.is_leader = False
        self._schedules: dict[str, tuple[str, str]] = {}
        self._mutex = threading.RLock()
        self._stopped = False
        self.scheduler = BackgroundScheduler(
            timezone=time_zone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": misfire_grace_time,
            },
        )

    def start(self) -> None:
        """Start the scheduler thread, try to lead now, and keep trying periodically."""
        self.scheduler.start()
        self.tick()
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.check_seconds,
            id=LEADER_CHECK_ID,
            name="take or keep the scheduler lock",
            replace_existing=True,
        )

    def tick(self) -> bool:
        """Keep or take the cluster lock and bring the scheduled jobs up to date.

        Returns whether this instance leads (schedules jobs) now.
        """
        with self._mutex:
            if self._stopped:
                return False
            if self.is_leader and not self._lock.alive():
                log.warning("scheduler lost the cluster lock; another instance may take over")
                self._resign()
            if not self.is_leader and self._lock.acquire():
                self.is_leader = True
                log.info("this instance now schedules the jobs (holds the cluster lock)")
            if self.is_leader:
                self.sync_jobs()
            return self.is_leader

    def sync_jobs(self) -> None:
        """Schedule each job with a crontab, drop jobs that are gone, follow changed crontabs."""
        with self._mutex:
            app = self._app_source()
            try:
                specs = registered_jobs(app)
                zone = company_time_zone(app)
            except (JobError, ScheduleError) as exc:
                log.error("jobs not scheduled: %s", exc)
                return
            wanted = {}
            for name, spec in specs.items():
                if not spec.schedule:
                    continue
                try:
                    wanted[name] = parse_crontab(spec.schedule)
                except ScheduleError as exc:
                    log.error("job %s is not scheduled: %s", name, exc)
            for name in sorted(set(self._schedules) - set(wanted)):
                self._unschedule(name)
            for name, crontab in wanted.items():
                key = (crontab.expression, zone)
                if self._schedules.get(name) == key:
                    continue
                self.scheduler.add_job(
                    self._run,
                    apscheduler_trigger(crontab, zone),
                    args=[name],
                    id=JOB_ID_PREFIX + name,
                    name=name,
                    replace_existing=True,
                )
                self._schedules[name] = key
                log.info("scheduled job %s at %r (%s)", name, crontab.expression, zone)

    def _unschedule(self, name: str) -> None:
        job = self.scheduler.get_job(JOB_ID_PREFIX + name)
        if job is not None:
            job.remove()
        self._schedules.pop(name, None)

    def _resign(self) -> None:
        for name in list(self._schedules):
            self._unschedule(name)
        self._lock.release()
        self.is_leader = False

    def _run(self, name: str) -> None:
        app = self._app_source()
        with app.app_context():
            try:
                run_job(name, trigger="schedule")
            except JobAlreadyRunning as exc:
                log.info("skipped: %s", exc)
            except UnknownJobError as exc:
                log.warning("scheduled job no longer exists: %s", exc)
            except Exception:  # keep the scheduler alive whatever a job does
                log.exception("scheduled run of %s failed to start", name)

    def scheduled_jobs(self) -> dict[str, Any]:
        """The APScheduler jobs scheduled now, by job name (empty unless leading)."""
        return {
            job.name: job for job in self.scheduler.get_jobs() if job.id.startswith(JOB_ID_PREFIX)
        }

    def stop(self, wait: bool = True) -> None:
        """Stop scheduling and release the cluster lock; ``wait`` for running jobs."""
        with self._mutex:
            if self._stopped:
                return
            self._stopped = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        with self._mutex:
            self._schedules.clear()
            self._lock.release()
            self.is_leader = False
        log.info("scheduler stopped")


def start_scheduler(
    app: Flask,
    app_source: Callable[[], Flask] | None = None,
    *,
    force: bool = False,
) -> SchedulerHandle | None:
    """Start the in-process scheduler for ``app``; ``None`` when it should not run here.

    It does not start when ``SCHEDULER_ENABLED`` is false (unless ``force``) or when
    ``CELERY_BROKER_URL`` is set (``celery beat`` schedules then). ``app_source`` returns the
    app to run jobs with (e.g. the reloading WSGI app's current app, or a
    :class:`core.jobs.follow.FollowModules`); by default ``app`` itself. Call
    ``handle.stop()`` at shutdown.
    """
    if not force and not app.config.get("SCHEDULER_ENABLED", True):
        log.info("scheduler disabled (SCHEDULER_ENABLED is false)")
        return None
    if app.config.get("CELERY_BROKER_URL"):
        log.info("CELERY_BROKER_URL is set: celery beat schedules the jobs, not this process")
        return None
    handle = SchedulerHandle(
        app_source or (lambda: app),
        scheduler_lock(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path),
        company_time_zone(app),
        check_seconds=float(app.config.get("SCHEDULER_LOCK_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)),
        misfire_grace_time=int(
            app.config.get("SCHEDULER_MISFIRE_GRACE_TIME", DEFAULT_MISFIRE_GRACE_TIME)
        ),
    )
    handle.start()
    return handle


def stop_scheduler(handle: SchedulerHandle | None, wait: bool = True) -> None:
    """Stop ``handle`` (``None`` is allowed, as :func:`start_scheduler` may return it)."""
    if handle is not None:
        handle.stop(wait=wait)
