"""Domain events: in-transaction handlers share the publisher's fate, after-commit ones wait."""

import logging
from dataclasses import dataclass
from typing import ClassVar

import pytest
from sample_events.events import NoteRefused, NoteWritten, SideEffectBreaks
from sample_events.models import EventLog
from sample_events.plugin import AFTER_COMMIT
from sqlalchemy import select

from core.events import Event, describe, events_published, pending_events, publish
from core.extensions import db
from core.hooks import hookimpl

PACKAGES = ["sample_events", "sample_events.upstream"]


@pytest.fixture
def events_app(make_app):
    app = make_app(plugins=["sample_events"], packages=PACKAGES)
    AFTER_COMMIT.clear()
    with app.app_context():
        yield app
    AFTER_COMMIT.clear()


def log_lines():
    db.session.expire_all()
    return list(db.session.scalars(select(EventLog.line).order_by(EventLog.id)))


def write_note(session, text, event_type=NoteWritten):
    """A tiny 'service': write a row of its own and publish what happened."""
    session.add(EventLog(line=f"publisher:{text}"))
    publish(session, event_type(text=text))


def test_handler_writes_commit_with_the_publisher(events_app):
    write_note(db.session, "a")
    db.session.commit()
    assert log_lines() == ["publisher:a", "upstream:a", "sample_events:a"]


def test_handler_writes_roll_back_with_the_publisher(events_app):
    write_note(db.session, "a")
    db.session.flush()
    db.session.rollback()
    assert log_lines() == []
    assert AFTER_COMMIT == []


def test_a_raising_handler_aborts_the_action_and_nothing_is_written(events_app):
    with pytest.raises(ValueError, match="note refused: b"):
        write_note(db.session, "b", NoteRefused)
    db.session.rollback()
    db.session.commit()
    assert log_lines() == []
    assert AFTER_COMMIT == []


def test_after_commit_handlers_run_only_once_committed(events_app):
    write_note(db.session, "c")
    db.session.flush()
    assert AFTER_COMMIT == []
    db.session.commit()
    assert AFTER_COMMIT == [
        "upstream:sample_events.note.written:c",
        "sample_events:sample_events.note.written:c",
    ]
    db.session.commit()  # a later commit does not deliver the event again
    assert len(AFTER_COMMIT) == 2


def test_after_commit_handlers_never_run_after_a_rollback(events_app):
    write_note(db.session, "d")
    db.session.rollback()
    db.session.commit()
    assert AFTER_COMMIT == []


def test_events_of_a_session_closed_without_commit_are_dropped(events_app):
    write_note(db.session, "e")
    db.session.remove()  # end of a request that did not commit
    db.session.commit()
    assert AFTER_COMMIT == []
    assert log_lines() == []


def test_events_of_a_rolled_back_savepoint_are_dropped(events_app):
    savepoint = db.session.begin_nested()
    write_note(db.session, "inner")
    savepoint.rollback()
    with db.session.begin_nested():
        write_note(db.session, "kept")
    assert AFTER_COMMIT == []  # releasing a savepoint is not the commit
    db.session.commit()
    assert log_lines() == ["publisher:kept", "upstream:kept", "sample_events:kept"]
    assert AFTER_COMMIT == [
        "upstream:sample_events.note.written:kept",
        "sample_events:sample_events.note.written:kept",
    ]


def test_an_event_published_before_any_other_work_is_delivered(events_app):
    db.session.commit()
    db.session.close()
    publish(db.session, NoteWritten(text="first"))
    db.session.commit()
    assert log_lines() == ["upstream:first", "sample_events:first"]
    assert len(AFTER_COMMIT) == 2


def test_a_failing_after_commit_handler_is_logged_not_raised(events_app, caplog):
    with caplog.at_level(logging.ERROR):
        write_note(db.session, "f", SideEffectBreaks)
        db.session.commit()  # does not raise
    assert log_lines() == ["publisher:f", "sample_events:f"]
    assert AFTER_COMMIT == ["upstream:sample_events.side_effect.breaks:f"]
    failure = [r for r in caplog.records if "after-commit handler" in r.getMessage()]
    assert failure and "the mail server is down" in failure[0].exc_text


def test_handlers_run_in_dependency_order_then_extra_modules(make_app):
    calls = []

    class Extra:
        @hookimpl
        def aftersales_on_event(self, session, event):
            calls.append(f"extra:{event.text}")
            session.add(EventLog(line=f"extra:{event.text}"))

        @hookimpl
        def aftersales_after_commit(self, event):
            calls.append(f"extra-after:{event.text}")

    app = make_app(
        plugins=["sample_events"], packages=PACKAGES, config={"EXTRA_HOOK_MODULES": [Extra()]}
    )
    AFTER_COMMIT.clear()
    with app.app_context():
        write_note(db.session, "g")
        db.session.commit()
        # "sample_events_upstream" sorts after "sample_events" but is its dependency: first
        assert log_lines() == ["publisher:g", "upstream:g", "sample_events:g", "extra:g"]
        assert AFTER_COMMIT == [
            "upstream:sample_events.note.written:g",
            "sample_events:sample_events.note.written:g",
        ]
        assert calls == ["extra:g", "extra-after:g"]


def test_after_commit_handler_may_use_the_session_again(make_app):
    class Mailer:
        @hookimpl
        def aftersales_after_commit(self, event):
            db.session.add(EventLog(line=f"outbox:{event.text}"))
            db.session.commit()

    app = make_app(
        plugins=["sample_events"], packages=PACKAGES, config={"EXTRA_HOOK_MODULES": [Mailer()]}
    )
    with app.app_context():
        write_note(db.session, "h")
        db.session.commit()
        assert log_lines() == ["publisher:h", "upstream:h", "sample_events:h", "outbox:h"]


def test_published_events_can_be_captured_and_described(events_app):
    with events_published(NoteWritten) as seen:
        write_note(db.session, "i")
        assert pending_events(db.session) == [NoteWritten(text="i")]
        with pytest.raises(ValueError):
            write_note(db.session, "j", NoteRefused)
    db.session.rollback()
    assert seen == [NoteWritten(text="i")]
    assert describe(seen[0]) == {"name": "sample_events.note.written", "text": "i"}


def test_events_are_frozen_and_only_events_are_published(events_app):
    @dataclass(frozen=True)
    class Pinged(Event):
        name: ClassVar[str] = "test.pinged"
        count: int

    event = Pinged(count=1)
    with pytest.raises(AttributeError):
        event.count = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="core.events.Event"):
        publish(db.session, {"name": "test.pinged"})  # type: ignore[arg-type]
