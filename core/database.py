"""Engine settings and schema ownership: which tables belong to core and to each plugin."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, MetaData, Table, event, inspect

from core.extensions import db

CORE_OWNER = "core"
# Flask-AppBuilder's security tables are created and migrated by core.
CORE_TABLE_PREFIXES = ("core_", "ab_")


def engine_options(url: str) -> dict[str, Any]:
    """SQLAlchemy engine options for ``url``.

    SQLite gets a 30 s busy timeout; WAL and ``BEGIN IMMEDIATE`` are set per connection by
    :func:`_sqlite_on_connect` so that concurrent writers wait instead of failing.
    """
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def table_owner(table_name: str, plugin_names: Iterable[str] = ()) -> str | None:
    """Who owns ``table_name``: ``"core"`` (``core_*`` and FAB's ``ab_*``), the plugin whose
    ``<name>_`` prefix is the longest match (``maintenance_stock_x`` belongs to
    ``maintenance_stock``, not ``maintenance``), or ``None``."""
    if table_name.startswith(CORE_TABLE_PREFIXES):
        return CORE_OWNER
    matches = [name for name in plugin_names if table_name.startswith(f"{name}_")]
    return max(matches, key=len) if matches else None


def owned_tables(
    owner: str, plugin_names: Iterable[str] = (), metadata: MetaData | None = None
) -> list[Table]:
    """The tables of ``metadata`` (default: every model's) that belong to ``owner``.

    ``plugin_names`` are the other plugins that may share a prefix with ``owner``.
    """
    metadata = metadata if metadata is not None else db.metadata
    names = {*plugin_names, owner} - {CORE_OWNER}
    return [t for t in metadata.sorted_tables if table_owner(t.name, names) == owner]


def has_table(bind: Engine, name: str) -> bool:
    """Whether the database behind ``bind`` has table ``name``."""
    return inspect(bind).has_table(name)
