"""Jobs on Celery with Redis: a real worker runs a job sent to it, and beat carries the
jobs' crontabs in the company time zone.

Needs Redis at 127.0.0.1:6379 (database 13 is used); skipped when it is not reachable,
except on CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from core.extensions import db
from core.jobs.models import JobRun

REDIS_URL = os.environ.get("AFTERSALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PLUGINS = Path(__file__).resolve().parent / "sample_plugins"
PLUGINS = ["sample_alpha", "sample_jobs"]
WAIT_SECONDS = 120


@pytest.fixture
def redis_url() -> str:
    """The Redis URL, or skip (fail on CI) when Redis does not answer."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def celery_queue() -> str:
    """A queue of this test's own, so that no other worker or test takes its messages."""
    return f"aftersales-test-{uuid.uuid4().hex}"


@pytest.fixture
def celery_flask_app(make_app, redis_url, celery_queue):
    """The test's app (and database), configured to send jobs to Celery."""
    return make_app(
        plugins=PLUGINS,
        packages=PLUGINS,
        config={
            "CELERY_BROKER_URL": redis_url,
            "CELERY": {"task_default_queue": celery_queue},
        },
    )


def process_env(app, broker: str, celery_queue: str) -> dict[str, str]:
    """Environment of a ``celery`` process configured like the test's app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env.update(
        {
            "AFTERSALES_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "AFTERSALES_INSTANCE_PATH": app.instance_path,
            "AFTERSALES_SECRET_KEY": app.config["SECRET_KEY"],
            "AFTERSALES_PLUGIN_PACKAGES": json.dumps(PLUGINS),
            "AFTERSALES_ENABLED_PLUGINS": json.dumps(PLUGINS),
            "AFTERSALES_DISCOVER_ENTRY_POINTS": "false",
            "AFTERSALES_SYNC_PERMISSIONS_ON_START": "false",
            "AFTERSALES_CELERY_BROKER_URL": broker,
            "AFTERSALES_CELERY": json.dumps({"task_default_queue": celery_queue}),
            "PYTHONPATH": os.pathsep.join([str(SAMPLE_PLUGINS), str(ROOT)]),
        }
    )
    return env


class Output:
    """Collects a process's output in a thread, so that waiting for a line has a bound."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self._queue.put(line)

    def wait_for(self, needle: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.lines.append(line)
            if needle in line:
                return True
        return False

    def text(self) -> str:
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return "".join(self.lines)[-5000:]


@contextmanager
def celery_process(app, broker: str, celery_queue: str, *args: str) -> Iterator[Output]:
    """Run ``celery -A core.jobs.celery_app ARGS`` until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "core.jobs.celery_app", *args],
        cwd=ROOT,
        env=process_env(app, broker, celery_queue),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(process)
    try:
        yield output
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def worker(app, broker: str, celery_queue: str):
    """A real prefork worker (one child) consuming only this test's queue."""
    return celery_process(
        app,
        broker,
        celery_queue,
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        celery_queue,
        "-n",
        f"{celery_queue}@%h",
    )


def send(app, name: str):
    from core.jobs.celery_app import TASK_NAME, celery_init_app

    return celery_init_app(app).send_task(TASK_NAME, args=[name])


def test_a_job_sent_to_celery_runs_on_a_worker_and_is_recorded(
    celery_flask_app, redis_url, celery_queue
):
    with worker(celery_flask_app, redis_url, celery_queue) as output:
        result = send(celery_flask_app, "sample_alpha.tidy")
        try:
            answer = result.get(timeout=WAIT_SECONDS)
        except Exception as exc:
            pytest.fail(f"the worker did not run the job: {exc!r}\n{output.text()}")

    assert answer["status"] == "succeeded"
    with celery_flask_app.app_context():
        (run,) = db.session.scalars(select(JobRun)).all()
        assert (run.job_name, run.trigger, run.status) == (
            "sample_alpha.tidy",
            "celery",
            "succeeded",
        )
        assert run.id == answer["run_id"]
        assert run.message == "nothing to tidy"


def test_a_failing_job_fails_its_celery_task_and_is_recorded_as_failed(
    celery_flask_app, redis_url, celery_queue
):
    from core.jobs.celery_app import JobFailed

    with worker(celery_flask_app, redis_url, celery_queue) as output:
        result = send(celery_flask_app, "sample_jobs.fail")
        with pytest.raises(JobFailed, match="printer on fire"):
            try:
                result.get(timeout=WAIT_SECONDS)
            except TimeoutError as exc:
                pytest.fail(f"the worker did not answer: {exc!r}\n{output.text()}")

    with celery_flask_app.app_context():
        (run,) = db.session.scalars(select(JobRun)).all()
        assert (run.trigger, run.status, run.error) == (
            "celery",
            "failed",
            "RuntimeError: printer on fire",
        )


def test_run_now_sends_the_job_to_celery_when_a_broker_is_configured(
    celery_flask_app, redis_url, celery_queue
):
    from core.testing import create_user

    client = celery_flask_app.test_client()
    with celery_flask_app.app_context():
        user = create_user(celery_flask_app, ["Admin"])
    client.post("/login/", data={"username": user.username, "password": "s3cret-pass"})

    with worker(celery_flask_app, redis_url, celery_queue) as output:
        response = client.post("/jobs/run", data={"name": "sample_jobs.add_note"})
        assert response.status_code == 302
        assert output.wait_for("succeeded", WAIT_SECONDS), output.text()

    with celery_flask_app.app_context():
        (run,) = db.session.scalars(select(JobRun)).all()
        assert (run.job_name, run.trigger, run.status) == (
            "sample_jobs.add_note",
            "manual",
            "succeeded",
        )


def test_beat_schedule_has_each_jobs_crontab_in_the_company_time_zone(make_app):
    from celery.schedules import crontab

    from core.jobs.celery_app import TASK_NAME, celery_init_app

    app = make_app(
        plugins=PLUGINS,
        packages=PLUGINS,
        schema=False,
        config={"CELERY_BROKER_URL": REDIS_URL, "COMPANY_TIME_ZONE": "Europe/Paris"},
    )
    celery = celery_init_app(app)
    schedule = celery.conf.beat_schedule

    tidy = schedule["aftersales:sample_alpha.tidy"]
    assert tidy["task"] == TASK_NAME
    assert tidy["args"] == ("sample_alpha.tidy",)
    assert tidy["schedule"] == crontab(minute="0", hour="3")
    count = schedule["aftersales:sample_jobs.count"]["schedule"]
    assert count == crontab(minute="30", hour="2", day_of_week="1-5")
    assert "aftersales:sample_jobs.fail" not in schedule  # on demand
    assert "aftersales:sample_jobs.bad_schedule" not in schedule
    assert str(celery.timezone) == "Europe/Paris"
    assert str(tidy["schedule"].tz) == "Europe/Paris"


def test_celery_beat_starts_with_the_jobs_schedule(celery_flask_app, redis_url, celery_queue):
    with celery_process(
        celery_flask_app, redis_url, celery_queue, "beat", "--loglevel=DEBUG"
    ) as output:
        started = output.wait_for("aftersales:sample_alpha.tidy", WAIT_SECONDS)
        log = output.text()

    assert started, log
    assert "<crontab: 0 3 * * *" in log
    instance = Path(celery_flask_app.instance_path)
    assert any(p.name.startswith("celerybeat-schedule") for p in instance.iterdir())


def test_only_one_beat_sends_the_jobs_and_another_takes_over_when_it_stops(make_app, tmp_path):
    from core.jobs.celery_app import ModuleAwareScheduler, celery_init_app

    config = {"CELERY_BROKER_URL": REDIS_URL}
    first_app = make_app(plugins=PLUGINS, packages=PLUGINS, config=config)
    second_app = make_app(plugins=PLUGINS, packages=PLUGINS, config=config)
    first = ModuleAwareScheduler(
        app=celery_init_app(first_app), schedule_filename=str(tmp_path / "beat-1")
    )
    second = ModuleAwareScheduler(
        app=celery_init_app(second_app), schedule_filename=str(tmp_path / "beat-2")
    )
    second.lock_retry_seconds = 0
    try:
        assert first.lead() is True
        assert second.lead() is False
        assert second.tick() == second.refresh_every  # standing by: sends nothing

        first.close()

        assert second.lead() is True
        assert "aftersales:sample_alpha.tidy" in second.schedule
    finally:
        if first.is_leader:
            first.close()
        second.close()
