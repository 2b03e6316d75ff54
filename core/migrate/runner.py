"""Running the migrations of core and of each enabled plugin, each with its own history.

Every *component* (``"core"`` or a plugin name) has its own Alembic folder, its own version
table (``alembic_version_<component>``) and sees only its own tables: core owns ``core_*`` and
Flask-AppBuilder's ``ab_*``, plugin ``x`` owns ``x_*``. Core is upgraded first, then the
enabled plugins in dependency order. A disabled plugin is simply left alone: its tables, rows
and version table stay, and it continues from there once enabled again.
"""

from __future__ import annotations

import shutil
import sys
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app
from sqlalchemy import Connection, Engine

from core.database import CORE_OWNER, table_owner
from core.extensions import db
from core.migrate.env import version_table
from core.runtime import runtime

CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
ENV_PY = "from core.migrate.env import run_migrations\n\nrun_migrations()\n"
HEADS = ("head", "heads")
_LOCK_KEY = zlib.crc32(b"aftersales.migrations")


class MigrationError(ValueError):
    """A migration request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Component:
    """Core or one enabled plugin, as far as migrations are concerned."""

    name: str
    folder: Path

    @property
    def has_migrations(self) -> bool:
        """Whether the component has an Alembic folder (``migrations/env.py``)."""
        return (self.folder / "env.py").is_file()

    @property
    def version_table(self) -> str:
        """``alembic_version_<name>``."""
        return version_table(self.name)


@dataclass
class UpgradeResult:
    """What :func:`upgrade` did to one component."""

    component: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    applied: list[tuple[str, str]] = field(default_factory=list)
    skipped: str | None = None

    def describe(self) -> str:
        """One line for the CLI: what was applied, or why nothing was."""
        if self.skipped:
            return f"{self.component}: skipped, {self.skipped}"
        if not self.applied:
            return f"{self.component}: up to date at {_show(self.after)}"
        steps = ", ".join(f"{rev} ({message})" if message else rev for rev, message in self.applied)
        return f"{self.component}: applied {steps}; now at {_show(self.after)}"


def _show(revisions: Sequence[str]) -> str:
    return ", ".join(revisions) or "base (no revision)"


def owner_of(table_name: str, plugin_names: Sequence[str] | set[str]) -> str | None:
    """The component owning ``table_name`` (see :func:`core.database.table_owner`); Alembic's
    version tables belong to nobody."""
    if table_name.startswith("alembic_version"):
        return None
    return table_owner(table_name, plugin_names)


class TableFilter:
    """Alembic ``include_name``/``include_object`` hooks that show one component its tables."""

    def __init__(self, component: str, plugin_names: Sequence[str] | set[str]) -> None:
        self.component = component
        self.plugin_names = set(plugin_names)

    def owns(self, table_name: str) -> bool:
        """Whether ``table_name`` belongs to this filter's component."""
        return owner_of(table_name, self.plugin_names) == self.component

    def include_name(self, name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        """Reflect only this component's tables from the database."""
        if type_ == "table":
            return name is not None and self.owns(name)
        table_name = parent_names.get("table_name")
        return table_name is None or self.owns(table_name)

    def include_object(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        """Compare only this component's tables (and their columns, indexes, constraints)."""
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or self.owns(table.name)


@contextmanager
def _app_context(app: Flask | None) -> Iterator[Flask]:
    """``app``'s context: the active one when it is ``app``'s (same session), else a new one."""
    active = current_app._get_current_object() if current_app else None  # type: ignore[attr-defined]
    if app is None or app is active:
        yield active if app is None else app
    else:
        with app.app_context():
            yield app


@contextmanager
def _reading_connection() -> Iterator[Connection]:
    """The session's connection when it is inside a transaction (on SQLite a second
    connection would wait for the session's lock), else a fresh one, rolled back after."""
    if db.session().in_transaction():
        yield db.session.connection()
        return
    with db.engine.connect() as connection:
        try:
            yield connection
        finally:
            connection.rollback()


def components(app: Flask | None = None) -> list[Component]:
    """Core, then the enabled plugins in dependency order."""
    rt = runtime(app)
    found = [Component(CORE_OWNER, CORE_MIGRATIONS)]
    found += [Component(m.name, Path(m.path) / "migrations") for m in rt.enabled]
    return found


def _plugin_names(app: Flask | None = None) -> set[str]:
    """Every installed plugin, enabled or not: a disabled plugin still owns its tables."""
    rt = runtime(app)
    return set(rt.registry.plugins) | set(rt.enabled_names)


def _component(name: str, app: Flask | None = None) -> Component:
    for candidate in components(app):
        if candidate.name == name:
            return candidate
    names = ", ".join(c.name for c in components(app))
    raise MigrationError(f"component {name!r} is neither core nor an enabled plugin ({names})")


def _alembic_config(component: Component, connection: Connection, app: Flask) -> Config:
    config = Config()
    config.set_main_option("script_location", str(component.folder).replace("%", "%%"))
    config.set_main_option("revision_environment", "true")
    _add_format_hooks(config)
    config.attributes.update(
        component=component.name,
        connection=connection,
        metadata=db.metadata,
        filter=TableFilter(component.name, _plugin_names(app)),
        applied=[],
    )
    return config


def _add_format_hooks(config: Config) -> None:
    """Tidy written revisions with ruff when it is installed (a development tool)."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).is_file():
        return
    config.set_section_option("post_write_hooks", "hooks", "ruff_fix ruff_format")
    for name, options in (
        ("ruff_fix", "check --fix --quiet REVISION_SCRIPT_FILENAME"),
        ("ruff_format", "format --quiet REVISION_SCRIPT_FILENAME"),
    ):
        config.set_section_option("post_write_hooks", f"{name}.type", "exec")
        config.set_section_option("post_write_hooks", f"{name}.executable", ruff)
        config.set_section_option("post_write_hooks", f"{name}.options", options)


def _script(component: Component) -> ScriptDirectory:
    return ScriptDirectory(str(component.folder))


def _current_heads(connection: Connection, component: Component) -> tuple[str, ...]:
    context = MigrationContext.configure(
        connection, opts={"version_table": component.version_table}
    )
    return tuple(sorted(context.get_current_heads()))


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for migrating: one migrator at a time on PostgreSQL; on SQLite foreign
    keys off while tables are rebuilt (batch mode), then checked before each commit."""
    with engine.connect() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({_LOCK_KEY})")
            connection.commit()
        elif dialect == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            yield connection
        finally:
            if connection.in_transaction():
                connection.rollback()
            if dialect == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_LOCK_KEY})")
                connection.commit()
            elif dialect == "sqlite":
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _check_sqlite_foreign_keys(connection: Connection, component: str) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        found = "; ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:10])
        raise MigrationError(
            f"migrations of {component} leave rows whose foreign keys point nowhere: {found}"
        )


def upgrade(
    app: Flask | None = None,
    target: str = "heads",
    only: Sequence[str] | None = None,
    sync_permissions: bool = True,
) -> list[UpgradeResult]:
    """Upgrade core, then every enabled plugin in dependency order, each in its own transaction.

    ``target`` is ``"heads"``, or a revision when ``only`` names exactly one component.
    Components without a ``migrations/`` folder are skipped (the result says so). Afterwards
    the roles and permissions that core and the plugins declare are created
    (``sync_permissions``). ``app`` defaults to the current app.
    """
    if target not in HEADS and (only is None or len(only) != 1):
        raise MigrationError(
            f"target {target!r} is a revision of one component: name it "
            "(--component NAME, or only=[NAME])"
        )
    with _app_context(app) as flask_app:
        if db.session().in_transaction():
            raise MigrationError(
                "the database session has an open transaction: commit or roll it back before "
                "upgrading (the migrations would wait for its locks)"
            )
        selected = components(flask_app)
        if only is not None:
            selected = [_component(name, flask_app) for name in only]
        results: list[UpgradeResult] = []
        with _migration_connection(db.engine) as connection:
            for component in selected:
                if not component.has_migrations:
                    results.append(
                        UpgradeResult(
                            component.name,
                            skipped=f"it has no migrations folder ({component.folder})",
                        )
                    )
                    continue
                config = _alembic_config(component, connection, flask_app)
                try:
                    with connection.begin():
                        before = _current_heads(connection, component)
                        command.upgrade(config, target)
                        _check_sqlite_foreign_keys(connection, component.name)
                        after = _current_heads(connection, component)
                except CommandError as exc:  # unknown revision, several heads...
                    raise MigrationError(f"{component.name}: {exc}") from exc
                applied = [
                    (step.up_revision_id, step.up_revision.doc or "")
                    for step in config.attributes["applied"]
                    if step.is_upgrade
                ]
                results.append(UpgradeResult(component.name, before, after, applied))
        if sync_permissions:
            _sync_permissions(flask_app)
        return results


def _sync_permissions(app: Flask) -> None:
    from core.security.roles import schema_ready, sync_roles_and_permissions

    if schema_ready():
        sync_roles_and_permissions(app.appbuilder, runtime(app).hooks.roles())  # type: ignore[attr-defined]
        db.session.commit()


def current_revisions(app: Flask | None = None) -> dict[str, str | None]:
    """The revision each component's database is at (``None``: never upgraded), core first.

    Several heads of one component are joined with ``","``.
    """
    with _app_context(app) as flask_app, _reading_connection() as connection:
        found: dict[str, str | None] = {}
        for component in components(flask_app):
            heads = _current_heads(connection, component)
            found[component.name] = ",".join(heads) or None
        return found


def pending_revisions(app: Flask | None = None) -> dict[str, list[str]]:
    """Per component with a migrations folder, the revisions not yet applied (oldest first);
    components that are up to date are left out."""
    with _app_context(app) as flask_app, _reading_connection() as connection:
        found: dict[str, list[str]] = {}
        for component in components(flask_app):
            if not component.has_migrations:
                continue
            script = _script(component)
            current = _current_heads(connection, component)
            waiting = [
                r.revision for r in script.iterate_revisions("heads", current or "base") if r
            ]
            if waiting:
                found[component.name] = list(reversed(waiting))
        return found


def head_revisions(app: Flask | None = None) -> dict[str, tuple[str, ...]]:
    """The head revision(s) of each component that has a migrations folder."""
    with _app_context(app) as flask_app:
        return {
            c.name: tuple(sorted(_script(c).get_heads()))
            for c in components(flask_app)
            if c.has_migrations
        }


def check_models_match(app: Flask | None = None) -> dict[str, list[Any]]:
    """Compare each component's models with the live database (Alembic autogenerate).

    Returns ``{component: [difference, ...]}`` for the components that differ (``{}`` when
    everything matches). Run it on a database upgraded to heads: a difference then means
    models and migrations disagree. Differences are Alembic's diff tuples, e.g.
    ``("add_table", Table(...))``; :func:`describe_difference` makes them readable.
    """
    with _app_context(app) as flask_app, _reading_connection() as connection:
        plugin_names = _plugin_names(flask_app)
        found: dict[str, list[Any]] = {}
        for component in components(flask_app):
            table_filter = TableFilter(component.name, plugin_names)
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": table_filter.include_name,
                    "include_object": table_filter.include_object,
                    "version_table": component.version_table,
                },
            )
            differences = compare_metadata(context, db.metadata)
            if differences:
                found[component.name] = differences
        return found


def describe_difference(difference: Any) -> str:
    """A readable line for one of Alembic's diff entries."""
    if isinstance(difference, list):  # column modifications come grouped
        return "; ".join(describe_difference(d) for d in difference)
    kind, *rest = difference
    if kind in ("add_table", "remove_table"):
        return f"{kind} {rest[0].name}"
    if kind in ("add_column", "remove_column"):
        return f"{kind} {rest[1]}.{rest[2].name}"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        obj = rest[0]
        table = getattr(getattr(obj, "table", None), "name", "?")
        return f"{kind} {obj.name or '(unnamed)'} on {table}"
    if kind in ("add_fk", "remove_fk"):
        obj = rest[0]
        return f"{kind} {obj.name or '(unnamed)'} on {obj.parent.name}"
    if kind.startswith("modify_"):
        _, table, column, _existing, old, new = rest
        return f"{kind} {table}.{column}: {old!r} -> {new!r}"
    return " ".join(str(part) for part in difference)


def init_migrations(folder: Path) -> Path:
    """Create an empty Alembic folder (``env.py``, ``script.py.mako``, ``versions/``)."""
    (folder / "versions").mkdir(parents=True, exist_ok=True)
    env = folder / "env.py"
    if not env.exists():
        env.write_text(ENV_PY)
    mako = folder / "script.py.mako"
    if not mako.exists():
        shutil.copyfile(CORE_MIGRATIONS / "script.py.mako", mako)
    return folder


def make_revision(
    component: str,
    message: str,
    autogenerate: bool = True,
    rev_id: str | None = None,
    app: Flask | None = None,
) -> Path | None:
    """Write a new revision into ``component``'s ``migrations/versions`` folder.

    With ``autogenerate`` the revision holds what separates the component's models from the
    database, which must be upgraded to the component's heads first; when nothing does,
    nothing is written and ``None`` is returned. A plugin without a migrations folder gets one.
    Returns the path of the new file.
    """
    with _app_context(app) as flask_app:
        target = _component(component, flask_app)
        if not target.has_migrations:
            init_migrations(target.folder)

        def skip_empty(_context: Any, _revision: Any, directives: list[Any]) -> None:
            if autogenerate and directives and directives[0].upgrade_ops.is_empty():
                directives[:] = []

        with _reading_connection() as connection:
            if not connection.in_transaction():
                connection.begin()  # only reads; rolled back
            config = _alembic_config(target, connection, flask_app)
            try:
                script = command.revision(
                    config,
                    message=message,
                    autogenerate=autogenerate,
                    rev_id=rev_id,
                    process_revision_directives=skip_empty,
                )
            except CommandError as exc:
                if "not up to date" in str(exc):
                    raise MigrationError(
                        f"the database is not at {component}'s heads: run "
                        "'aftersales db upgrade' before generating a revision"
                    ) from exc
                raise MigrationError(str(exc)) from exc
        if isinstance(script, list):
            script = script[0] if script else None
        return Path(script.path) if script is not None else None
