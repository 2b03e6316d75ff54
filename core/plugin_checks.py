"""Core's checks of a plugin, for the plugin's own tests to inherit.

A plugin's test module gets them with one class::

    from core.plugin_checks import PluginChecks


    class TestCoreChecks(PluginChecks):
        \"\"\"Core's checks of loaner_units.\"\"\"

They check the plugins that ``aftersales_plugins`` names in the project's pytest ini (see
:mod:`core.testing`), or those of a ``plugins`` class attribute:

* the migrations, run on an empty database, build the tables the models describe;
* the demo data loads twice over (``scale=2``) and fills at least one of the plugin's tables;
* with the demo data, every screen of the plugin lists its records and every REST API of it
  lists them and describes itself (``_info``) to an administrator, in English and in both
  Chinese scripts: a label, formatter or column that breaks on real rows fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from core.testing import configured_plugins, create_user, token_headers

LANGUAGES = ("en", "zh", "zh_TW")


class PluginChecks:
    """Test methods checking each plugin under test (see the module)."""

    #: The plugins to check; empty: those the ini's ``aftersales_plugins`` names.
    plugins: tuple[str, ...] = ()

    def plugins_under_test(self, config: pytest.Config) -> list[str]:
        """The plugins this class checks."""
        names = list(self.plugins) or configured_plugins(config)[0]
        if not names:
            pytest.fail("name the plugins to check in the ini's aftersales_plugins")
        return names

    def test_migrations_build_the_tables_the_models_describe(
        self, make_app: Callable[..., Flask], request: pytest.FixtureRequest
    ) -> None:
        """Upgrading an empty database leaves no difference between models and tables."""
        from core.migrate import check_models_match, describe_difference, upgrade

        names = self.plugins_under_test(request.config)
        app = make_app(plugins=names, schema=False)
        with app.app_context():
            upgrade(app, sync_permissions=False)
            differences = {
                name: [describe_difference(d) for d in found]
                for name, found in check_models_match(app).items()
                if name in names
            }
        assert differences == {}

    def test_demo_data_fills_the_plugins_tables(
        self, app: Flask, request: pytest.FixtureRequest
    ) -> None:
        """The demo data loads at scale 2 and gives each plugin rows in one of its tables."""
        from core.demo.service import load_demo
        from core.extensions import db
        from core.runtime import hooks

        load_demo(db.session, scale=2)
        models = hooks(app).models_by_owner()
        for name in self.plugins_under_test(request.config):
            rows = {
                model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in models.get(name, [])
            }
            assert not rows or any(rows.values()), f"{name}: no demo rows in {rows}"

    def test_screens_and_apis_answer_with_the_demo_data(
        self, app: Flask, request: pytest.FixtureRequest
    ) -> None:
        """Every list screen and REST API of the plugins answers an administrator."""
        from core.demo.service import load_demo
        from core.extensions import db

        load_demo(db.session)
        admin = create_user(app, ["Admin"]).username
        db.session.commit()
        screens, apis = self.screens_and_apis(app, request.config)
        assert screens or apis, "the plugins have neither a list screen nor a REST API"
        client = app.test_client()
        client.post("/login/", data={"username": admin, "password": "s3cret-pass"})
        headers = token_headers(client, admin)
        for language in LANGUAGES:
            for url in screens:
                page = client.get(f"{url}?_l_={language}")
                assert page.status_code == 200, f"{url} ({language}): {page.status_code}"
            for url in apis:
                for path in (url, f"{url}_info"):
                    answer = client.get(f"{path}?_l_={language}", headers=headers)
                    assert answer.status_code == 200, f"{path} ({language}): {answer.text}"

    def screens_and_apis(self, app: Flask, config: pytest.Config) -> tuple[list[str], list[str]]:
        """The list pages and REST API roots of the plugins under test."""
        from flask_appbuilder import ModelRestApi, ModelView

        from core.runtime import runtime

        enabled = {m.name: m for m in runtime(app).enabled}
        packages = [
            enabled[name].package for name in self.plugins_under_test(config) if name in enabled
        ]
        screens: list[str] = []
        apis: list[str] = []
        for view in app.appbuilder.baseviews:
            if not _belongs_to(view, packages):
                continue
            if isinstance(view, ModelView):
                screens.append(f"{view.route_base}/list/")
            elif isinstance(view, ModelRestApi):
                apis.append(f"/api/{view.version}/{view.resource_name}/")
        return screens, apis


def _belongs_to(view: Any, packages: list[str]) -> bool:
    module = type(view).__module__
    return any(module == p or module.startswith(f"{p}.") for p in packages)
