"""What a running job receives: a session, progress reporting, a log and its history."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger("core.jobs")

# A job calling progress() in a tight loop is written to the database at most this often.
DEFAULT_PROGRESS_INTERVAL = 1.0
LOG_LIMIT = 20_000


class JobContext:
    """Handed to ``JobSpec.run(context)``.

    * ``session``: the database session (``core.extensions.db.session``). The runner commits
      it when the job returns and rolls it back when the job raises; a long job may commit
      after each batch so that a crash loses little and the next run resumes.
    * ``progress(done, total, message)``: how far the job got; printed on the console when
      run from the CLI and stored on the run record, visible on the Jobs screen while the job
      runs.
    * ``log(message)``: a line for the run's log (and the console, and Python's logging).
    * ``run_id``: the id of this run's ``core_job_run`` record.
    * ``last_success``: when this job last finished successfully (UTC), ``None`` if never;
      ``last_success_started`` is when that run started: everything older than it was seen
      by that run, so a job catching up can start from there.
    """

    def __init__(
        self,
        *,
        job_name: str,
        run_id: int,
        trigger: str,
        session: Session,
        last_success: datetime.datetime | None,
        last_success_started: datetime.datetime | None,
        store: Callable[[JobContext], None],
        echo: Callable[[str], None] | None = None,
        progress_interval: float = DEFAULT_PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_name = job_name
        self.run_id = run_id
        self.trigger = trigger
        self.session = session
        self.last_success = last_success
        self.last_success_started = last_success_started
        self.done = 0
        self.total: int | None = None
        self.message = ""
        self.log_lines: list[str] = []
        self._store = store
        self._echo = echo
        self._interval = progress_interval
        self._clock = clock
        self._stored_at: float | None = None
        self._dirty = False

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report that ``done`` of ``total`` items (``None``: unknown) are finished."""
        if done < 0 or (total is not None and total < 0):
            raise ValueError(f"progress: done ({done}) and total ({total}) must not be negative")
        self.done, self.total, self.message = done, total, message
        line = f"[{self.job_name}] {format_progress(done, total)}"
        if message:
            line += f" {message}"
        log.debug(line)
        if self._echo is not None:
            self._echo(line)
        self._dirty = True
        now = self._clock()
        finished = total is not None and done >= total
        if self._stored_at is None or finished or now - self._stored_at >= self._interval:
            self.flush()

    def log(self, message: str) -> None:
        """Add ``message`` to the run's log (the latest part is kept when it grows big)."""
        stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
        self.log_lines.append(f"{stamp} {message}")
        log.info("[%s] %s", self.job_name, message)
        if self._echo is not None:
            self._echo(f"[{self.job_name}] {message}")
        self._dirty = True
        self.flush()

    def log_text(self) -> str | None:
        """The log lines as one text, its latest ``LOG_LIMIT`` characters."""
        if not self.log_lines:
            return None
        return "\n".join(self.log_lines)[-LOG_LIMIT:]

    def flush(self) -> None:
        """Store the latest progress and log on the run record now, if anything changed."""
        if not self._dirty:
            return
        self._store(self)
        self._dirty = False
        self._stored_at = self._clock()


def format_progress(done: int, total: int | None) -> str:
    """``3/10 (30%)``, or ``3`` when the total is unknown."""
    if total:
        return f"{done}/{total} ({100 * done // total}%)"
    if total == 0:
        return f"{done}/0"
    return str(done)
