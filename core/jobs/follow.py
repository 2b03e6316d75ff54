"""Following module changes in processes that serve no requests (scheduler, Celery)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger("core.jobs")


class FollowModules:
    """Returns an app built for the current module generation, rebuilding it when it moved.

    A long-running process (scheduler, Celery worker) has no requests to notice module
    changes; it calls this before it looks at the jobs. ``factory`` builds a new app from the
    same settings (``core.app.create_app`` for processes configured by the environment).
    """

    def __init__(self, app: Flask, factory: Callable[[], Flask]) -> None:
        self.app = app
        self._factory = factory
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Flask:
        """The current app (a rebuilt one when the module generation changed)."""
        from core.modules.service import read_generation
        from core.runtime import runtime

        if self._engine is None:
            self._engine = create_engine(
                self.app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool
            )
        try:
            stored = read_generation(self._engine)
        except SQLAlchemyError:  # not migrated yet, or the database is down: keep the app
            return self.app
        with self._lock:
            if stored != runtime(self.app).generation:
                log.info(
                    "modules changed (generation %s -> %s): rebuilding the app",
                    runtime(self.app).generation,
                    stored,
                )
                self.app = self._factory()
            return self.app
