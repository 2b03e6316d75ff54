"""The application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from flask_appbuilder import AppBuilder
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from core import __version__
from core.extensions import csrf, db
from core.modules.service import StoredModuleState, read_stored_state, requested_plugins
from core.plugins import (
    InstalledPlugin,
    PluginHooks,
    build_plugin_manager,
    discover,
    installed_from_package,
    resolve,
)
from core.runtime import Runtime
from core.settings_loader import database_url, instance_path, load_settings, secret_key

log = logging.getLogger(__name__)
CORE_DIR = Path(__file__).parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build an AfterSales app.

    Settings come from ``config.py``, ``$AFTERSALES_CONFIG``, ``AFTERSALES_*`` variables and
    ``overrides``. The enabled plugins come from ``ENABLED_PLUGINS`` and the admin's stored
    choices; an impossible set stops start-up with :class:`core.plugins.PluginConfigError`.
    """
    settings = load_settings(overrides)
    instance = instance_path(settings)
    settings["SQLALCHEMY_DATABASE_URI"] = database_url(settings, instance)
    settings["SECRET_KEY"] = secret_key(settings, instance)

    registry = discover_plugins(settings)
    stored = read_stored_module_state(settings["SQLALCHEMY_DATABASE_URI"])
    configured = settings.get("ENABLED_PLUGINS")
    enabled = resolve(
        registry.manifests(),
        requested_plugins(registry.plugins, configured, stored.choices),
        __version__,
        settings.get("BLOCKED_PLUGINS") or (),
    )
    pm = build_plugin_manager(registry, enabled, settings.get("EXTRA_HOOK_MODULES") or ())
    plugin_hooks = PluginHooks(pm, enabled)

    app = Flask(
        "aftersales",
        instance_path=str(instance),
        root_path=str(CORE_DIR),
        template_folder="templates",
        static_folder="static",
        static_url_path="/static/core",
    )
    for key, value in plugin_hooks.config_defaults().items():
        settings.setdefault(key, value)
    app.config.update(settings)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    from core.database import engine_options

    for key, value in engine_options(settings["SQLALCHEMY_DATABASE_URI"]).items():
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault(key, value)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translation_directories(enabled)
    app.extensions["aftersales"] = Runtime(
        registry=registry,
        enabled=enabled,
        hooks=plugin_hooks,
        generation=stored.generation,
        choices=stored.choices,
        configured=configured,
        overrides=dict(overrides or {}),
    )
    add_plugin_templates(app, enabled)

    db.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        plugin_hooks.models_by_owner()  # imports every enabled model before FAB looks
        from core.dashboard.views import DashboardView
        from core.security.manager import AfterSalesSecurityManager

        appbuilder = AppBuilder(
            indexview=DashboardView,
            security_manager_class=AfterSalesSecurityManager,
            base_template="aftersales/base.html",
        )
        appbuilder.init_app(app, db.session)
        from core.security.headers import install_security_headers

        install_security_headers(app)
        plugin_hooks.register_views(appbuilder)
        plugin_hooks.register_apis(appbuilder)
        from core.labels import share_screen_labels

        share_screen_labels(appbuilder)
        from core.record_links import link_related_screens

        link_related_screens(appbuilder)
        from core.screen_titles import title_screens

        title_screens(appbuilder)
        from core.security.ratelimit import limit_logins
        from core.security.roles import schema_ready, sync_roles_and_permissions

        limit_logins(app, appbuilder)
        from core.api_input import install as refuse_odd_input

        refuse_odd_input(app)  # odd input answers 4xx, never 5xx (core/api_input.py)
        if app.config.get("SYNC_PERMISSIONS_ON_START") and schema_ready():
            sync_roles_and_permissions(appbuilder, plugin_hooks.roles())
        plugin_hooks.cli_commands(app.cli)
        plugin_hooks.app_ready(app)
    register_health(app)
    from core.column_limits import register_refusal_handler

    register_refusal_handler(app)
    return app


def discover_plugins(settings: dict[str, Any]) -> Any:
    """Installed plugins: entry points (unless ``DISCOVER_ENTRY_POINTS`` is false) plus the
    packages listed in ``PLUGIN_PACKAGES`` (tests and development use it)."""
    extra: list[InstalledPlugin] = [
        installed_from_package(p) for p in settings.get("PLUGIN_PACKAGES") or ()
    ]
    if settings.get("DISCOVER_ENTRY_POINTS", True):
        return discover(extra)
    from core.plugins import Registry

    return Registry(plugins={p.name: p for p in extra})


def read_stored_module_state(url: str) -> StoredModuleState:
    """The admin's module choices, read with a throw-away engine before the app exists.

    With the database down the app still starts (``/health`` then says 503) on the configured
    plugins, at generation -1, so that the reloading WSGI app rebuilds it with the admin's
    choices as soon as the database answers.
    """
    from core.database import engine_options

    engine = create_engine(url, poolclass=NullPool, **engine_options(url))
    try:
        return read_stored_state(engine)
    except OperationalError as exc:
        log.error("database unreachable at start-up, using configured plugins: %s", exc)
        return StoredModuleState({}, -1)
    finally:
        engine.dispose()


def translation_directories(enabled: list[Any]) -> str:
    """Babel catalog folders: core's, then each enabled plugin's (``;``-separated)."""
    folders = [str(CORE_DIR / "translations")]
    folders += [str(m.translations_path) for m in enabled if m.translations_path]
    return ";".join(folders)


def add_plugin_templates(app: Flask, enabled: list[Any]) -> None:
    """Let templates of enabled plugins (``templates/<name>/...``) be found by name."""
    loaders = [FileSystemLoader(str(m.templates_path)) for m in enabled if m.templates_path]
    if loaders:
        app.jinja_loader = ChoiceLoader([app.jinja_loader, *loaders])  # type: ignore[list-item]


def register_health(app: Flask) -> None:
    """``GET /health``: 200 when the database answers, 503 when it does not."""

    @app.get("/health")
    def health() -> Any:
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # any database failure means "not healthy"
            db.session.rollback()
            log.warning("health check failed: %s", exc)
            return jsonify(status="error", database="unreachable"), 503
        finally:
            db.session.remove()
        return jsonify(status="ok", database="ok", version=__version__)
