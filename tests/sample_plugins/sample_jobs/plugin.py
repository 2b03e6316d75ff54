"""Jobs of sample_jobs; the module-level events and lists let tests steer and observe them."""

import threading

from sample_alpha.models import AlphaNote
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from core.contributions import JobSpec
from core.hooks import hookimpl

GATE = threading.Event()  # the "wait" job runs until a test opens the gate
STARTED = threading.Event()  # set once the "wait" job is running
SEEN_LAST_SUCCESS = []  # what the "count" job was told about its last success
PEEKED = []  # the run record as another connection saw it while the "peek" job ran


def reset():
    GATE.clear()
    STARTED.clear()
    SEEN_LAST_SUCCESS.clear()
    PEEKED.clear()


def count(context):
    SEEN_LAST_SUCCESS.append((context.last_success, context.last_success_started))
    context.log("counting three items")
    for done in range(1, 4):
        context.progress(done, 3, f"item {done}")


def fail(context):
    context.session.add(AlphaNote(title="half-written"))
    context.session.flush()
    context.progress(1, 2, "first half")
    raise RuntimeError("printer on fire")


def wait(context):
    STARTED.set()
    if not GATE.wait(60):
        raise TimeoutError("the test never opened the gate")


def peek(context):
    context.progress(1, 3, "first third")
    url = context.session.get_bind().url.render_as_string(hide_password=False)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT status, progress_done, progress_total, message FROM core_job_run "
                    "WHERE id = :id"
                ),
                {"id": context.run_id},
            ).one()
            PEEKED.append(tuple(row))
    finally:
        engine.dispose()


def add_note(context):
    context.session.add(AlphaNote(title="from a job"))
    context.progress(1, 1, "one note")


@hookimpl
def aftersales_jobs():
    return [
        JobSpec("sample_jobs.count", count, "Count to three", schedule="30 2 * * 1-5"),
        JobSpec("sample_jobs.fail", fail, "Always fails"),
        JobSpec("sample_jobs.wait", wait, "Waits for the test"),
        JobSpec("sample_jobs.peek", peek, "Looks at its own run record"),
        JobSpec("sample_jobs.add_note", add_note, "Adds a note"),
        JobSpec("sample_jobs.bad_schedule", add_note, "Never scheduled", schedule="0 3 1 * 1"),
    ]
