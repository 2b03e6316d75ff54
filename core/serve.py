"""``aftersales serve``: the app, the in-process scheduler, and module changes picked up live."""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Flask
from werkzeug.serving import run_simple

from core.wsgi import ReloadingApp

log = logging.getLogger(__name__)


class _SchedulerFollowingApp:
    """Keeps the in-process scheduler on the app currently served (restarted on rebuild)."""

    def __init__(self) -> None:
        self.handle: Any = None

    def __call__(self, app: Flask) -> None:
        if self.handle is not None:
            self.handle.stop(wait=False)
            self.handle = None
        if app.config.get("SCHEDULER_ENABLED") and not app.config.get("CELERY_BROKER_URL"):
            from core.jobs.scheduler import start_scheduler

            self.handle = start_scheduler(app)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--threads/--no-threads", default=True, help="Serve requests in threads.")
def serve_command(host: str, port: int, threads: bool) -> None:
    """Serve AfterSales (development server; use gunicorn in production, see docs/deploy.md)."""
    from core.app import create_app

    scheduler = _SchedulerFollowingApp()
    application = ReloadingApp(create_app, on_build=scheduler)
    click.echo(f"\n  AfterSales is running at http://{host}:{port}/\n")
    run_simple(host, port, application, threaded=threads, use_reloader=False)
