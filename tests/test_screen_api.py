"""core.screen_api: a screen's REST API made from the screen, and ``Screen(api=...)``."""

from __future__ import annotations

import pytest

from core.declare import Screen, declare
from core.testing import create_user, token_headers

URL = "/api/v1/ticket_screen/"


@pytest.fixture
def checked_app(make_app):
    """sample_checked, whose TicketView also serves as the ``ticket_screen`` API."""
    app = make_app(plugins=["sample_checked"], packages=["sample_checked"])
    with app.app_context():
        create_user(app, ["Ticket Writer"], "ann")
        create_user(app, [], "nobody")
    return app


def test_the_api_runs_the_screens_rule_and_fills_what_prepare_fills(checked_app):
    client = checked_app.test_client()
    headers = token_headers(client, "ann")
    made = client.post(URL, json={"title": "Pump noise"}, headers=headers)
    assert made.status_code == 201, made.json
    assert (made.json["result"]["reference"], made.json["result"]["due_on"]) == (
        "T-1",
        "2026-01-31",
    )
    blank = client.post(URL, json={"title": " "}, headers=headers)
    assert (blank.status_code, blank.json["field"]) == (422, "title")
    listed = client.get(URL, headers=headers).json
    assert listed["list_columns"] == ["id", "title", "reference", "due_on"]
    assert [row["title"] for row in listed["result"]] == ["Pump noise"]
    assert listed["label_columns"]["title"] == "Subject"  # the screen's label


def test_the_api_asks_for_the_screens_permission(checked_app):
    client = checked_app.test_client()
    headers = token_headers(client, "nobody")
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json={"title": "Leak"}, headers=headers).status_code == 403


def test_api_for_copies_the_screen_and_shows_relations_by_id():
    from sample_states.plugin import PermitView

    from core.screen_api import api_columns, api_for
    from core.states.api import StatefulApi

    api = api_for(PermitView, "permit_copy")
    assert issubclass(api, StatefulApi) and api.__name__ == "PermitViewApi"
    assert (api.resource_name, api.class_permission_name) == (
        "permit_copy",
        PermitView.class_permission_name,
    )
    assert api.state_machine is PermitView.state_machine
    assert api.list_columns == ["id", "number", "holder", "state", "state_reason"]

    class Shown:
        add_columns = edit_columns = ["customer", "lent_on"]
        show_columns = ["serial", "customer.name", "lent_on"]

    assert api_columns(Shown) == ["id", "customer", "lent_on", "serial"]


def test_a_declared_screen_with_an_api_registers_both():
    namespace = {"__name__": "pkg.plugin"}
    declare(namespace, screens=[Screen("sample_checked.plugin:TicketView", "Tickets", api="t")])
    assert {"aftersales_register_views", "aftersales_register_apis"} <= set(namespace)

    class Builder:
        apis: list[type] = []

        def add_api(self, api: type) -> None:
            self.apis.append(api)

    builder = Builder()
    namespace["aftersales_register_apis"](builder)
    assert [(a.__name__, a.resource_name) for a in builder.apis] == [("TicketViewApi", "t")]
