"""The audit log: every create, update and delete, with who, when, old and new values."""

import datetime
import decimal
import enum
import json

import pytest
from sqlalchemy import event, select

from core.audit.models import AuditLog
from core.audit.service import audit_actor, audit_url, jsonable, without_audit
from core.extensions import db
from core.testing import create_user

SAMPLE = ["sample_alpha"]


@pytest.fixture
def app(make_app):
    flask_app = make_app(plugins=SAMPLE, packages=SAMPLE)
    with flask_app.app_context():
        yield flask_app


def entries(table="sample_alpha_note", record_id=None):
    query = select(AuditLog).where(AuditLog.table_name == table).order_by(AuditLog.id)
    if record_id is not None:
        query = query.where(AuditLog.record_id == str(record_id))
    return list(db.session.scalars(query))


def grant_audit_reader(app, role_name="Auditor"):
    sm = app.appbuilder.sm
    role = sm.find_role(role_name) or sm.add_role(role_name)
    for permission, view_menu in [
        ("can_read", "core_audit_log"),
        ("menu_access", "Audit log"),
        ("menu_access", "Admin"),
    ]:
        sm.add_permission_role(role, sm.add_permission_view_menu(permission, view_menu))
    return role


def new_note(title):
    from sample_alpha.models import AlphaNote

    note = AlphaNote(title=title)
    db.session.add(note)
    db.session.commit()
    return note


def test_creating_a_note_on_the_screen_logs_the_user_time_and_new_values(app, client, login_as):
    user = login_as("Alpha User", username="alice")
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    response = client.post("/alphanoteview/add", data={"title": "Pump inspection"})
    assert response.status_code == 302
    [entry] = entries()
    assert entry.action == "create"
    assert (entry.user_id, entry.username) == (user.id, "alice")
    assert entry.at.replace(tzinfo=None) >= before.replace(microsecond=0)
    assert entry.changes == {"id": int(entry.record_id), "title": "Pump inspection"}
    assert entry.record_label == "Pump inspection"


def test_changing_a_note_logs_only_the_changed_field_with_old_and_new(app):
    note = new_note("Draft")  # committed: its attributes are expired now
    with audit_actor("cli:admin"):
        note.title = "Final"
        db.session.commit()
    created, updated = entries(record_id=note.id)
    assert created.action == "create"
    assert updated.action == "update"
    assert updated.changes == {"title": ["Draft", "Final"]}
    assert (updated.user_id, updated.username) == (None, "cli:admin")


def test_changes_made_by_a_command_name_the_operating_system_user(app):
    import getpass

    import click

    with click.Context(click.Command("import-notes")):
        new_note("Imported")
    [entry] = entries()
    assert (entry.user_id, entry.username) == (None, f"cli:{getpass.getuser()}")


def test_setting_the_same_value_again_logs_nothing(app):
    note = new_note("Same")
    note.title = "Same"
    db.session.commit()
    assert [e.action for e in entries(record_id=note.id)] == ["create"]


def test_deleting_a_note_logs_its_old_values(app):
    note = new_note("To be removed")
    note_id = note.id
    db.session.delete(note)
    db.session.commit()
    deleted = entries(record_id=note_id)[-1]
    assert deleted.action == "delete"
    assert deleted.changes == {"id": note_id, "title": "To be removed"}
    assert deleted.username == "system"


def test_a_rolled_back_change_leaves_no_audit_row(app):
    from sample_alpha.models import AlphaNote

    db.session.add(AlphaNote(title="Never happened"))
    db.session.flush()
    assert len(entries()) == 1  # written in the same transaction...
    db.session.rollback()
    assert entries() == []  # ...and gone with it


def test_models_that_opt_out_are_not_logged(app):
    from core.modules.service import bump_generation

    bump_generation(db.session)
    db.session.commit()
    assert entries("core_module_generation") == []
    assert entries("core_audit_log") == []


def test_without_audit_skips_bulk_loads(app):
    with without_audit():
        new_note("Demo note")
    assert entries() == []


def test_passwords_never_reach_the_audit_log(app):
    sm = app.appbuilder.sm
    user = create_user(app, ["Alpha User"], username="bob", password="first-Secret-1")
    first_hash = user.password
    sm.reset_password(user.id, "second-Secret-2")
    second_hash = sm.get_user_by_id(user.id).password
    rows = entries("ab_user", user.id)
    assert [r.action for r in rows] == ["create", "update"]
    text = json.dumps([r.changes for r in rows])
    assert first_hash not in text and second_hash not in text
    assert "first-Secret-1" not in text and "second-Secret-2" not in text
    assert "password" not in rows[0].changes
    assert rows[1].changes["password"] == ["[redacted]", "[redacted]"]


def test_a_users_roles_are_logged_but_logins_are_not(app, client):
    sm = app.appbuilder.sm
    user = create_user(app, ["Alpha User"], username="carol")
    assert entries("ab_user", user.id)[0].changes["roles"] == ["Alpha User"]
    user.roles = [sm.find_role("Admin")]
    db.session.commit()
    change = entries("ab_user", user.id)[-1]
    assert change.changes == {"roles": {"added": ["Admin"], "removed": ["Alpha User"]}}
    count = len(entries("ab_user", user.id))
    client.post("/login/", data={"username": "carol", "password": "s3cret-pass"})
    assert len(entries("ab_user", user.id)) == count  # login statistics are not audited


def test_values_are_stored_as_safe_json():
    class Colour(enum.Enum):
        RED = "red"

    value = {
        "amount": decimal.Decimal("99999999999999.99"),
        "day": datetime.date(2026, 3, 1),
        "at": datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC),
        "colour": Colour.RED,
        "raw": b"\x00\x01",
        "tags": {"b", "a"},
    }
    stored = jsonable(value)
    assert json.loads(json.dumps(stored)) == {
        "amount": "99999999999999.99",
        "day": "2026-03-01",
        "at": "2026-03-01T08:30:00+00:00",
        "colour": "red",
        "raw": "base64:AAE=",
        "tags": ["a", "b"],
    }


def test_audit_screen_requires_the_permission(app, client, login_as):
    assert client.get("/auditlog/list/").status_code == 302  # to the login page
    login_as("Alpha User")
    assert client.get("/auditlog/list/").status_code == 403
    assert client.get("/auditlog/record/sample_alpha_note/1").status_code == 403


def test_audit_screen_lists_newest_first_and_filters_by_record(app, client, login_as):
    grant_audit_reader(app)
    new_note("First note")
    second = new_note("Second note")
    second.title = "Second note, revised"
    db.session.commit()
    login_as("Auditor")
    page = client.get("/auditlog/list/?_flt_3_table_name=sample_alpha_note")
    assert page.status_code == 200
    text = page.text
    assert text.index("Second note, revised") < text.index("First note")
    history_url = audit_url(second)
    assert history_url == f"/auditlog/record/sample_alpha_note/{second.id}"
    history = client.get(history_url)
    assert history.status_code == 200
    assert "Second note, revised" in history.text
    assert "First note" not in history.text
    assert history.text.count('class="audit-entry"') == 2


def test_audit_screen_cannot_add_edit_or_delete(app, client, login_as):
    new_note("Keep me")
    [entry] = entries()
    login_as("Admin")
    assert client.get(f"/auditlog/show/{entry.id}").status_code == 200
    assert client.get("/auditlog/add").status_code == 404
    assert client.get(f"/auditlog/edit/{entry.id}").status_code == 404
    assert client.get(f"/auditlog/delete/{entry.id}").status_code == 404
    assert client.post(f"/auditlog/delete/{entry.id}").status_code in (404, 405)
    assert len(entries()) == 1


def test_api_lists_and_filters_with_a_bounded_number_of_queries(app, client, api_headers):
    grant_audit_reader(app)
    headers = api_headers("Auditor")
    for number in range(30):
        new_note(f"Note {number}")
    statements = []

    def count(*_args):
        statements.append(1)

    def list_page(size):
        statements.clear()
        query = f"(filters:!((col:table_name,opr:eq,value:sample_alpha_note)),page_size:{size})"
        response = client.get(f"/api/v1/audit_log/?q={query}", headers=headers)
        assert response.status_code == 200, response.text
        return response.json, len(statements)

    list_page(1)  # warm-up: the first request loads the user and its permissions
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        small, small_count = list_page(5)
        large, large_count = list_page(25)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(small["result"]) == 5 and len(large["result"]) == 25
    assert small["count"] == large["count"] == 30
    assert small["result"][0]["changes"] == {"id": 30, "title": "Note 29"}  # newest first
    assert small_count == large_count


def test_api_is_read_only_and_needs_the_permission(app, client, api_headers):
    new_note("Read only")
    assert client.get("/api/v1/audit_log/").status_code == 401
    assert client.get("/api/v1/audit_log/", headers=api_headers("Alpha User")).status_code == 403
    grant_audit_reader(app)
    headers = api_headers("Auditor")
    [entry] = entries()
    assert client.get(f"/api/v1/audit_log/{entry.id}", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/audit_log/{entry.id}", headers=headers).status_code in (
        404,
        405,
    )
    assert client.post("/api/v1/audit_log/", json={}, headers=headers).status_code in (404, 405)
    assert len(entries()) == 1
