"""core.crud: a required column that the service's ``prepare`` fills (``filled_by_prepare``)
may be left out of the screen's form and of the API's body."""

import pytest
from sqlalchemy import select

from core.extensions import db
from core.testing import create_user, token_headers


@pytest.fixture
def checked_app(make_app):
    app = make_app(plugins=["sample_checked"], packages=["sample_checked"])
    with app.app_context():
        create_user(app, ["Ticket Writer"], "ann")
        yield app


def tickets():
    from sample_checked.models import Ticket

    return db.session.scalars(select(Ticket).order_by(Ticket.id)).all()


def test_the_api_takes_a_body_without_the_columns_prepare_fills(checked_app):
    client = checked_app.test_client()
    headers = token_headers(client, "ann")
    answer = client.post("/api/v1/checked_ticket/", json={"title": "Pump noise"}, headers=headers)
    assert answer.status_code == 201, answer.json
    assert answer.json["result"]["reference"] == "T-1"
    assert answer.json["result"]["due_on"] == "2026-01-31"
    given = {"title": "Leak", "reference": "MINE-7", "due_on": "2026-03-01"}
    assert client.post("/api/v1/checked_ticket/", json=given, headers=headers).status_code == 201
    assert [(t.reference, str(t.due_on)) for t in tickets()] == [
        ("T-1", "2026-01-31"),
        ("MINE-7", "2026-03-01"),
    ]
    info = client.get("/api/v1/checked_ticket/_info?q=(keys:!(add_columns))", headers=headers)
    required = {column["name"]: column["required"] for column in info.json["add_columns"]}
    assert required == {"title": True, "reference": False, "due_on": False}


def test_prepare_still_refuses_and_an_api_without_the_list_still_requires(checked_app):
    client = checked_app.test_client()
    headers = token_headers(client, "ann")
    answer = client.post("/api/v1/checked_ticket/", json={"title": " "}, headers=headers)
    assert answer.status_code == 422
    assert answer.json["field"] == "title"
    answer = client.post("/api/v1/strict_ticket/", json={"title": "Noise"}, headers=headers)
    assert answer.status_code == 422
    assert answer.json["field"] in {"reference", "due_on"}
    assert tickets() == []


def test_the_screen_saves_a_form_left_without_the_columns_prepare_fills(checked_app):
    client = checked_app.test_client()
    login = client.post("/login/", data={"username": "ann", "password": "s3cret-pass"})
    assert login.status_code == 302
    page = client.get("/checked/tickets/add")
    assert page.status_code == 200
    answer = client.post(
        "/checked/tickets/add", data={"title": "Door sensor", "reference": "", "due_on": ""}
    )
    assert answer.status_code == 302, answer.text
    assert [(t.title, t.reference, str(t.due_on)) for t in tickets()] == [
        ("Door sensor", "T-1", "2026-01-31")
    ]
