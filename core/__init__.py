"""AfterSales core: the small platform every plugin stands on.

This module stays light (no Flask import) so that plugins can ``from core import hookimpl``
and the plugin list can be read cheaply.
"""

from typing import TYPE_CHECKING, Any

from core.hooks import hookimpl, hookspec
from core.manifest import Manifest

__version__ = "0.1.0"
__all__ = ["Manifest", "__version__", "create_app", "hookimpl", "hookspec"]

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> "Flask":
    """Build the AfterSales Flask app (see :func:`core.app.create_app`)."""
    from core.app import create_app as _create_app

    return _create_app(overrides)
