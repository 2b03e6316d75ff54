"""The per-app runtime state: which plugins this app was built with, and their hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from core.manifest import Manifest
    from core.plugins import PluginHooks, Registry


@dataclass
class Runtime:
    """What ``create_app`` decided: installed plugins, enabled ones, hooks, generation."""

    registry: Registry
    enabled: list[Manifest]
    hooks: PluginHooks
    generation: int
    choices: dict[str, bool] = field(default_factory=dict)
    configured: list[str] | None = None
    # The overrides ``create_app`` was called with, to build the same app again.
    overrides: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def enabled_names(self) -> list[str]:
        """Enabled plugin names, dependencies first."""
        return [m.name for m in self.enabled]


def runtime(app: Flask | None = None) -> Runtime:
    """The :class:`Runtime` of ``app`` (default: the current app)."""
    return (app or current_app).extensions["aftersales"]


def hooks(app: Flask | None = None) -> PluginHooks:
    """The hook facade of ``app`` (default: the current app)."""
    return runtime(app).hooks


def is_enabled(name: str, app: Flask | None = None) -> bool:
    """Whether plugin ``name`` is enabled in ``app``: guard calls into ``optional`` plugins."""
    return name in runtime(app).enabled_names
