"""The WSGI entry point that follows module changes without a restart.

``gunicorn core.wsgi:application`` serves through :class:`ReloadingApp`: before a request it
reads the module generation (one tiny query, at most every ``MODULE_CHECK_INTERVAL``
seconds) and, when an admin changed the modules in any worker, builds a fresh app for the new
set. Requests already running finish on the app they started with.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.database import engine_options
from core.modules.service import read_generation
from core.runtime import runtime

log = logging.getLogger(__name__)


class ReloadingApp:
    """A WSGI app that rebuilds its Flask app when the module generation moves."""

    def __init__(
        self,
        factory: Callable[[], Flask],
        clock: Callable[[], float] = time.monotonic,
        on_build: Callable[[Flask], None] | None = None,
    ) -> None:
        self._factory = factory
        self._clock = clock
        self._on_build = on_build
        self._lock = threading.Lock()
        self.app = self._build()
        self._engine = self._generation_engine(self.app)
        self._checked_at = clock()

    def _build(self) -> Flask:
        app = self._factory()
        if self._on_build is not None:
            self._on_build(app)
        return app

    @staticmethod
    def _generation_engine(app: Flask) -> Engine:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        return create_engine(url, poolclass=NullPool, **engine_options(url))

    @property
    def generation(self) -> int:
        """The module generation the current app was built for."""
        return runtime(self.app).generation

    def refresh(self) -> bool:
        """Rebuild the app if the stored generation differs; returns whether it did."""
        try:
            stored = read_generation(self._engine)
        except SQLAlchemyError:  # database not migrated yet, or down: keep serving
            return False
        if stored == self.generation:
            return False
        with self._lock:
            if stored == self.generation:
                return False
            log.info(
                "modules changed (generation %s -> %s): rebuilding app", self.generation, stored
            )
            self.app = self._build()
            return True

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        interval = float(self.app.config.get("MODULE_CHECK_INTERVAL", 1.0))
        now = self._clock()
        if now - self._checked_at >= interval:
            self._checked_at = now
            self.refresh()
        return self.app(environ, start_response)


def make_application() -> ReloadingApp:
    """Build the reloading WSGI app from the environment's settings."""
    from core.app import create_app

    return ReloadingApp(create_app)


class _LazyApplication:
    """Built on first request, so importing this module (e.g. by gunicorn) is cheap."""

    def __init__(self) -> None:
        self._app: ReloadingApp | None = None
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = make_application()
        return self._app(environ, start_response)


application = _LazyApplication()
