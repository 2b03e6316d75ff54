"""Cluster-wide locks: one run of a job at a time, one scheduler per cluster.

On PostgreSQL a lock is a session-level ``pg_try_advisory_lock`` held by a connection of its
own, taken from an engine with ``NullPool``: closing that connection really ends the database
session, so the lock goes with it, and a process that dies (or loses its connection) lets
another take over. With a pooled engine the connection would go back to the pool still
holding the lock. On SQLite (one machine) a lock is an OS file lock in the instance folder
(``filelock``), released by the OS when the process dies.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.locking import advisory_keys

log = logging.getLogger(__name__)

JOB_NAMESPACE = "aftersales.job"
SCHEDULER_NAMESPACE = "aftersales.scheduler"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class ClusterLock(Protocol):
    """A non-blocking lock shared by every process of one deployment."""

    def acquire(self) -> bool:
        """Take the lock if it is free; ``False`` (at once) when another holds it."""
        ...

    def release(self) -> None:
        """Give the lock back (safe to call when not held)."""
        ...

    def alive(self) -> bool:
        """Whether the lock is still held (a dropped database connection loses it)."""
        ...


def nullpool_engine(url: str) -> Engine:
    """One ``NullPool`` engine per database URL and process, for lock connections."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine(url, poolclass=NullPool)
            _engines[url] = engine
        return engine


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock on a dedicated, unpooled connection."""

    def __init__(self, url: str, namespace: str, name: str) -> None:
        self.url = url
        self.keys = advisory_keys(namespace, name)
        self.label = f"{namespace}:{name}"
        self._connection: Connection | None = None
        self._mutex = threading.Lock()

    def acquire(self) -> bool:
        """Take the lock if no other database session holds it."""
        with self._mutex:
            if self._connection is not None:
                return True
            connection = nullpool_engine(self.url).connect()
            try:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                got = connection.scalar(
                    text("SELECT pg_try_advisory_lock(:k1, :k2)"),
                    {"k1": self.keys[0], "k2": self.keys[1]},
                )
            except BaseException:
                connection.close()
                raise
            if not got:
                connection.close()
                return False
            self._connection = connection
            return True

    def release(self) -> None:
        """Unlock and close the connection (closing alone would release it too)."""
        with self._mutex:
            connection, self._connection = self._connection, None
            if connection is None:
                return
            try:
                connection.scalar(
                    text("SELECT pg_advisory_unlock(:k1, :k2)"),
                    {"k1": self.keys[0], "k2": self.keys[1]},
                )
            except SQLAlchemyError as exc:  # the connection is gone: so is the lock
                log.debug("unlock of %s failed: %s", self.label, exc)
            finally:
                connection.close()

    def alive(self) -> bool:
        """Whether the lock connection still answers (if it does not, the lock is lost)."""
        with self._mutex:
            if self._connection is None:
                return False
            try:
                self._connection.scalar(text("SELECT 1"))
            except SQLAlchemyError as exc:
                log.warning("lost the connection holding %s: %s", self.label, exc)
                with contextlib.suppress(SQLAlchemyError):
                    self._connection.close()
                self._connection = None
                return False
            return True

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL process id of the holding session (tests use it)."""
        if self._connection is None:
            return None
        return self._connection.scalar(text("SELECT pg_backend_pid()"))


class FileClusterLock:
    """An OS file lock in the instance folder: one machine, any number of processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: FileLock | None = None
        self._mutex = threading.Lock()

    def acquire(self) -> bool:
        """Take the file lock if no other process or thread holds it."""
        with self._mutex:
            if self._lock is not None:
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(self.path), thread_local=False, preserve_lock_file=True)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                return False
            self._lock = lock
            return True

    def release(self) -> None:
        """Release the file lock (safe to call when not held)."""
        with self._mutex:
            lock, self._lock = self._lock, None
            if lock is not None:
                lock.release(force=True)

    def alive(self) -> bool:
        """Whether this object holds the lock."""
        return self._lock is not None


def _slug(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80]
    return f"{safe}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def make_lock(
    database_url: str, instance_path: str | Path, namespace: str, name: str
) -> ClusterLock:
    """The right lock for the database: advisory on PostgreSQL, a file lock otherwise."""
    if database_url.startswith("postgresql"):
        return AdvisoryLock(database_url, namespace, name)
    folder = Path(instance_path) / "locks"
    return FileClusterLock(folder / f"{namespace}-{_slug(name)}.lock")


def job_lock(database_url: str, instance_path: str | Path, job_name: str) -> ClusterLock:
    """The lock that keeps two runs of ``job_name`` from overlapping."""
    return make_lock(database_url, instance_path, JOB_NAMESPACE, job_name)


def scheduler_lock(database_url: str, instance_path: str | Path) -> ClusterLock:
    """The lock that elects the one scheduler of the cluster."""
    return make_lock(database_url, instance_path, SCHEDULER_NAMESPACE, "leader")
