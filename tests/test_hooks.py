"""The hook contract: every hook documented and exercised; plugin-offered hooks; documents."""

import datetime
import inspect
from pathlib import Path

from core import hookspecs
from core.runtime import hooks, runtime
from core.security.roles import sync_roles_and_permissions

SAMPLES = ["sample_alpha", "sample_beta"]
TESTS = Path(__file__).parent


def hookspec_names():
    return [
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("aftersales_")
    ]


def test_every_hookspec_has_a_docstring():
    for name in hookspec_names():
        doc = inspect.getdoc(getattr(hookspecs, name))
        assert doc and len(doc) > 40, f"{name} needs a docstring saying when and how it is called"


def test_every_hookspec_is_implemented_by_a_test_plugin_or_core():
    sources = "".join(p.read_text() for p in TESTS.rglob("*.py"))
    sources += "".join(p.read_text() for p in (TESTS.parent / "core").rglob("hooks.py"))
    for name in hookspec_names():
        assert f"def {name}(" in sources, f"no implementation exercises {name}"


def test_a_plugin_offers_a_hook_that_an_optional_partner_implements(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    pm = runtime(app).hooks.pm
    assert pm.hook.sample_beta_greetings() == [["hello from alpha"]]


def test_optional_hook_of_a_missing_plugin_does_not_stop_startup(make_app):
    app = make_app(plugins=["sample_alpha"], packages=SAMPLES, schema=False)
    pm = runtime(app).hooks.pm
    assert runtime(app).enabled_names == ["sample_alpha"]
    assert pm.hook.sample_beta_greetings.spec is None  # implemented, but nobody offers it


def test_document_sections_come_from_every_enabled_plugin_in_order(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    with app.app_context():
        sections = hooks().document_sections(
            "sample.report", "CT-1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
        )
        assert [(s.title, s.source) for s in sections] == [
            ("Alpha summary", "sample_alpha"),
            ("Beta on CT-1", "sample_beta"),
        ]
        assert sections[0].table == (["From", "To"], [["2026-01-01", "2026-03-31"]])
        assert hooks().document_sections("other.document", "CT-1") == []


def test_app_ready_runs_once_the_app_is_assembled(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    assert app.config["SAMPLE_BETA_READY"]


def test_demo_data_is_loaded_dependencies_first(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    result = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "2"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from sample_alpha.models import AlphaNote
        from sqlalchemy import func, select

        from core.extensions import db

        assert db.session.scalar(select(func.count()).select_from(AlphaNote)) == 6


def test_role_sync_is_idempotent_and_expands_wildcards(make_app):
    from core.extensions import db

    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    with app.app_context():
        sm = app.appbuilder.sm

        def grants(role):
            return sorted(
                (pv.permission.name, pv.view_menu.name) for pv in sm.find_role(role).permissions
            )

        before = grants("Alpha User")
        assert ("can_read", "sample_alpha_note") in before
        assert ("can_write", "sample_alpha_note") in before
        assert ("menu_access", "Alpha Notes") in before
        total = db.session.query(sm.permissionview_model).count()
        sync_roles_and_permissions(app.appbuilder, hooks().roles())
        assert grants("Alpha User") == before
        assert db.session.query(sm.permissionview_model).count() == total
        admin = set(grants("Admin"))
        assert ("can_read", "core_modules") in admin
        assert ("can_write", "sample_alpha_note") in admin
