"""Logins: one rate-limit budget per client for the form and the REST login (429 with
``Retry-After``), accounts locked after failed logins in a row (audited, unlockable by an
admin, the same answer whatever the password while locked)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from sqlalchemy import select

from core.audit.models import AuditLog
from core.extensions import db
from core.security.lockout import LOCKOUT_ACTOR
from core.security.models import LoginLock
from core.testing import create_user

START = datetime.datetime(2031, 3, 4, 9, 0, tzinfo=datetime.UTC)
LOCKED = "This account is locked after too many failed logins"


def without_nonces(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", html)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def form_login(client, password, username="tina", **kwargs):
    return client.post(
        "/login/",
        data={"username": username, "password": password},
        follow_redirects=True,
        **kwargs,
    )


def api_login(client, password, username="tina", **kwargs):
    return client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db"},
        **kwargs,
    )


@pytest.fixture
def locking_app(make_app, clock):
    app = make_app(config={"AUTH_LOCKOUT_ATTEMPTS": 3, "AUTH_LOCKOUT_MINUTES": 10})
    with app.app_context():
        create_user(app, ["Admin"], username="tina")
    return app


def test_failed_logins_in_a_row_lock_the_account_whatever_the_password(locking_app, clock):
    client = locking_app.test_client()
    first = form_login(client, "wrong-1")
    assert "Invalid login" in first.text and LOCKED not in first.text
    api_login(client, "wrong-2")
    third = form_login(client, "wrong-3")
    assert LOCKED in third.text and "Try again in 10 min" in third.text
    # Locked: the right password and a wrong one get the very same answers.
    clock.shift(datetime.timedelta(minutes=3))
    right_form, wrong_form = form_login(client, "s3cret-pass"), form_login(client, "nope-nope")
    assert LOCKED in right_form.text and "Try again in 7 min" in right_form.text
    assert without_nonces(right_form.text) == without_nonces(wrong_form.text)
    right_api, wrong_api = api_login(client, "s3cret-pass"), api_login(client, "nope-nope")
    assert right_api.status_code == wrong_api.status_code == 401
    assert right_api.json == wrong_api.json
    assert right_api.json["message"].startswith(LOCKED)
    assert "access_token" not in right_api.json
    by_email = api_login(client, "s3cret-pass", username="tina@example.com")
    assert by_email.json == right_api.json
    with locking_app.app_context():
        lock = db.session.scalar(select(LoginLock))
        assert (lock.username, lock.failures, lock.address) == ("tina", 3, "127.0.0.1")


def test_a_lock_ends_by_itself_and_another_run_of_failures_locks_again(locking_app, clock):
    client = locking_app.test_client()
    for n in range(3):
        api_login(client, f"wrong-{n}")
    assert api_login(client, "s3cret-pass").json["message"].startswith(LOCKED)
    clock.shift(datetime.timedelta(minutes=10, seconds=1))
    assert api_login(client, "s3cret-pass").status_code == 200
    for n in range(3):
        api_login(client, f"wrong-again-{n}")
    assert api_login(client, "s3cret-pass").status_code == 401


def test_failures_apart_from_each_other_by_a_success_never_lock(locking_app):
    client = locking_app.test_client()
    for n in range(4):
        api_login(client, f"wrong-{n}a")
        api_login(client, f"wrong-{n}b")
        assert api_login(client, "s3cret-pass").status_code == 200


def test_each_lock_is_in_the_audit_log_and_an_admin_unlocks_it(locking_app, clock):
    client = locking_app.test_client()
    for n in range(3):
        form_login(client, f"wrong-{n}")
    runner = locking_app.test_cli_runner()
    listed = runner.invoke(args=["users", "list"])
    assert "tina" in listed.output and "(locked)" in listed.output
    unlocked = runner.invoke(args=["users", "unlock", "tina"])
    assert unlocked.exit_code == 0, unlocked.output
    assert "Unlocked tina." in unlocked.output
    assert api_login(client, "s3cret-pass").status_code == 200
    with locking_app.app_context():
        entries = db.session.scalars(
            select(AuditLog).where(AuditLog.table_name == "core_login_lock").order_by(AuditLog.id)
        ).all()
        assert [(e.action, e.record_label) for e in entries] == [
            ("create", "tina"),
            ("delete", "tina"),
        ]
        assert entries[0].username == LOCKOUT_ACTOR
        assert entries[0].changes["failures"] == 3
        assert entries[1].username.startswith("cli:")
        assert db.session.scalar(select(LoginLock)) is None
    again = runner.invoke(args=["users", "unlock", "tina"])
    assert "tina was not locked" in again.output
    unknown = runner.invoke(args=["users", "unlock", "nobody"])
    assert unknown.exit_code != 0 and "no user 'nobody'" in unknown.output


def test_the_lock_message_is_translated(locking_app):
    client = locking_app.test_client()
    for n in range(3):
        api_login(client, f"wrong-{n}")
    zh = api_login(client, "s3cret-pass", query_string={"_l_": "zh"})
    assert zh.json["message"].startswith("该账户因多次登录失败已被锁定")
    client.get("/lang/zh_TW")  # the language menu stores the choice in the session
    form = form_login(client, "x")
    assert "此帳戶因多次登入失敗已被鎖定" in form.text


@pytest.fixture
def limited_app(make_app, clock):
    app = make_app(
        config={
            "RATELIMIT_ENABLED": True,
            "AUTH_RATE_LIMIT": "4 per minute",
            "AUTH_LOCKOUT_ATTEMPTS": 0,
        }
    )
    with app.app_context():
        create_user(app, ["Admin"], username="tina")
    return app


def test_form_and_rest_login_share_one_budget_per_client(limited_app, clock):
    client = limited_app.test_client()
    assert form_login(client, "wrong").status_code == 200
    assert api_login(client, "wrong").status_code == 401
    assert form_login(client, "wrong").status_code == 200
    assert api_login(client, "wrong").status_code == 401
    refused_api = api_login(client, "s3cret-pass")
    assert refused_api.status_code == 429
    assert refused_api.is_json and set(refused_api.json) == {"message"}
    assert refused_api.json["message"].startswith("Too many login attempts")
    assert 1 <= int(refused_api.headers["Retry-After"]) <= 60
    refused_form = client.post("/login/", data={"username": "tina", "password": "s3cret-pass"})
    assert refused_form.status_code == 429
    assert "Too many login attempts" in refused_form.text
    assert refused_form.mimetype == "text/html"
    assert 1 <= int(refused_form.headers["Retry-After"]) <= 60
    # Another client has its own budget; the page itself (GET) is never limited.
    other = api_login(client, "s3cret-pass", environ_overrides={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    assert client.get("/login/").status_code == 200
    clock.shift(datetime.timedelta(seconds=61))
    assert api_login(client, "s3cret-pass").status_code == 200


def test_the_api_429_message_is_translated(limited_app):
    client = limited_app.test_client()
    for _ in range(4):
        api_login(client, "wrong")
    refused = api_login(client, "wrong", query_string={"_l_": "zh_TW"})
    assert refused.status_code == 429
    assert refused.json["message"].startswith("登入嘗試次數過多")


def test_two_failed_logins_locking_at_once_leave_one_lock(locking_app, monkeypatch):
    """The second of two parallel lockings finds the first's row (unique per account)."""
    from core.security import lockout

    with locking_app.test_request_context("/login/", method="POST"):
        sm = locking_app.appbuilder.sm
        user = sm.find_user(username="tina")
        user.fail_login_count = 3
        first = lockout.record_failure(db.session, user)
        real_find = lockout.find_lock
        calls = iter([None])  # the parallel request has not seen the first lock yet
        monkeypatch.setattr(
            lockout, "find_lock", lambda session, user_id: next(calls, real_find(session, user_id))
        )
        user.fail_login_count = 3
        second = lockout.record_failure(db.session, user)
        assert second is not None and second.id == first.id
        assert db.session.scalars(select(LoginLock)).all() == [second]
