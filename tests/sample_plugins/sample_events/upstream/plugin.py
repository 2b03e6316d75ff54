"""Hooks of sample_events_upstream: log events before its dependants do."""

from core.hooks import hookimpl
from sample_events.events import NoteWritten
from sample_events.models import EventLog
from sample_events.plugin import AFTER_COMMIT


@hookimpl
def aftersales_on_event(session, event):
    if isinstance(event, NoteWritten):
        session.add(EventLog(line=f"upstream:{event.text}"))
        session.flush()  # ids then show the order the handlers ran in


@hookimpl
def aftersales_after_commit(event):
    AFTER_COMMIT.append(f"upstream:{event.name}:{event.text}")
