"""The app factory: settings, health, login, the plugin set."""

import pytest

from core.plugins import PluginConfigError
from core.runtime import runtime

SAMPLES = ["sample_alpha", "sample_beta"]


def test_health_answers_ok_with_the_database(make_app):
    app = make_app()
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_health_answers_503_without_the_database(make_app, tmp_path):
    app = make_app(
        schema=False,
        config={
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        },
    )
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_settings_come_from_file_then_environment(make_app, tmp_path, monkeypatch):
    config_file = tmp_path / "site.py"
    config_file.write_text("COMPANY_NAME = 'From File'\nAPP_NAME = 'File App'\n")
    monkeypatch.setenv("AFTERSALES_CONFIG", str(config_file))
    monkeypatch.setenv("AFTERSALES_APP_NAME", "Env App")
    app = make_app(schema=False)
    assert app.config["COMPANY_NAME"] == "From File"
    assert app.config["APP_NAME"] == "Env App"


def test_plugin_defaults_never_override_settings(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    assert app.config["SAMPLE_ALPHA_GREETING"] == "hello from beta"
    app = make_app(
        plugins=SAMPLES, packages=SAMPLES, schema=False, config={"SAMPLE_ALPHA_GREETING": "mine"}
    )
    assert app.config["SAMPLE_ALPHA_GREETING"] == "mine"


def test_enabling_a_plugin_brings_its_dependencies_in_order(make_app):
    app = make_app(plugins=["sample_beta"], packages=SAMPLES, schema=False)
    assert runtime(app).enabled_names == ["sample_alpha", "sample_beta"]


def test_unknown_plugin_stops_startup_naming_it(make_app):
    with pytest.raises(PluginConfigError) as error:
        make_app(plugins=["sample_alpha", "nosuch"], packages=SAMPLES, schema=False)
    assert "unknown plugin 'nosuch'" in str(error.value)


def test_secret_key_is_generated_once_into_the_instance_folder(make_app, tmp_path):
    app = make_app(schema=False, config={"SECRET_KEY": None})
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert (
        make_app(schema=False, config={"SECRET_KEY": None}).config["SECRET_KEY"]
        == (app.config["SECRET_KEY"])
    )
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_login_then_dashboard_shows_plugin_widget(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    client = app.test_client()
    with app.app_context():
        from core.testing import create_user

        create_user(app, ["Alpha User"], username="alice")
    response = client.post("/login/", data={"username": "alice", "password": "s3cret-pass"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Alpha notes" in page.text


def test_plugin_screen_and_api_need_permission(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    client = app.test_client()
    assert client.get("/alphanoteview/list/").status_code == 302  # to the login page
    assert client.get("/api/v1/alpha_note/").status_code == 401
