"""Background jobs: run records and progress, failures, the one-run-at-a-time lock, the
scheduler and its cluster lock, the CLI and the Jobs screen."""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sample_jobs.plugin as sample_jobs
from sqlalchemy import select, text

from core.extensions import db
from core.jobs.locks import JOB_NAMESPACE, advisory_keys, job_lock
from core.jobs.models import JobRun, as_utc
from core.jobs.schedule import ScheduleError, apscheduler_trigger, parse_crontab
from core.jobs.scheduler import start_scheduler
from core.jobs.service import (
    JobAlreadyRunning,
    UnknownJobError,
    registered_jobs,
    run_job,
    wait_for_background_jobs,
)
from core.testing import create_user, csrf_token_from, on_postgres
from core.timeutil import utcnow

PACKAGES = ["sample_alpha", "sample_jobs"]
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PLUGINS = Path(__file__).resolve().parent / "sample_plugins"


@pytest.fixture(autouse=True)
def _reset_sample_jobs():
    sample_jobs.reset()
    yield
    sample_jobs.GATE.set()  # never leave a waiting job behind
    assert wait_for_background_jobs(timeout=60)


@pytest.fixture
def jobs_app(make_app):
    """An app with the job sample plugins (and sample_alpha, which it depends on)."""
    return make_app(plugins=["sample_jobs"], packages=PACKAGES)


def runs_of(name):
    db.session.rollback()
    return db.session.scalars(
        select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id)
    ).all()


def note_titles():
    from sample_alpha.models import AlphaNote

    db.session.rollback()
    return sorted(db.session.scalars(select(AlphaNote.title)))


# --- Running and recording ---------------------------------------------------------------------


def test_running_a_job_records_the_run_and_its_final_progress(jobs_app):
    with jobs_app.app_context():
        run = run_job("sample_alpha.tidy")

        (stored,) = runs_of("sample_alpha.tidy")
        assert stored.id == run.id
        assert stored.status == "succeeded"
        assert stored.trigger == "manual"
        assert (stored.progress_done, stored.progress_total) == (1, 1)
        assert stored.message == "nothing to tidy"
        assert stored.error is None
        assert as_utc(stored.started_on) <= as_utc(stored.finished_on) <= utcnow()


def test_progress_is_visible_to_others_while_the_job_runs(jobs_app):
    with jobs_app.app_context():
        run_job("sample_jobs.peek")

    assert sample_jobs.PEEKED == [("running", 1, 3, "first third")]


def test_the_work_of_a_successful_job_is_committed(jobs_app):
    with jobs_app.app_context():
        run_job("sample_jobs.add_note")

        assert note_titles() == ["from a job"]


def test_job_log_lines_are_kept_on_the_run(jobs_app):
    with jobs_app.app_context():
        run = run_job("sample_jobs.count")

    assert "counting three items" in run.log


def test_a_job_learns_when_it_last_succeeded_so_it_can_catch_up(jobs_app):
    with jobs_app.app_context():
        first = run_job("sample_jobs.count")
        run_job("sample_jobs.fail")  # another job's failure changes nothing for this one
        run_job("sample_jobs.count")

    seen = sample_jobs.SEEN_LAST_SUCCESS
    assert seen == [
        (None, None),
        (as_utc(first.finished_on), as_utc(first.started_on)),
    ]


# --- Failures ----------------------------------------------------------------------------------


def test_a_failing_job_is_recorded_as_failed_with_its_error_and_its_work_undone(jobs_app):
    with jobs_app.app_context():
        run = run_job("sample_jobs.fail")

        assert run.status == "failed"
        (stored,) = runs_of("sample_jobs.fail")
        assert stored.status == "failed"
        assert stored.error == "RuntimeError: printer on fire"
        assert "printer on fire" in stored.traceback
        assert stored.finished_on is not None
        assert (stored.progress_done, stored.progress_total) == (1, 2)
        assert note_titles() == []  # the half-written note was rolled back


def test_cli_run_of_a_failing_job_exits_non_zero_naming_the_error(jobs_app):
    result = jobs_app.test_cli_runner().invoke(args=["jobs", "run", "sample_jobs.fail"])

    assert result.exit_code != 0
    assert "printer on fire" in result.output
    with jobs_app.app_context():
        assert [r.trigger for r in runs_of("sample_jobs.fail")] == ["cli"]


def test_cli_run_prints_progress_lines_and_succeeds(jobs_app):
    result = jobs_app.test_cli_runner().invoke(args=["jobs", "run", "sample_jobs.count"])

    assert result.exit_code == 0, result.output
    assert "[sample_jobs.count] 1/3 (33%) item 1" in result.output
    assert "[sample_jobs.count] 3/3 (100%) item 3" in result.output
    assert "succeeded" in result.output


def test_an_unknown_job_is_refused_listing_the_known_jobs(jobs_app):
    with jobs_app.app_context():
        with pytest.raises(UnknownJobError) as error:
            run_job("sample_jobs.nosuch")
        assert db.session.scalar(select(JobRun.id)) is None

    assert "unknown job 'sample_jobs.nosuch'" in str(error.value)
    assert "sample_alpha.tidy" in str(error.value)
    assert "sample_jobs.count" in str(error.value)
    result = jobs_app.test_cli_runner().invoke(args=["jobs", "run", "sample_jobs.nosuch"])
    assert result.exit_code != 0
    assert "known jobs: " in result.output
    assert "sample_alpha.tidy" in result.output


def test_jobs_of_a_disabled_plugin_are_not_offered(make_app):
    app = make_app(plugins=["sample_alpha"], packages=PACKAGES)
    with app.app_context():
        assert "sample_alpha.tidy" in registered_jobs()
        assert "sample_jobs.count" not in registered_jobs()
        with pytest.raises(UnknownJobError):
            run_job("sample_jobs.count")


def test_cli_list_shows_schedule_description_and_last_status(jobs_app):
    with jobs_app.app_context():
        run_job("sample_jobs.fail")

    result = jobs_app.test_cli_runner().invoke(args=["jobs", "list"])

    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert "0 3 * * *" in lines["sample_alpha.tidy"]
    assert "Tidy the notes" in lines["sample_alpha.tidy"]
    assert "never run" in lines["sample_alpha.tidy"]
    assert "failed" in lines["sample_jobs.fail"]
    assert "on demand" in lines["sample_jobs.fail"]


# --- One run at a time -------------------------------------------------------------------------


def start_waiting_job(app):
    """Run ``sample_jobs.wait`` in a thread; returns the thread and its result holder."""
    result = {}

    def work():
        with app.app_context():
            result["run"] = run_job("sample_jobs.wait")

    thread = threading.Thread(target=work)
    thread.start()
    assert sample_jobs.STARTED.wait(30), "the waiting job did not start"
    return thread, result


def test_a_job_never_runs_twice_at_once(jobs_app):
    thread, result = start_waiting_job(jobs_app)
    try:
        with jobs_app.app_context():
            with pytest.raises(JobAlreadyRunning, match="is already running"):
                run_job("sample_jobs.wait")
            cli = jobs_app.test_cli_runner().invoke(args=["jobs", "run", "sample_jobs.wait"])
            assert cli.exit_code != 0
            assert "already running" in cli.output
            run_job("sample_jobs.count")  # other jobs are not held up
    finally:
        sample_jobs.GATE.set()
        thread.join(60)

    assert result["run"].status == "succeeded"
    with jobs_app.app_context():
        assert [r.status for r in runs_of("sample_jobs.wait")] == ["succeeded"]
        run_job("sample_jobs.wait")  # free again once the first run ended
        assert len(runs_of("sample_jobs.wait")) == 2


def hold_lock_in_another_process(app, job_name):
    """Start a process that takes ``job_name``'s lock and keeps it until killed."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from core.jobs.locks import JOB_NAMESPACE, advisory_keys, job_lock
        lock = job_lock({app.config["SQLALCHEMY_DATABASE_URI"]!r}, {app.instance_path!r},
                        {job_name!r})
        print("locked" if lock.acquire() else "busy", flush=True)
        time.sleep(600)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_a_job_locked_by_another_process_is_refused_until_that_process_dies(jobs_app):
    holder = hold_lock_in_another_process(jobs_app, "sample_jobs.count")
    try:
        with jobs_app.app_context(), pytest.raises(JobAlreadyRunning):
            run_job("sample_jobs.count")
    finally:
        holder.kill()
        holder.wait(30)

    with jobs_app.app_context():
        assert run_job("sample_jobs.count").status == "succeeded"


def test_a_run_left_running_by_a_dead_process_is_marked_failed_by_the_next_run(jobs_app):
    with jobs_app.app_context():
        db.session.add(JobRun(job_name="sample_jobs.count", trigger="schedule", status="running"))
        db.session.commit()

        run_job("sample_jobs.count")

        orphan, latest = runs_of("sample_jobs.count")
        assert orphan.status == "failed"
        assert orphan.error.startswith("interrupted")
        assert latest.status == "succeeded"


def advisory_locks_of(app, job_name):
    """How many sessions hold the advisory lock of ``job_name`` in the test database."""
    key1, key2 = advisory_keys(JOB_NAMESPACE, job_name)
    with app.app_context():
        held = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid::bigint = :key1 AND objid::bigint = :key2 AND objsubid = 2"
            ),
            {"key1": key1 % 2**32, "key2": key2 % 2**32},
        )
        db.session.rollback()
    return held


@pytest.mark.postgres
def test_on_postgresql_the_job_lock_is_an_advisory_lock_of_the_running_session(jobs_app):
    thread, _ = start_waiting_job(jobs_app)
    try:
        assert advisory_locks_of(jobs_app, "sample_jobs.wait") == 1
        lock = job_lock(
            jobs_app.config["SQLALCHEMY_DATABASE_URI"], jobs_app.instance_path, "sample_jobs.wait"
        )
        assert lock.acquire() is False
    finally:
        sample_jobs.GATE.set()
        thread.join(60)

    assert advisory_locks_of(jobs_app, "sample_jobs.wait") == 0  # really closed, not pooled


def test_on_sqlite_the_job_lock_is_a_file_in_the_instance_folder(jobs_app):
    if on_postgres():
        pytest.skip("SQLite only: PostgreSQL uses advisory locks")
    thread, _ = start_waiting_job(jobs_app)
    try:
        locks = list((Path(jobs_app.instance_path) / "locks").glob("aftersales.job-*.lock"))
        assert [p.name.startswith("aftersales.job-sample_jobs.wait") for p in locks] == [True]
    finally:
        sample_jobs.GATE.set()
        thread.join(60)


# --- Schedules ---------------------------------------------------------------------------------

MONDAY = datetime.datetime(2026, 11, 2, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def next_fire(expression, after=MONDAY, zone="Asia/Shanghai"):
    trigger = apscheduler_trigger(parse_crontab(expression), zone)
    return trigger.get_next_fire_time(None, after)


def test_crontab_day_zero_and_seven_are_sunday_as_in_cron():
    assert next_fire("0 9 * * 0").strftime("%A %H:%M") == "Sunday 09:00"
    assert next_fire("0 9 * * 7").strftime("%A %H:%M") == "Sunday 09:00"
    assert next_fire("0 9 * * 1-5", after=MONDAY).strftime("%A") == "Tuesday"
    assert next_fire("0 9 * * sat").strftime("%A") == "Saturday"


@pytest.mark.parametrize(
    "expression, rule",
    [
        ("0 3 * *", "5 fields"),
        ("0 3 1 * 1", "both day of month and day of week"),
        ("61 3 * * *", "not a valid crontab"),
        ("0 3 * * 8", "day of week"),
    ],
)
def test_bad_crontabs_are_refused_naming_the_rule(expression, rule):
    with pytest.raises(ScheduleError, match=rule):
        parse_crontab(expression)


def test_scheduler_schedules_each_crontab_job_in_the_company_time_zone(make_app):
    app = make_app(
        plugins=["sample_jobs"],
        packages=PACKAGES,
        config={"SCHEDULER_ENABLED": True, "COMPANY_TIME_ZONE": "Europe/Paris"},
    )
    handle = start_scheduler(app)
    try:
        assert handle.is_leader
        jobs = handle.scheduled_jobs()
        assert {"core.prune_job_runs", "sample_alpha.tidy", "sample_jobs.count"} <= set(jobs)
        # on-demand jobs and the job with an impossible crontab are not scheduled
        assert not {"sample_jobs.fail", "sample_jobs.bad_schedule"} & set(jobs)
        with app.app_context():
            assert set(jobs) == {
                name for name, spec in registered_jobs().items() if spec.schedule
            } - {"sample_jobs.bad_schedule"}
        tidy = jobs["sample_alpha.tidy"]
        assert str(tidy.trigger.timezone) == "Europe/Paris"
        assert (
            tidy.trigger.get_next_fire_time(None, MONDAY)
            .astimezone(ZoneInfo("Europe/Paris"))
            .strftime("%Y-%m-%d %H:%M")
            == "2026-11-03 03:00"
        )
        count = jobs["sample_jobs.count"].trigger.get_next_fire_time(
            None, datetime.datetime(2026, 11, 6, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
        )
        assert count.strftime("%A %H:%M") == "Monday 02:30"  # not on the weekend
        assert tidy.coalesce is True
        assert tidy.max_instances == 1
    finally:
        handle.stop()


def test_scheduler_uses_shanghai_time_by_default(make_app):
    app = make_app(plugins=["sample_alpha"], packages=PACKAGES)
    handle = start_scheduler(app, force=True)
    try:
        assert str(handle.scheduled_jobs()["sample_alpha.tidy"].trigger.timezone) == (
            "Asia/Shanghai"
        )
    finally:
        handle.stop()


def test_scheduler_follows_the_time_zone_set_on_the_company_screen(make_app):
    company = pytest.importorskip("core.company.service")
    app = make_app(plugins=["sample_alpha"], packages=PACKAGES)
    with app.app_context():
        company.update_company_settings(db.session, time_zone="America/New_York")
        db.session.commit()
    handle = start_scheduler(app, force=True)
    try:
        tidy = handle.scheduled_jobs()["sample_alpha.tidy"]
        assert str(tidy.trigger.timezone) == "America/New_York"
    finally:
        handle.stop()


def test_scheduler_does_not_start_when_disabled_or_when_celery_schedules(make_app):
    app = make_app(plugins=["sample_alpha"], packages=PACKAGES)
    assert start_scheduler(app) is None  # SCHEDULER_ENABLED is false in tests
    celery_app = make_app(
        plugins=["sample_alpha"],
        packages=PACKAGES,
        config={"SCHEDULER_ENABLED": True, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"},
    )
    assert start_scheduler(celery_app) is None


@pytest.fixture
def two_schedulers(make_app):
    """Two apps' schedulers started one after the other (the first leads), and the first app."""
    first_app = make_app(plugins=["sample_alpha"], packages=PACKAGES)
    second_app = make_app(plugins=["sample_alpha"], packages=PACKAGES)
    first = start_scheduler(first_app, force=True)
    second = start_scheduler(second_app, force=True)
    try:
        assert (first.is_leader, second.is_leader) == (True, False)
        yield first, second, first_app
    finally:
        first.stop()
        second.stop()


def test_only_one_of_two_schedulers_schedules_and_the_other_takes_over(two_schedulers):
    first, second, _ = two_schedulers
    assert "sample_alpha.tidy" in first.scheduled_jobs()
    assert second.scheduled_jobs() == {}
    assert second.tick() is False  # retrying while the first one lives changes nothing

    first.stop()

    assert second.tick() is True
    assert "sample_alpha.tidy" in second.scheduled_jobs()


@pytest.mark.postgres
def test_when_the_leaders_database_session_dies_another_scheduler_takes_over(two_schedulers):
    first, second, first_app = two_schedulers
    with first_app.app_context():
        db.session.execute(
            text("SELECT pg_terminate_backend(:pid)"), {"pid": first._lock.backend_pid}
        )
        db.session.commit()

    assert second.tick() is True
    assert first.tick() is False  # it notices it lost the lock and stops scheduling
    assert first.scheduled_jobs() == {}
    assert "sample_alpha.tidy" in second.scheduled_jobs()


def test_a_scheduled_run_is_recorded_as_triggered_by_the_schedule(make_app):
    app = make_app(plugins=["sample_alpha"], packages=PACKAGES)
    handle = start_scheduler(app, force=True)
    try:
        handle.scheduled_jobs()["sample_alpha.tidy"].func("sample_alpha.tidy")
    finally:
        handle.stop()
    with app.app_context():
        assert [(r.trigger, r.status) for r in runs_of("sample_alpha.tidy")] == [
            ("schedule", "succeeded")
        ]


# --- The Jobs screen ---------------------------------------------------------------------------


def login(app, client, *roles):
    with app.app_context():
        user = create_user(app, list(roles))
    response = client.post("/login/", data={"username": user.username, "password": "s3cret-pass"})
    assert response.status_code == 302


def test_jobs_screen_and_history_need_permission(jobs_app):
    client = jobs_app.test_client()
    assert client.get("/jobs/").status_code == 302  # to the login page
    assert client.get("/jobruns/list/").status_code == 302

    login(jobs_app, client, "Alpha User")
    for url in ("/jobs/", "/jobruns/list/"):
        response = client.get(url, follow_redirects=True)
        assert "sample_jobs.count" not in response.text
    response = client.post("/jobs/run", data={"name": "sample_jobs.add_note"})
    assert response.status_code in (302, 403)
    assert wait_for_background_jobs(timeout=60)
    with jobs_app.app_context():
        assert runs_of("sample_jobs.add_note") == []


def test_jobs_screen_lists_jobs_with_schedule_and_last_run(jobs_app):
    with jobs_app.app_context():
        run_job("sample_jobs.fail")
    client = jobs_app.test_client()
    login(jobs_app, client, "Admin")

    page = client.get("/jobs/")

    assert page.status_code == 200
    assert "sample_alpha.tidy" in page.text
    assert "0 3 * * *" in page.text
    assert "Tidy the notes" in page.text
    assert "RuntimeError: printer on fire" in page.text
    assert "Asia/Shanghai" in page.text


def test_run_now_runs_the_job_in_the_background(jobs_app):
    client = jobs_app.test_client()
    login(jobs_app, client, "Admin")

    response = client.post("/jobs/run", data={"name": "sample_jobs.add_note"})

    assert response.status_code == 302
    assert wait_for_background_jobs(timeout=60)
    with jobs_app.app_context():
        (run,) = runs_of("sample_jobs.add_note")
        assert (run.trigger, run.status) == ("manual", "succeeded")
        assert note_titles() == ["from a job"]
    assert "succeeded" in client.get("/jobs/").text


def test_run_now_refuses_an_unknown_job_and_a_running_one(jobs_app):
    client = jobs_app.test_client()
    login(jobs_app, client, "Admin")

    assert client.post("/jobs/run", data={"name": "nosuch"}).status_code == 404

    thread, _ = start_waiting_job(jobs_app)
    try:
        assert client.post("/jobs/run", data={"name": "sample_jobs.wait"}).status_code == 409
    finally:
        sample_jobs.GATE.set()
        thread.join(60)


def test_run_now_needs_the_csrf_token(make_app):
    app = make_app(plugins=["sample_jobs"], packages=PACKAGES, config={"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    with app.app_context():
        user = create_user(app, ["Admin"])
    login_page = client.get("/login/")
    client.post(
        "/login/",
        data={
            "username": user.username,
            "password": "s3cret-pass",
            "csrf_token": csrf_token_from(login_page.text),
        },
    )

    refused = client.post("/jobs/run", data={"name": "sample_jobs.add_note"})
    token = csrf_token_from(client.get("/jobs/").text)
    accepted = client.post("/jobs/run", data={"name": "sample_jobs.add_note", "csrf_token": token})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert wait_for_background_jobs(timeout=60)
    with app.app_context():
        assert len(runs_of("sample_jobs.add_note")) == 1


def test_run_history_is_read_only_and_newest_first(jobs_app):
    with jobs_app.app_context():
        run_job("sample_alpha.tidy")
        run_job("sample_jobs.count")
    client = jobs_app.test_client()
    login(jobs_app, client, "Admin")

    page = client.get("/jobruns/list/")

    assert page.status_code == 200
    assert page.text.index("sample_jobs.count") < page.text.index("sample_alpha.tidy")
    assert client.get("/jobruns/add").status_code == 404
    assert client.post("/jobruns/delete/1").status_code in (404, 405)
