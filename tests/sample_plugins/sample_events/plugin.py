"""Hooks of sample_events: log events in the transaction, record after-commit calls."""

from core.hooks import hookimpl
from sample_events.events import NoteRefused, NoteWritten, SideEffectBreaks
from sample_events.models import EventLog

# What after-commit handlers saw, in order (tests clear it).
AFTER_COMMIT: list[str] = []


@hookimpl
def aftersales_models():
    return [EventLog]


@hookimpl
def aftersales_on_event(session, event):
    if isinstance(event, NoteRefused):
        raise ValueError(f"note refused: {event.text}")
    if isinstance(event, NoteWritten | SideEffectBreaks):
        session.add(EventLog(line=f"sample_events:{event.text}"))


@hookimpl
def aftersales_after_commit(event):
    if isinstance(event, SideEffectBreaks):
        raise RuntimeError("the mail server is down")
    AFTER_COMMIT.append(f"sample_events:{event.name}:{event.text}")
