"""Finding, choosing, ordering and loading plugins, and the one facade over their hooks.

* :func:`discover` lists installed plugins from the ``aftersales.plugins`` entry points.
* :func:`resolve` turns a requested set into the enabled set: closed over ``depends``,
  glue plugins added, sorted in dependency order, every problem reported at once.
* :func:`build_plugin_manager` registers core's own hook modules and the enabled plugins.
* :class:`PluginHooks` is how the rest of core calls hooks.
"""

from __future__ import annotations

import graphlib
import importlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from core import hookspecs
from core.hooks import PROJECT_NAME
from core.manifest import Manifest, ManifestError, manifest_from_module

if TYPE_CHECKING:
    import datetime

    import click
    from flask import Flask
    from flask_appbuilder import AppBuilder
    from sqlalchemy.orm import Session

    from core.contributions import (
        DashboardWidget,
        DocumentSection,
        JobSpec,
        RelatedPanel,
        RoleSpec,
        RowRule,
    )
    from core.events import Event

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "aftersales.plugins"

# Core's own features are written as hook implementations too (datasette does the same), so
# they reach the app through exactly the same doors as a plugin's.
CORE_HOOK_MODULES: list[str] = [
    "core.modules.hooks",
    "core.scaffold.hooks",
    "core.security.hooks",
    "core.demo.hooks",
    "core.migrate.hooks",
    "core.dashboard.hooks",
    "core.jobs.hooks",
    "core.services_hooks",
    "core.audit.hooks",
    "core.company.hooks",
    "core.notifications.hooks",
]


class PluginConfigError(RuntimeError):
    """The requested plugins cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Cannot load the requested plugins:\n" + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass
class InstalledPlugin:
    """An installed plugin: its manifest and how to import its hook module."""

    manifest: Manifest
    hook_module: str

    @property
    def name(self) -> str:
        """The plugin's name (its manifest's)."""
        return self.manifest.name

    def load_hooks(self) -> ModuleType:
        """Import the plugin's ``plugin.py`` (only done for enabled plugins)."""
        return importlib.import_module(self.hook_module)


@dataclass
class Registry:
    """Installed plugins by name, plus the problems met while reading them."""

    plugins: dict[str, InstalledPlugin] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def manifests(self) -> dict[str, Manifest]:
        """Installed manifests by name."""
        return {name: p.manifest for name, p in self.plugins.items()}


def discover(extra: Iterable[InstalledPlugin] = ()) -> Registry:
    """Read every plugin declared in the ``aftersales.plugins`` entry-point group.

    Only the package holding the manifest is imported, not the plugin's hooks, so listing
    plugins stays cheap. ``extra`` adds plugins that are not installed (tests use it).
    """
    registry = Registry()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        package = ep.module.rpartition(".")[0] or ep.module
        try:
            manifest = manifest_from_module(importlib.import_module(package))
        except (ImportError, ManifestError) as exc:
            registry.problems.append(f"plugin {ep.name!r} cannot be read: {exc}")
            continue
        if manifest.name != ep.name:
            registry.problems.append(
                f"entry point {ep.name!r} points to a plugin whose manifest says {manifest.name!r}"
            )
            continue
        registry.plugins[manifest.name] = InstalledPlugin(manifest, ep.module)
    for plugin in extra:
        registry.plugins[plugin.name] = plugin
    return registry


def installed_from_package(package: str) -> InstalledPlugin:
    """An :class:`InstalledPlugin` for a package that has ``MANIFEST`` and ``plugin.py``."""
    manifest = manifest_from_module(importlib.import_module(package))
    return InstalledPlugin(manifest, f"{package}.plugin")


def resolve(
    manifests: Mapping[str, Manifest],
    requested: Iterable[str] | None,
    core_version: str,
    blocked: Iterable[str] = (),
) -> list[Manifest]:
    """Return the manifests to enable, dependencies first.

    ``requested=None`` means every installed plugin. The set is closed over ``depends``; glue
    plugins (``auto_install``) join once all they depend on is in. Unknown or blocked
    plugins, missing dependencies, version clashes and cycles raise one
    :class:`PluginConfigError` that lists every problem.
    """
    blocked = set(blocked)
    problems: list[str] = []
    wanted = sorted(manifests) if requested is None else sorted(set(requested))
    for name in wanted:
        if name not in manifests:
            problems.append(f"unknown plugin {name!r} (installed: {_names(manifests)})")
        elif name in blocked:
            problems.append(f"plugin {name!r} is blocked by BLOCKED_PLUGINS")

    chosen: set[str] = set()
    pending = [n for n in wanted if n in manifests and n not in blocked]
    while True:
        while pending:
            name = pending.pop()
            if name in chosen:
                continue
            chosen.add(name)
            for requirement in manifests[name].dependency_requirements():
                dep = manifests.get(requirement.name)
                if dep is None:
                    problems.append(
                        f"plugin {name!r} depends on {requirement.name!r}, which is not installed"
                    )
                elif requirement.name in blocked:
                    problems.append(
                        f"plugin {name!r} depends on {requirement.name!r}, which is blocked"
                    )
                elif requirement.specifier and not requirement.specifier.contains(
                    dep.version, prereleases=True
                ):
                    problems.append(
                        f"plugin {name!r} needs {requirement}, but {dep.name} {dep.version} "
                        "is installed"
                    )
                else:
                    pending.append(requirement.name)
        glue = [
            m.name
            for m in manifests.values()
            if m.auto_install
            and m.name not in chosen
            and m.name not in blocked
            and m.dependency_names
            and all(d in chosen for d in m.dependency_names)
        ]
        if not glue:
            break
        pending.extend(glue)

    for name in sorted(chosen):
        spec = manifests[name].requires_core
        if spec and not SpecifierSet(spec).contains(Version(core_version), prereleases=True):
            problems.append(f"plugin {name!r} requires core {spec}, this is core {core_version}")

    order: list[str] = []
    if not problems:
        sorter = graphlib.TopologicalSorter(
            {n: [d for d in manifests[n].dependency_names if d in chosen] for n in sorted(chosen)}
        )
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle = " -> ".join(exc.args[1])
            problems.append(f"plugins depend on each other in a cycle: {cycle}")
        else:
            while sorter.is_active():
                ready = sorted(sorter.get_ready())
                order.extend(ready)
                sorter.done(*ready)
    if problems:
        raise PluginConfigError(problems)
    return [manifests[n] for n in order]


def dependants(manifests: Mapping[str, Manifest], name: str, among: Iterable[str]) -> list[str]:
    """The plugins in ``among`` that depend on ``name``, directly or through others."""
    among = set(among)
    found: set[str] = set()
    frontier = [name]
    while frontier:
        current = frontier.pop()
        for other in among:
            if other not in found and current in manifests[other].dependency_names:
                found.add(other)
                frontier.append(other)
    return sorted(found)


def _names(manifests: Mapping[str, Manifest]) -> str:
    return ", ".join(sorted(manifests)) or "none"


def build_plugin_manager(
    registry: Registry, enabled: list[Manifest], extra_modules: Iterable[Any] = ()
) -> pluggy.PluginManager:
    """Create the pluggy manager: core's hook modules first, then plugins in dependency order.

    pluggy calls the most recently registered implementation first, so plugins are registered
    in reverse dependency order: a dependency's hooks then run before its dependants', and
    hook results come back in dependency order. (``get_hookimpls()`` lists them the other way
    round, which is why the facade reverses it where it calls implementations one by one.)
    """
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    modules: list[tuple[str, Any]] = [
        (f"core:{name}", importlib.import_module(name)) for name in CORE_HOOK_MODULES
    ]
    for manifest in enabled:
        modules.append((manifest.name, registry.plugins[manifest.name].load_hooks()))
    for index, module in enumerate(extra_modules):
        modules.append((f"extra:{index}", module))
    for _, module in modules:
        adder = getattr(module, "aftersales_add_hookspecs", None)
        if adder is not None:
            adder(pm=pm)
    for name, module in reversed(modules):
        pm.register(module, name=name)
    pm.check_pending()
    return pm


class PluginHooks:
    """Typed calls of every hook; the only place in core that touches ``pm.hook``."""

    def __init__(self, pm: pluggy.PluginManager, enabled: list[Manifest]) -> None:
        self.pm = pm
        self.enabled = enabled

    @property
    def enabled_names(self) -> list[str]:
        """Names of the enabled plugins, in dependency order."""
        return [m.name for m in self.enabled]

    def is_enabled(self, name: str) -> bool:
        """Whether plugin ``name`` is enabled in this app."""
        return name in self.enabled_names

    def config_defaults(self) -> dict[str, Any]:
        """Merged default settings of every plugin (dependencies first, dependants win)."""
        merged: dict[str, Any] = {}
        for part in self.pm.hook.aftersales_config_defaults():
            merged.update(part or {})
        return merged

    def models_by_owner(self) -> dict[str, list[type]]:
        """Model classes per owner: ``"core"`` or a plugin name."""
        owners: dict[str, list[type]] = {}
        impls = self.pm.hook.aftersales_models.get_hookimpls()
        for impl in impls:
            owner = "core" if impl.plugin_name.startswith("core:") else impl.plugin_name
            owners.setdefault(owner, []).extend(impl.function() or [])
        return owners

    def register_views(self, appbuilder: AppBuilder) -> None:
        """Let every plugin add its screens and menus."""
        self.pm.hook.aftersales_register_views(appbuilder=appbuilder)

    def register_apis(self, appbuilder: AppBuilder) -> None:
        """Let every plugin add its REST APIs."""
        self.pm.hook.aftersales_register_apis(appbuilder=appbuilder)

    def roles(self) -> list[RoleSpec]:
        """Every role declared by core and plugins, the permission sets they hold expanded.

        See :mod:`core.security.permission_sets`; a role or set naming a set it may not
        raises :class:`PluginConfigError`.
        """
        from core.security.permission_sets import expand_roles

        return expand_roles(
            self._owned(self.pm.hook.aftersales_roles),
            self._owned(self.pm.hook.aftersales_permission_sets),
            {manifest.name: manifest for manifest in self.enabled},
        )

    @staticmethod
    def _owned(hook: Any) -> list[tuple[str, Any]]:
        """``(plugin name, item)`` for every item the hook's implementations return."""
        return [
            (impl.plugin_name, item)
            for impl in reversed(hook.get_hookimpls())
            for item in (impl.function() or [])
        ]

    def row_rules(self) -> list[RowRule]:
        """Every row-visibility rule declared by core and plugins."""
        return _flatten(self.pm.hook.aftersales_row_rules())

    def related_panels(self) -> list[RelatedPanel]:
        """Every related-record panel, sorted by its ``order``."""
        panels = _flatten(self.pm.hook.aftersales_related_panels())
        return sorted(panels, key=lambda panel: panel.order)

    def dashboard_widgets(self) -> list[DashboardWidget]:
        """Every dashboard widget, sorted by its ``order``."""
        widgets = _flatten(self.pm.hook.aftersales_dashboard_widgets())
        return sorted(widgets, key=lambda w: (w.order, w.name))

    def app_ready(self, app: Flask) -> None:
        """Tell plugins the app is assembled."""
        self.pm.hook.aftersales_app_ready(app=app)

    def cli_commands(self, cli: click.Group) -> None:
        """Let plugins add commands to the ``aftersales`` CLI."""
        self.pm.hook.aftersales_cli_commands(cli=cli)

    def load_demo(self, session: Session, scale: int) -> None:
        """Create demo data, core and dependencies first."""
        for impl in reversed(self.pm.hook.aftersales_load_demo.get_hookimpls()):
            impl.function(session=session, scale=scale)

    def jobs(self) -> list[JobSpec]:
        """Every background job of core and the enabled plugins."""
        return _flatten(self.pm.hook.aftersales_jobs())

    def on_event(self, session: Session, event: Event) -> None:
        """Deliver an event to the in-transaction handlers."""
        self.pm.hook.aftersales_on_event(session=session, event=event)

    def after_commit(self, event: Event) -> None:
        """Deliver an event to the after-commit handlers, logging (not raising) errors."""
        for impl in reversed(self.pm.hook.aftersales_after_commit.get_hookimpls()):
            try:
                impl.function(event=event)
            except Exception:  # the data is committed; a failed side effect must not undo it
                log.exception("after-commit handler of %s failed for %r", impl.plugin_name, event)

    def document_sections(
        self,
        document: str,
        subject: Any,
        period_start: datetime.date | None = None,
        period_end: datetime.date | None = None,
    ) -> list[DocumentSection]:
        """The sections every plugin contributes to ``document``, in their order."""
        sections = []
        for impl in reversed(self.pm.hook.aftersales_document_sections.get_hookimpls()):
            for section in (
                impl.function(
                    document=document,
                    subject=subject,
                    period_start=period_start,
                    period_end=period_end,
                )
                or []
            ):
                sections.append(
                    section if section.source else _with_source(section, impl.plugin_name)
                )
        return sorted(sections, key=lambda s: s.order)


def _flatten(results: Iterable[Iterable[Any] | None]) -> list[Any]:
    return [item for result in results for item in (result or [])]


def _with_source(section: DocumentSection, source: str) -> DocumentSection:
    from dataclasses import replace

    return replace(section, source=source)
