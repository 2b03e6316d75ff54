"""Locks that serialise one piece of work across every process of a deployment until the
current transaction ends.

:func:`transaction_lock` is for work that reads, decides and writes, where two runs at the
same moment would both decide on the same data (drafting orders from the same needs, say).
On PostgreSQL it takes ``pg_advisory_xact_lock``, which waits for the holder and is released
by the transaction's commit or rollback. On SQLite every transaction of this project is
``BEGIN IMMEDIATE`` (see :mod:`core.database`): once the transaction has begun no other
writer runs, so beginning it is the lock.
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def _int4(value: int) -> int:
    """An unsigned 32-bit number as PostgreSQL's signed ``int4``."""
    return value - (1 << 32) if value >= (1 << 31) else value


def advisory_keys(namespace: str, name: str) -> tuple[int, int]:
    """The two ``int4`` keys of PostgreSQL's two-key advisory lock functions for ``name``."""
    return _int4(zlib.crc32(namespace.encode())), _int4(zlib.crc32(name.encode()))


def transaction_lock(session: Session, namespace: str, name: str) -> None:
    """Wait until no other transaction holds the lock ``(namespace, name)``, then hold it
    until ``session``'s transaction ends."""
    connection = session.connection()  # begins the transaction (BEGIN IMMEDIATE on SQLite)
    if connection.dialect.name == "postgresql":
        key1, key2 = advisory_keys(namespace, name)
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key1, :key2)"), {"key1": key1, "key2": key2}
        )
