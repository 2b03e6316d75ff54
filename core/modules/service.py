"""Enabling and disabling plugins: the rules, the stored choices and the generation signal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from flask import Flask
from flask_babel import gettext
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from core import __version__
from core.database import has_table
from core.manifest import Manifest
from core.modules.models import ModuleChoice, ModuleGeneration
from core.plugins import PluginConfigError, dependants, resolve
from core.runtime import runtime
from core.timeutil import utcnow


class ModuleError(ValueError):
    """A module change that is refused; the message says why, naming the plugins."""


class UnknownModuleError(ModuleError, LookupError):
    """The named plugin is not installed."""


class UnchangedModuleError(ModuleError):
    """The plugin is already in the asked state (enabled, or disabled): nothing to do."""


@dataclass(frozen=True)
class StoredModuleState:
    """The admin's stored choices and the current generation counter."""

    choices: dict[str, bool]
    generation: int


def read_stored_state(engine: Engine) -> StoredModuleState:
    """Read choices and generation straight from the database (before any app exists).

    A database without the tables yet (never migrated) has no choices and generation 0.
    """
    if not has_table(engine, ModuleChoice.__tablename__):
        return StoredModuleState({}, 0)
    with Session(engine) as session:
        choices = {c.name: c.enabled for c in session.scalars(select(ModuleChoice))}
        generation = session.scalar(select(ModuleGeneration.generation)) or 0
    return StoredModuleState(choices, generation)


def read_generation(engine: Engine) -> int:
    """The current module generation, one tiny query (called per request by workers)."""
    with engine.connect() as connection:
        return connection.scalar(select(ModuleGeneration.generation)) or 0


def requested_plugins(
    installed: Iterable[str], configured: list[str] | None, choices: Mapping[str, bool]
) -> list[str]:
    """The plugins asked for: ``ENABLED_PLUGINS`` (``None``: all) adjusted by admin choices.

    Choices about plugins that are no longer installed are ignored (their data stays).
    """
    installed = set(installed)
    wanted = set(installed if configured is None else configured)
    wanted |= {n for n, on in choices.items() if on and n in installed}
    wanted -= {n for n, on in choices.items() if not on}
    return sorted(wanted)


def enabled_after_change(
    manifests: Mapping[str, Manifest],
    configured: list[str] | None,
    choices: Mapping[str, bool],
    name: str,
    enable: bool,
    blocked: Iterable[str] = (),
) -> list[Manifest]:
    """The enabled set that turning ``name`` on or off would give; refuses what breaks rules.

    Disabling a plugin that an enabled plugin depends on is refused with the dependants'
    names; enabling one whose dependencies cannot load is refused with the reasons.
    """
    if name not in manifests:
        raise UnknownModuleError(
            gettext(
                "unknown plugin %(name)s (installed: %(names)s)",
                name=repr(name),
                names=", ".join(sorted(manifests)),
            )
        )
    current = resolve(
        manifests, requested_plugins(manifests, configured, choices), __version__, blocked
    )
    current_names = [m.name for m in current]
    if not enable:
        if name not in current_names:
            raise UnchangedModuleError(
                gettext("plugin %(name)s is already disabled", name=repr(name))
            )
        users = [
            d for d in dependants(manifests, name, current_names) if not manifests[d].auto_install
        ]
        if users:
            raise ModuleError(
                gettext(
                    "cannot disable %(name)s: enabled plugins depend on it: %(names)s",
                    name=repr(name),
                    names=", ".join(users),
                )
            )
    elif name in current_names:
        raise UnchangedModuleError(gettext("plugin %(name)s is already enabled", name=repr(name)))
    new_choices = {**choices, name: enable}
    try:
        return resolve(
            manifests, requested_plugins(manifests, configured, new_choices), __version__, blocked
        )
    except PluginConfigError as exc:
        raise ModuleError(
            gettext(
                "cannot enable %(name)s: %(problems)s",
                name=repr(name),
                problems="; ".join(exc.problems),
            )
        ) from exc


def record_choice(session: Session, name: str, enable: bool | None, changed_by: str | None) -> None:
    """Record (or, with ``None``, forget) the admin's choice for ``name``; the caller commits."""
    choice = session.get(ModuleChoice, name)
    if enable is None:
        if choice is not None:
            session.delete(choice)
        return
    if choice is None:
        choice = ModuleChoice(name=name, enabled=enable)
        session.add(choice)
    choice.enabled = enable
    choice.changed_on = utcnow()
    choice.changed_by = changed_by


def bump_generation(session: Session) -> int:
    """Increase the module generation counter by one (creating the row on first use)."""
    result = session.execute(
        update(ModuleGeneration)
        .where(ModuleGeneration.id == 1)
        .values(generation=ModuleGeneration.generation + 1)
    )
    if result.rowcount == 0:
        session.add(ModuleGeneration(id=1, generation=1))
        session.flush()
        return 1
    return session.scalar(select(ModuleGeneration.generation).where(ModuleGeneration.id == 1))


def set_plugin_enabled(
    session: Session,
    manifests: Mapping[str, Manifest],
    configured: list[str] | None,
    name: str,
    enable: bool,
    changed_by: str | None,
    blocked: Iterable[str] = (),
    prepare: Callable[[list[str]], None] | None = None,
) -> list[str]:
    """Enable or disable plugin ``name`` for every worker; returns the new enabled names.

    Reads the stored choices afresh (another admin may have changed them), checks the rules
    and stores the choice. Then ``prepare(newly_enabled_names)`` runs (the views and CLI
    migrate the database of the plugins coming in); if it fails, the choice is put back and
    :class:`ModuleError` says why. Only then is the generation bumped, so no worker switches
    to a plugin set whose tables are missing. Data is never dropped.
    """
    choices = {c.name: c.enabled for c in session.scalars(select(ModuleChoice))}
    before = {
        m.name
        for m in resolve(
            manifests, requested_plugins(manifests, configured, choices), __version__, blocked
        )
    }
    new_enabled = enabled_after_change(manifests, configured, choices, name, enable, blocked)
    record_choice(session, name, enable, changed_by)
    session.commit()
    incoming = [m.name for m in new_enabled if m.name not in before]
    if prepare is not None and incoming:
        try:
            prepare(incoming)
        except Exception as exc:
            session.rollback()
            record_choice(session, name, choices.get(name), changed_by)
            session.commit()
            raise ModuleError(
                gettext(
                    "cannot enable %(name)s: preparing the database failed: %(error)s",
                    name=repr(name),
                    error=exc,
                )
            ) from exc
    bump_generation(session)
    session.commit()
    return [m.name for m in new_enabled]


def migrate_incoming(app: Flask) -> Callable[[list[str]], None]:
    """A ``prepare`` step that migrates the plugins coming in, on an app with the new set.

    Does nothing when ``MIGRATE_ON_ENABLE`` is false (tests build schemas with create_all).
    """

    def prepare(incoming: list[str]) -> None:
        if not app.config.get("MIGRATE_ON_ENABLE", True):
            return
        from core.app import create_app
        from core.migrate import upgrade

        fresh = create_app(runtime(app).overrides)
        upgrade(fresh, only=incoming)

    return prepare


def change_module(
    app: Flask, session: Session, name: str, enable: bool, changed_by: str | None
) -> list[str]:
    """Enable or disable ``name`` in ``app``'s deployment (the Modules screen and CLI)."""
    rt = runtime(app)
    return set_plugin_enabled(
        session,
        rt.registry.manifests(),
        rt.configured,
        name,
        enable,
        changed_by,
        app.config.get("BLOCKED_PLUGINS") or (),
        prepare=migrate_incoming(app),
    )
