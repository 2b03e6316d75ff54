"""Row rules (core.visibility) and id-only relation fields (core.relations), on a throwaway
plugin whose folders only their owner sees and whose pages follow their folder."""

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.testing import create_user, token_headers

PACKAGES = ["sample_rows"]


@pytest.fixture
def rows_app(make_app):
    app = make_app(plugins=["sample_rows"], packages=PACKAGES)
    with app.app_context():
        yield app


@pytest.fixture
def world(rows_app):
    from sample_rows.models import Folder, Page, Tag

    ann = create_user(rows_app, ["Rows Writer"], "ann")
    bob = create_user(rows_app, ["Rows Writer"], "bob")
    mine = Folder(name="Ann's folder", owner=ann)
    theirs = Folder(name="Bob's folder", owner=bob)
    tag = Tag(name="urgent")
    db.session.add_all([mine, theirs, tag])
    db.session.flush()
    db.session.add_all(
        [Page(title="Ann's page", folder=mine), Page(title="Bob's page", folder=theirs)]
    )
    db.session.commit()
    return {"ann": ann, "bob": bob, "mine": mine, "theirs": theirs, "tag": tag}


def token(client, username):
    return token_headers(client, username)


def log_in(client, username):
    answer = client.post("/login/", data={"username": username, "password": "s3cret-pass"})
    assert answer.status_code == 302


def shows(html, text):
    """Whether the page ``html`` shows ``text`` (its apostrophes escaped or not)."""
    return text in html or text.replace("'", "&#39;") in html


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_screens_show_only_the_rows_the_rule_lets_the_user_see(rows_app, world):
    client = rows_app.test_client()
    log_in(client, "ann")
    folders = client.get("/rows/folders/list/").text
    assert shows(folders, "Ann's folder")
    assert "Bob" not in folders
    pages = client.get("/rows/pages/list/").text
    assert shows(pages, "Ann's page")
    assert not shows(pages, "Bob's page")
    theirs = world["theirs"].id
    assert client.get(f"/rows/folders/show/{theirs}").status_code in (302, 404)
    assert "Bob" not in client.get(f"/rows/folders/show/{theirs}", follow_redirects=True).text
    client.post(f"/rows/folders/edit/{theirs}", data={"name": "taken over"})
    client.post(f"/rows/folders/delete/{theirs}")
    db.session.expire_all()
    assert db.session.get(type(world["theirs"]), theirs).name == "Bob's folder"


def test_pickers_and_filters_offer_only_visible_rows(rows_app, world):
    client = rows_app.test_client()
    log_in(client, "ann")
    form = client.get("/rows/pages/add").text
    assert shows(form, "Ann's folder")
    assert "Bob" not in form
    search = client.get("/rows/pages/list/").text
    assert "Bob" not in search
    info = client.get("/api/v1/rows_page/_info", headers=token(client, "ann")).json
    folder_field = next(f for f in info["add_columns"] if f["name"] == "folder")
    assert [v["value"] for v in folder_field["values"]] == ["Ann's folder"]


def test_an_action_on_a_hidden_row_is_not_found(rows_app, world):
    client = rows_app.test_client()
    log_in(client, "ann")
    theirs = world["theirs"].id
    assert client.get(f"/rows/folders/action/rename/{theirs}").status_code == 404
    answer = client.post(
        "/rows/folders/action_post",
        data={"action": "rename", "rowid": [world["mine"].id, theirs]},
    )
    assert answer.status_code == 404
    db.session.expire_all()
    assert world["theirs"].name == "Bob's folder" and world["mine"].name == "Ann's folder"
    assert client.get(f"/rows/folders/action/rename/{world['mine'].id}").status_code == 302


def test_the_api_serves_only_visible_rows(rows_app, world):
    client = rows_app.test_client()
    ann = token(client, "ann")
    listed = client.get("/api/v1/rows_page/", headers=ann).json
    assert [row["title"] for row in listed["result"]] == ["Ann's page"] and listed["count"] == 1
    theirs = world["theirs"].id
    assert client.get(f"/api/v1/rows_folder/{theirs}", headers=ann).status_code == 404
    assert (
        client.put(f"/api/v1/rows_folder/{theirs}", json={"name": "x"}, headers=ann).status_code
        == 404
    )
    assert client.delete(f"/api/v1/rows_folder/{theirs}", headers=ann).status_code == 404


def test_an_auditor_sees_every_row(rows_app, world):
    create_user(rows_app, ["Rows Auditor"], "ada")
    client = rows_app.test_client()
    listed = client.get("/api/v1/rows_page/", headers=token(client, "ada")).json
    assert sorted(row["title"] for row in listed["result"]) == ["Ann's page", "Bob's page"]


@pytest.mark.parametrize(
    "value, says",
    [
        ({"name": "made up", "owner_id": 1}, "not an object"),
        ({}, "not an object"),
        ("1", "whole number"),
        (1.0, "whole number"),
        (True, "whole number"),
        ([1], "whole number"),
        (999999, "no record with id 999999"),
        (2**70, "out of range"),  # core.api_input refuses it before the field reads it
        (-1, "no record with id"),
    ],
)
def test_a_relation_field_takes_the_id_of_an_existing_row_only(rows_app, world, value, says):
    from sample_rows.models import Folder, Page

    client = rows_app.test_client()
    folders, pages = count(Folder), count(Page)
    answer = client.post(
        "/api/v1/rows_page/", json={"title": "new", "folder": value}, headers=token(client, "ann")
    )
    assert answer.status_code == 422, answer.text
    assert answer.json["field"] == "folder" and says in answer.json["message"]
    assert "SQL" not in answer.text
    assert (count(Folder), count(Page)) == (folders, pages)


def test_a_hidden_row_is_refused_like_a_missing_one(rows_app, world):
    from sample_rows.models import Page

    client = rows_app.test_client()
    ann = token(client, "ann")
    theirs = world["theirs"].id
    answer = client.post("/api/v1/rows_page/", json={"title": "x", "folder": theirs}, headers=ann)
    assert answer.status_code == 422
    assert answer.json["message"] == f"folder: no record with id {theirs}"
    assert answer.json["errors"] == {"folder": [f"no record with id {theirs}"]}
    mine = db.session.scalar(select(Page.id).where(Page.title == "Ann's page"))
    moved = client.put(f"/api/v1/rows_page/{mine}", json={"folder": theirs}, headers=ann)
    assert moved.status_code == 422 and moved.json["field"] == "folder"
    created = client.post(
        "/api/v1/rows_page/", json={"title": "ok", "folder": world["mine"].id}, headers=ann
    )
    assert created.status_code == 201 and created.json["result"]["folder"] == world["mine"].id


def test_a_nested_object_never_creates_a_login_account(rows_app, world):
    sm = rows_app.appbuilder.sm
    users = count(sm.user_model)
    client = rows_app.test_client()
    answer = client.put(
        f"/api/v1/rows_folder/{world['mine'].id}",
        json={"owner": {"username": "intruder", "password": "x", "active": True}},
        headers=token(client, "ann"),
    )
    assert answer.status_code == 422 and answer.json["field"] == "owner"
    assert count(sm.user_model) == users and sm.find_user("intruder") is None


def test_a_list_relation_takes_a_list_of_readable_ids(rows_app, world):
    client = rows_app.test_client()
    ann = token(client, "ann")
    mine, tag = world["mine"].id, world["tag"].id
    body = {"title": "tagged", "folder": mine, "tags": [tag, tag]}
    created = client.post("/api/v1/rows_page/", json=body, headers=ann)
    assert created.status_code == 201 and created.json["result"]["tags"] == [tag]
    for tags, says in (
        (tag, "list of ids"),
        ([{"name": "new"}], "not an object"),
        ([tag, 999999], "999999"),
    ):
        answer = client.post("/api/v1/rows_page/", json={**body, "tags": tags}, headers=ann)
        assert answer.status_code == 422 and answer.json["field"] == "tags"
        assert says in answer.json["message"]
    from sample_rows.models import Folder

    una_folder = Folder(name="Una's", owner=create_user(rows_app, ["Rows Untagged"], "una"))
    db.session.add(una_folder)
    db.session.commit()
    una = token(client, "una")
    refused = client.post(
        "/api/v1/rows_page/",
        json={"title": "t", "folder": una_folder.id, "tags": [tag]},
        headers=una,
    )
    assert refused.status_code == 422 and "may not read" in refused.json["message"]
