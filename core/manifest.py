"""A plugin's manifest: who it is and what it needs, readable without importing Flask."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class ManifestError(ValueError):
    """A manifest that cannot be used: the message names the plugin and the field."""


@dataclass(frozen=True)
class Manifest:
    """What a plugin declares in its package's ``MANIFEST``.

    ``depends`` must be enabled and load first; each entry is a name with an optional PEP 440
    version range (``"contracts>=0.2"``). ``optional`` plugins are used when enabled.
    ``auto_install`` glue plugins are enabled automatically once all their ``depends`` are.
    ``requires_core`` is a PEP 440 range the core version must satisfy.
    """

    name: str
    version: str
    label: str
    summary: str = ""
    depends: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    requires_core: str = ""
    auto_install: bool = False
    # Filled in by the loader: the package that holds the manifest and its folder.
    package: str = field(default="", compare=False)
    path: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depends", tuple(self.depends))
        object.__setattr__(self, "optional", tuple(self.optional))
        problems = self.problems()
        if problems:
            raise ManifestError(f"plugin {self.name!r}: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Every rule this manifest breaks, as readable sentences."""
        found = []
        if not NAME_PATTERN.match(self.name or ""):
            found.append(
                "name must be 2-40 lowercase letters, digits or '_', starting with a letter"
            )
        try:
            Version(self.version)
        except InvalidVersion:
            found.append(f"version {self.version!r} is not a PEP 440 version")
        if not self.label:
            found.append("label is required")
        for entry in self.depends:
            try:
                Requirement(entry)
            except InvalidRequirement:
                found.append(f"depends entry {entry!r} is not 'name' or 'name>=version'")
        if self.requires_core:
            try:
                SpecifierSet(self.requires_core)
            except InvalidSpecifier:
                found.append(f"requires_core {self.requires_core!r} is not a PEP 440 range")
        return found

    @property
    def dependency_names(self) -> tuple[str, ...]:
        """The names in ``depends``, without version ranges."""
        return tuple(Requirement(entry).name for entry in self.depends)

    def dependency_requirements(self) -> list[Requirement]:
        """``depends`` parsed as requirements (name plus optional version range)."""
        return [Requirement(entry) for entry in self.depends]

    @property
    def table_prefix(self) -> str:
        """Every table of this plugin starts with this prefix."""
        return f"{self.name}_"

    @property
    def migrations_path(self) -> Path | None:
        """The plugin's Alembic folder (``migrations/`` beside the manifest), if it has one."""
        folder = Path(self.path) / "migrations"
        return folder if (folder / "env.py").exists() else None

    @property
    def translations_path(self) -> Path | None:
        """The plugin's Babel catalogs folder (``translations/``), if it has one."""
        folder = Path(self.path) / "translations"
        return folder if folder.is_dir() else None

    @property
    def templates_path(self) -> Path | None:
        """The plugin's Jinja templates folder (``templates/``), if it has one."""
        folder = Path(self.path) / "templates"
        return folder if folder.is_dir() else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly view, used by ``/api/v1/modules`` and the CLI."""
        return {
            "name": self.name,
            "version": self.version,
            "label": self.label,
            "summary": self.summary,
            "depends": list(self.depends),
            "optional": list(self.optional),
            "requires_core": self.requires_core,
            "auto_install": self.auto_install,
        }


def manifest_from_module(module: ModuleType) -> Manifest:
    """Read ``MANIFEST`` from a plugin package (a :class:`Manifest` or a plain dict)."""
    raw = getattr(module, "MANIFEST", None)
    if raw is None:
        raise ManifestError(f"package {module.__name__!r} has no MANIFEST")
    if isinstance(raw, dict):
        raw = Manifest(**raw)
    if not isinstance(raw, Manifest):
        raise ManifestError(f"package {module.__name__!r}: MANIFEST must be a Manifest or dict")
    folder = str(Path(module.__file__ or "").parent)
    return Manifest(
        **{**raw.__dict__, "package": module.__name__, "path": folder}  # type: ignore[arg-type]
    )


def load_manifest(package: str) -> Manifest:
    """Import a plugin package (not its hooks) and return its manifest."""
    return manifest_from_module(importlib.import_module(package))
