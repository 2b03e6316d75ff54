"""core.extension_fields: sample_extend adds a colour, a due date and a page count to
sample_alpha's notes, on their form, record page and API, without touching their table."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.types import Float

from core.extension_fields import ExtensionField, extension_table
from core.extensions import db
from core.testing import create_user, token_headers

BOTH = ["sample_alpha", "sample_extend"]


def build(make_app, plugins=BOTH):
    app = make_app(plugins=plugins, packages=BOTH)
    with app.app_context():
        if not app.appbuilder.sm.find_user(username="root"):
            create_user(app, ["Admin"], "root")
    return app


def log_in(app):
    client = app.test_client()
    answer = client.post("/login/", data={"username": "root", "password": "s3cret-pass"})
    assert answer.status_code == 302
    return client


def stored(app):
    """``[(title, colour, due, pages)]`` of every note as the database has them."""
    from sample_alpha.models import AlphaNote
    from sample_extend.models import NoteExtras

    with app.app_context():
        rows = db.session.execute(
            select(AlphaNote.title, NoteExtras.extend_colour, NoteExtras.extend_due,
                   NoteExtras.extend_pages)
            .outerjoin(NoteExtras, NoteExtras.record_id == AlphaNote.id)
            .order_by(AlphaNote.id)
        )  # fmt: skip
        return [(t, c, str(d) if d else None, p) for t, c, d, p in rows]


def test_the_form_and_record_page_carry_the_other_plugins_fields(make_app):
    app = build(make_app)
    client = log_in(app)
    form = client.get("/alphanoteview/add").text
    assert 'name="extend_colour"' in form and 'name="extend_due"' in form
    saved = client.post(
        "/alphanoteview/add",
        data={"title": "Leak", "extend_colour": "red", "extend_due": "2026-05-01",
              "extend_pages": "3"},
    )  # fmt: skip
    assert saved.status_code == 302, saved.text[:300]
    assert stored(app) == [("Leak", "red", "2026-05-01", 3)]
    client.post("/alphanoteview/add", data={"title": "Plain"})
    assert stored(app)[1] == ("Plain", None, None, None)  # no side row without a value
    with app.app_context():
        from sample_alpha.models import AlphaNote

        pk = db.session.scalar(select(AlphaNote.id).where(AlphaNote.title == "Leak"))
    page = client.get(f"/alphanoteview/show/{pk}").text
    assert "Colour" in page and "red" in page and "2026-05-01" in page
    edit = client.get(f"/alphanoteview/edit/{pk}").text
    assert 'value="red"' in edit
    client.post(f"/alphanoteview/edit/{pk}", data={"title": "Leak", "extend_colour": "blue"})
    assert stored(app)[0] == ("Leak", "blue", None, None)
    refused = client.post("/alphanoteview/add", data={"title": "Long", "extend_colour": "x" * 21})
    assert refused.status_code == 200  # the form again, with the error
    assert [row[0] for row in stored(app)] == ["Leak", "Plain"]


def test_the_api_returns_and_takes_the_fields_and_refuses_bad_values(make_app):
    app = build(make_app)
    client = app.test_client()
    headers = token_headers(client, "root")
    body = {"title": "Pump", "extend_colour": "green", "extend_due": "2026-06-30"}
    created = client.post("/api/v1/alpha_note/", json=body, headers=headers)
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    record = client.get(f"/api/v1/alpha_note/{pk}", headers=headers).json["result"]
    assert (record["extend_colour"], record["extend_due"], record["extend_pages"]) == (
        "green",
        "2026-06-30",
        None,
    )
    changed = client.put(f"/api/v1/alpha_note/{pk}", json={"extend_pages": 12}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert stored(app) == [("Pump", "green", "2026-06-30", 12)]
    for bad, field in (({"extend_pages": "many"}, "extend_pages"),
                       ({"extend_colour": "x" * 21}, "extend_colour"),
                       ({"extend_due": "someday"}, "extend_due")):  # fmt: skip
        answer = client.put(f"/api/v1/alpha_note/{pk}", json=bad, headers=headers)
        assert (answer.status_code, answer.json["field"]) == (422, field)
    assert stored(app) == [("Pump", "green", "2026-06-30", 12)]
    info = client.get("/api/v1/alpha_note/_info?q=(keys:!(add_columns))", headers=headers)
    labels = {c["name"]: c["label"] for c in info.json["add_columns"]}
    assert labels["extend_colour"] == "Colour"


def test_without_the_extending_plugin_the_fields_vanish_and_the_data_stays(make_app):
    app = build(make_app)
    client = app.test_client()
    headers = token_headers(client, "root")
    body = {"title": "Kept", "extend_colour": "red"}
    assert client.post("/api/v1/alpha_note/", json=body, headers=headers).status_code == 201
    alone = build(make_app, plugins=["sample_alpha"])
    client = alone.test_client()
    headers = token_headers(client, "root")
    pk = client.get("/api/v1/alpha_note/", headers=headers).json["ids"][0]
    record = client.get(f"/api/v1/alpha_note/{pk}", headers=headers).json["result"]
    assert "extend_colour" not in record
    refused = client.put(f"/api/v1/alpha_note/{pk}", json={"extend_colour": "x"}, headers=headers)
    assert refused.status_code == 422
    assert 'name="extend_colour"' not in log_in(alone).get("/alphanoteview/add").text
    assert stored(app) == [("Kept", "red", None, None)]


def test_the_side_table_is_the_extending_plugins_and_follows_the_record(make_app):
    app = build(make_app)
    with app.app_context():
        from sample_alpha.models import AlphaNote
        from sample_extend.models import NoteExtras

        assert "sample_extend_note" in inspect(db.engine).get_table_names()
        assert "extend_colour" not in {c["name"] for c in inspect(db.engine).get_columns(
            "sample_alpha_note")}  # fmt: skip
        note = AlphaNote(title="Gone")
        note.extend_colour = "red"
        db.session.add(note)
        db.session.commit()
        db.session.delete(note)
        db.session.commit()
        assert db.session.scalars(select(NoteExtras)).all() == []


def test_a_clashing_key_or_an_unsupported_type_is_refused():
    from sample_alpha.models import AlphaNote

    with pytest.raises(ValueError, match="already has 'title'"):
        extension_table("sample_x_note", AlphaNote, title=ExtensionField(Float(), "T"))
    with pytest.raises(ValueError, match="not Float"):
        extension_table("sample_x_note", AlphaNote, x_ratio=ExtensionField(Float(), "Ratio"))
