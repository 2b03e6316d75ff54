"""Timing and SQL statement counting."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, event


@dataclass(frozen=True)
class Timing:
    """Latency figures of repeated calls, in milliseconds, and statements per call."""

    median_ms: float
    p95_ms: float
    statements: float


class StatementCounter:
    """Counts SQL statements sent through an engine while active."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _on_execute(self, *_args: object) -> None:
        self.count += 1

    @contextmanager
    def active(self) -> Iterator[StatementCounter]:
        """Count statements inside the ``with`` block."""
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._on_execute)


def measure(call: Callable[[], object], engine: Engine, repeat: int, warmup: int = 3) -> Timing:
    """Run ``call`` ``warmup`` times untimed, then ``repeat`` times timed."""
    for _ in range(warmup):
        call()
    durations = []
    counter = StatementCounter(engine)
    with counter.active():
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(round(0.95 * (len(durations) - 1))))]
    return Timing(statistics.median(durations), p95, counter.count / repeat)
