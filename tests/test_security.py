"""Logins, rate limits, CSRF, the REST API's JWT and OpenAPI, and the users command."""

import pytest

from core.testing import create_user, csrf_token_from, token_headers


def alpha_app_with_user(make_app, role, username):
    """A test client of an app with sample_alpha and user ``username`` of ``role``."""
    app = make_app(plugins=["sample_alpha"], packages=["sample_alpha"])
    with app.app_context():
        create_user(app, [role], username=username)
    return app.test_client()


def test_rest_login_gives_a_jwt_that_opens_the_api(make_app):
    client = alpha_app_with_user(make_app, "Alpha User", "alice")
    bad = client.post(
        "/api/v1/security/login",
        json={"username": "alice", "password": "wrong-pass", "provider": "db"},
    )
    assert bad.status_code == 401
    good = client.post(
        "/api/v1/security/login",
        json={"username": "alice", "password": "s3cret-pass", "provider": "db"},
    )
    assert good.status_code == 200
    headers = {"Authorization": f"Bearer {good.json['access_token']}"}
    created = client.post("/api/v1/alpha_note/", json={"title": "via api"}, headers=headers)
    assert created.status_code == 201, created.text
    listing = client.get("/api/v1/alpha_note/", headers=headers)
    assert [row["title"] for row in listing.json["result"]] == ["via api"]


def test_api_refuses_a_user_without_the_permission(make_app):
    client = alpha_app_with_user(make_app, "Nobody", "bob")
    headers = token_headers(client, "bob")
    response = client.get("/api/v1/alpha_note/", headers=headers)
    assert response.status_code == 403


def test_openapi_document_lists_plugin_apis_and_swagger_ui_is_served(make_app):
    client = alpha_app_with_user(make_app, "Admin", "root")
    headers = token_headers(client, "root")
    spec = client.get("/api/v1/_openapi", headers=headers)
    assert spec.status_code == 200
    assert "/api/v1/alpha_note/" in spec.json["paths"]
    client.post("/login/", data={"username": "root", "password": "s3cret-pass"})
    swagger = client.get("/swagger/v1")
    assert swagger.status_code == 200
    assert "swagger-ui" in swagger.text
    assert "//cdn" not in swagger.text and "unpkg.com" not in swagger.text


def test_passwords_are_stored_hashed(make_app):
    app = make_app()
    with app.app_context():
        user = create_user(app, ["Admin"], username="carol", password="plain-text-pw")
        assert "plain-text-pw" not in user.password
        assert user.password.startswith("scrypt:")


def test_form_login_is_rate_limited(make_app):
    app = make_app(config={"RATELIMIT_ENABLED": True, "AUTH_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    codes = [
        client.post("/login/", data={"username": "x", "password": "y"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] != [429] * 3 and codes[-1] == 429


def test_rest_login_is_rate_limited(make_app):
    app = make_app(config={"RATELIMIT_ENABLED": True, "AUTH_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    payload = {"username": "x", "password": "y", "provider": "db"}
    codes = [client.post("/api/v1/security/login", json=payload).status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401]
    assert codes[-1] == 429


def test_forms_refuse_a_post_without_csrf_token(make_app):
    app = make_app(
        plugins=["sample_alpha"], packages=["sample_alpha"], config={"WTF_CSRF_ENABLED": True}
    )
    client = app.test_client()
    with app.app_context():
        create_user(app, ["Admin"], username="dave")
    login_page = client.get("/login/")
    no_token = client.post("/login/", data={"username": "dave", "password": "s3cret-pass"})
    assert no_token.status_code == 400
    token = csrf_token_from(login_page.text)
    logged_in = client.post(
        "/login/", data={"username": "dave", "password": "s3cret-pass", "csrf_token": token}
    )
    assert logged_in.status_code == 302
    forged = client.post("/modules/sample_alpha/disable")
    assert forged.status_code == 400
    page = client.get("/modules/")
    accepted = client.post(
        "/modules/sample_alpha/disable", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert accepted.status_code == 302


def test_users_create_refuses_an_unknown_role_and_short_password(make_app):
    app = make_app()
    runner = app.test_cli_runner()
    unknown = runner.invoke(
        args=["users", "create", "erin", "--role", "Wizard", "--password", "long-enough-pw"]
    )
    assert unknown.exit_code != 0
    assert "no role 'Wizard'" in unknown.output
    short = runner.invoke(args=["users", "create", "erin", "--role", "Admin", "--password", "x"])
    assert short.exit_code != 0
    assert "at least 8 characters" in short.output
    made = runner.invoke(
        args=["users", "create", "erin", "--role", "Admin", "--password", "long-enough-pw"]
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(
        args=["users", "create", "erin", "--role", "Admin", "--password", "long-enough-pw"]
    )
    assert again.exit_code != 0 and "already exists" in again.output


@pytest.mark.parametrize("path", ["/modules/", "/alphanoteview/list/"])
def test_screens_need_a_login(make_app, path):
    app = make_app(plugins=["sample_alpha"], packages=["sample_alpha"])
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert "/login/" in response.location


def test_no_screen_loads_scripts_from_the_internet(make_app):
    app = make_app()
    client = app.test_client()
    with app.app_context():
        create_user(app, ["Admin"], username="frank")
    client.post("/login/", data={"username": "frank", "password": "s3cret-pass"})
    assert client.get("/users/userinfo/").status_code == 200
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert not any("userstatschart" in rule for rule in rules)
    home = client.get("/")
    assert "https://" not in home.text.split("<body")[0]
