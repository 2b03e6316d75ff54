"""The Modules screen and CLI: enabling, disabling, refusals, and every worker following."""

import pytest
from sqlalchemy import select

from core.modules.models import ModuleChoice
from core.runtime import runtime
from core.testing import base_overrides, create_user, token_headers
from core.wsgi import ReloadingApp

SAMPLES = ["sample_alpha", "sample_beta"]


@pytest.fixture
def sample_app(make_app):
    return make_app(plugins=SAMPLES, packages=SAMPLES)


def login(app, *roles):
    client = app.test_client()
    with app.app_context():
        user = create_user(app, list(roles))
    response = client.post("/login/", data={"username": user.username, "password": "s3cret-pass"})
    assert response.status_code == 302
    return client


def reloading(tmp_path, **config):
    """A second 'worker' on the same database, as gunicorn would run it."""
    from core.app import create_app

    overrides = {**base_overrides(tmp_path), "PLUGIN_PACKAGES": SAMPLES, **config}
    return ReloadingApp(lambda: create_app(overrides))


def test_modules_screen_lists_installed_plugins_with_their_details(sample_app):
    page = login(sample_app, "Admin").get("/modules/")
    assert page.status_code == 200
    assert "Sample Alpha" in page.text and "Sample Beta" in page.text
    assert "0.3.0" in page.text
    assert "sample_alpha&gt;=1.0" in page.text  # beta's dependency
    assert "Used by" in page.text


def test_modules_screen_is_for_admins_only(sample_app):
    client = login(sample_app, "Alpha User")
    assert client.get("/modules/").status_code in (302, 403)
    response = client.post("/modules/sample_beta/disable")
    assert response.status_code in (302, 403)
    with sample_app.app_context():
        assert runtime(sample_app).enabled_names == SAMPLES
        from core.extensions import db

        assert db.session.scalars(select(ModuleChoice)).all() == []


def test_disabling_a_dependency_is_refused_naming_dependants(sample_app):
    client = login(sample_app, "Admin")
    response = client.post("/modules/sample_alpha/disable")
    assert response.status_code == 409
    page = client.get("/modules/")
    assert "cannot disable &#39;sample_alpha&#39;: enabled plugins depend on it: sample_beta" in (
        page.text
    )
    with sample_app.app_context():
        from core.extensions import db

        assert db.session.get(ModuleChoice, "sample_alpha") is None


def test_disabled_plugin_vanishes_from_every_worker_and_keeps_its_data(make_app, tmp_path):
    admin_app = make_app(plugins=None, packages=SAMPLES)
    with admin_app.app_context():
        from sample_alpha.models import AlphaNote

        from core.extensions import db

        db.session.add(AlphaNote(title="keep me"))
        db.session.commit()
    worker_a = reloading(tmp_path)
    worker_b = reloading(tmp_path)
    client_a = worker_a.app.test_client()
    assert client_a.get("/alphanoteview/list/").status_code == 302  # exists, needs login
    admin_client = login(admin_app, "Admin")

    assert admin_client.post("/modules/sample_beta/disable").status_code == 302
    assert admin_client.post("/modules/sample_alpha/disable").status_code == 302

    for worker in (worker_a, worker_b):
        assert worker.refresh() is True
        assert runtime(worker.app).enabled_names == []
        web = worker.app.test_client()
        assert web.get("/alphanoteview/list/").status_code == 404
        assert web.get("/beta/").status_code == 404
        assert web.get("/api/v1/alpha_note/").status_code == 404
    with admin_app.app_context():
        assert [n.title for n in db.session.scalars(select(AlphaNote))] == ["keep me"]

    assert admin_client.post("/modules/sample_alpha/enable").status_code == 302
    assert worker_a.refresh() is True
    assert runtime(worker_a.app).enabled_names == ["sample_alpha"]
    assert worker_a.app.test_client().get("/alphanoteview/list/").status_code == 302


def test_reloading_app_does_not_rebuild_without_a_change(make_app, tmp_path):
    make_app(packages=SAMPLES)
    worker = reloading(tmp_path)
    first = worker.app
    assert worker.refresh() is False
    assert worker.app is first


def test_disabled_plugin_leaves_no_menu_entry(make_app, tmp_path):
    app = make_app(plugins=["sample_alpha"], packages=SAMPLES)
    page = login(app, "Admin").get("/")
    assert "Alpha Notes" in page.text and "Beta" not in page.text


def test_cli_lists_enables_and_disables(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["plugins", "list"])
    assert listing.exit_code == 0, listing.output
    assert "enabled   sample_alpha" in listing.output
    refused = runner.invoke(args=["plugins", "disable", "sample_alpha"])
    assert refused.exit_code != 0
    assert "enabled plugins depend on it: sample_beta" in refused.output
    done = runner.invoke(args=["plugins", "disable", "sample_beta"])
    assert done.exit_code == 0, done.output
    assert "Enabled now: sample_alpha" in done.output
    unknown = runner.invoke(args=["plugins", "enable", "nosuch"])
    assert unknown.exit_code != 0 and "unknown plugin 'nosuch'" in unknown.output
    with app.app_context():
        from core.extensions import db

        choice = db.session.get(ModuleChoice, "sample_beta")
        assert choice.enabled is False and choice.changed_by == "cli"


def test_cli_says_an_unchanged_plugin_is_unchanged_and_exits_0(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    runner = app.test_cli_runner()
    again = runner.invoke(args=["plugins", "enable", "sample_alpha"])
    assert again.exit_code == 0, again.output
    assert "plugin 'sample_alpha' is already enabled; nothing to do." in again.output
    runner.invoke(args=["plugins", "disable", "sample_beta"])
    twice = runner.invoke(args=["plugins", "disable", "sample_beta"])
    assert twice.exit_code == 0, twice.output
    assert "already disabled" in twice.output


def test_cli_before_db_upgrade_says_what_to_run_first(make_app):
    app = make_app(plugins=[], packages=SAMPLES, schema=False)
    result = app.test_cli_runner().invoke(args=["plugins", "enable", "sample_alpha"])
    assert result.exit_code == 1
    assert "run 'aftersales db upgrade'" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_enabling_a_module_migrates_its_tables_before_workers_switch(make_app, tmp_path):
    from sqlalchemy import inspect

    from core.migrate import upgrade
    from core.modules.models import ModuleGeneration

    config = {"MIGRATE_ON_ENABLE": True, "ENABLED_PLUGINS": []}
    app = make_app(packages=SAMPLES, schema=False, config=config)
    with app.app_context():
        upgrade(app)
        from core.extensions import db

        assert not inspect(db.engine).has_table("sample_alpha_note")
    result = app.test_cli_runner().invoke(args=["plugins", "enable", "sample_alpha"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert inspect(db.engine).has_table("sample_alpha_note")
        assert inspect(db.engine).has_table("alembic_version_sample_alpha")
        assert db.session.get(ModuleGeneration, 1).generation == 1


def test_failed_preparation_puts_the_choice_back_and_signals_nothing(make_app):
    from core.modules.models import ModuleGeneration
    from core.modules.service import ModuleError, set_plugin_enabled

    app = make_app(plugins=[], packages=SAMPLES)
    with app.app_context():
        from core.extensions import db

        rt = runtime(app)

        def broken(incoming):
            assert incoming == ["sample_alpha"]
            raise RuntimeError("disk full")

        with pytest.raises(ModuleError, match="preparing the database failed: disk full"):
            set_plugin_enabled(
                db.session,
                rt.registry.manifests(),
                [],
                "sample_alpha",
                True,
                "admin",
                prepare=broken,
            )
        assert db.session.get(ModuleChoice, "sample_alpha") is None
        assert db.session.get(ModuleGeneration, 1) is None


def test_modules_api_lists_and_switches_plugins(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    client = app.test_client()
    with app.app_context():
        create_user(app, ["Admin"], username="ops")
        create_user(app, ["Alpha User"], username="clerk")

    def headers(username):
        return token_headers(client, username)

    admin = headers("ops")
    listing = client.get("/api/v1/modules/", headers=admin)
    assert listing.status_code == 200
    states = {m["name"]: m["enabled"] for m in listing.json["result"]}
    assert states["sample_alpha"] is True and states["sample_beta"] is True
    assert all(not on for name, on in states.items() if name not in SAMPLES)
    refused = client.post("/api/v1/modules/sample_alpha/disable", headers=admin)
    assert refused.status_code == 409
    assert refused.json["field"] == "name"
    assert "sample_beta" in refused.json["message"]
    assert client.post("/api/v1/modules/nosuch/enable", headers=admin).status_code == 404
    done = client.post("/api/v1/modules/sample_beta/disable", headers=admin)
    assert done.status_code == 200 and done.json["enabled"] == ["sample_alpha"]
    clerk = headers("clerk")
    assert client.get("/api/v1/modules/", headers=clerk).status_code == 403
    assert client.post("/api/v1/modules/sample_beta/enable", headers=clerk).status_code == 403


@pytest.mark.parametrize(
    ("language", "label", "refusal"),
    [
        (None, "Contracts", "cannot disable 'contracts': enabled plugins depend on it"),
        ("zh", "合同", "无法停用 'contracts'：已启用的模块依赖它"),
        ("zh_TW", "合約", "無法停用 'contracts'：已啟用的模組依賴它"),
    ],
)
def test_modules_api_speaks_the_language_asked_for(make_app, language, label, refusal):
    app = make_app(plugins=["contracts", "inventory", "maintenance"])
    with app.app_context():
        create_user(app, ["Admin"], username="ops")
    client = app.test_client()
    admin = token_headers(client, "ops")
    suffix = f"?_l_={language}" if language else ""
    listing = client.get(f"/api/v1/modules/{suffix}", headers=admin)
    labels = {m["name"]: m["label"] for m in listing.json["result"]}
    assert labels["contracts"] == label
    summaries = {m["name"]: m["summary"] for m in listing.json["result"]}
    english = summaries["contracts"].startswith("Customers, equipment")
    assert english is (language is None)
    refused = client.post(f"/api/v1/modules/contracts/disable{suffix}", headers=admin)
    assert refused.status_code == 409
    assert refused.json["message"].startswith(refusal)
