"""The events of sample_events."""

from dataclasses import dataclass
from typing import ClassVar

from core.events import Event


@dataclass(frozen=True)
class NoteWritten(Event):
    """A note was written; handlers log it in the same transaction."""

    name: ClassVar[str] = "sample_events.note.written"
    text: str


@dataclass(frozen=True)
class NoteRefused(Event):
    """An event whose in-transaction handler refuses the action."""

    name: ClassVar[str] = "sample_events.note.refused"
    text: str


@dataclass(frozen=True)
class SideEffectBreaks(Event):
    """An event whose after-commit handler fails."""

    name: ClassVar[str] = "sample_events.side_effect.breaks"
    text: str
