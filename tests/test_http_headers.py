"""Security headers on every kind of response: a page, an API answer, a static file, a 404;
and, with ``PREFERRED_URL_SCHEME = "https"``, Secure cookies and HSTS."""

from __future__ import annotations

import re

import pytest

from core.testing import create_user, token_headers

SAMPLES = ["sample_alpha"]


@pytest.fixture
def web(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    with app.app_context():
        create_user(app, ["Admin"], username="root")
    return app


def csp_of(response) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request.path}"
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: (rest[0] if rest else "") for name, *rest in parts}


def assert_hardened(response) -> None:
    policy = csp_of(response)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"] == "'self'"  # style attributes only: style-src-attr
    assert "http" not in response.headers["Content-Security-Policy"]  # no CDN or other host
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_page_an_api_answer_a_static_file_and_a_404_carry_the_headers(web):
    client = web.test_client()
    headers = token_headers(client, "root")
    page = client.get("/login/")
    api = client.get("/api/v1/alpha_note/", headers=headers)
    refused = client.get("/api/v1/alpha_note/")
    static = client.get("/static/core/aftersales.css")
    fab_static = client.get("/static/appbuilder/js/ab.js")
    missing = client.get("/no-such-page")
    health = client.get("/health")
    assert (page.status_code, api.status_code, refused.status_code) == (200, 200, 401)
    assert (static.status_code, fab_static.status_code, missing.status_code) == (200, 200, 404)
    for response in (page, api, refused, static, fab_static, missing, health):
        assert_hardened(response)
        response.close()
    # Plain http: no HSTS, no Secure cookie.
    assert "Strict-Transport-Security" not in page.headers
    assert all("Secure" not in c for c in page.headers.getlist("Set-Cookie"))


def test_every_inline_script_of_a_page_carries_the_nonce_of_its_policy(web):
    client = web.test_client()
    client.post("/login/", data={"username": "root", "password": "s3cret-pass"})
    for path in ("/", "/alphanoteview/list/", "/alphanoteview/add", "/swagger/v1"):
        response = client.get(path)
        assert response.status_code == 200, path
        nonce = re.search(r"'nonce-([^']+)'", csp_of(response)["script-src"]).group(1)
        scripts = re.findall(r"<script\b[^>]*>", response.text)
        assert scripts, path
        for tag in scripts:
            assert f'nonce="{nonce}"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", response.text), f"inline handler on {path}"
    other = client.get("/").headers["Content-Security-Policy"]
    assert other != response.headers["Content-Security-Policy"]  # a new nonce per response


def test_over_https_cookies_are_secure_and_hsts_is_sent(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES, config={"PREFERRED_URL_SCHEME": "https"})
    with app.app_context():
        create_user(app, ["Admin"], username="root")
    client = app.test_client()
    login = client.post(
        "/login/",
        data={"username": "root", "password": "s3cret-pass"},
        base_url="https://localhost",
    )
    assert login.status_code == 302
    cookies = login.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    # Behind a TLS proxy that says so (gunicorn --forwarded-allow-ips sets the scheme).
    proxied = client.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers
    assert_hardened(proxied)
