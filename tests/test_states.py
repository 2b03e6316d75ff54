"""core.states: a state machine declared once gives the column and its CHECK, the labels,
the refusals, the audit and the event, the screen's buttons and status bar, and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from core.audit.service import record_history
from core.errors import RuleError
from core.events import events_published
from core.extensions import db
from core.i18n import ensure_compiled
from core.states import State, StateChanged, StateMachine, Transition
from core.testing import create_user, token_headers

PACKAGES = ["sample_states"]
SAMPLE_CATALOGS = Path(__file__).parent / "sample_plugins" / "sample_states" / "translations"


@pytest.fixture
def states_app(make_app):
    """The app, with no app context kept open: each request has its own ``g`` (the signed-in
    user), so that two users can act in one test."""
    ensure_compiled([SAMPLE_CATALOGS])
    app = make_app(plugins=PACKAGES, packages=PACKAGES)
    with app.app_context():
        for role in ("Permit Clerk", "Permit Approver", "Permit Reader"):
            create_user(app, [role], role.split()[1].lower())
    return app


@pytest.fixture
def context(states_app):
    with states_app.app_context():
        yield states_app


def permit(number="P-1", holder="Ann Li", state=None):
    """A permit saved in the current app context; its id."""
    from sample_states.models import Permit

    record = Permit(number=number, holder=holder, **({"state": state} if state else {}))
    db.session.add(record)
    db.session.commit()
    return record


def saved(app, holder="Ann Li", state=None):
    """A permit P-1 saved in an app context of its own; its id."""
    with app.app_context():
        return permit(holder=holder, state=state).id


def stored(app, pk):
    """``(state, state_reason)`` of permit ``pk`` as the database has it now."""
    from sample_states.models import Permit

    with app.app_context():
        record = db.session.get(Permit, pk)
        return record.state, record.state_reason


def refusal(call):
    with pytest.raises(RuleError) as caught:
        call()
    return caught.value


def test_a_machine_that_names_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="transition 'go': unknown state 'gone'"):
        StateMachine([State("new", "New")], [Transition("go", "Go", ["new"], "gone")])
    with pytest.raises(ValueError, match="initial state 'old'"):
        StateMachine([State("new", "New")], [], initial="old")


def test_a_move_checks_the_state_the_rule_and_the_reason_before_changing_anything(context):
    from sample_states.models import PERMIT_STATES

    draft = permit(holder=None)
    assert draft.state == "draft"
    assert [t.name for t in PERMIT_STATES.available(draft)] == []  # no holder: no submit
    error = refusal(lambda: PERMIT_STATES.move(db.session, draft, "submit"))
    assert (error.field, error.status, error.message) == (
        "state",
        409,
        "holder: is required to submit",
    )
    error = refusal(lambda: PERMIT_STATES.move(db.session, draft, "approve"))
    assert (error.status, error.message) == (
        409,
        "state: cannot Approve while it is Draft (allowed from: Submitted)",
    )
    assert refusal(lambda: PERMIT_STATES.move(db.session, draft, "fly")).status == 404
    draft.holder = "Ann Li"
    with events_published(StateChanged) as events:
        PERMIT_STATES.move(db.session, draft, "submit")
        error = refusal(lambda: PERMIT_STATES.move(db.session, draft, "reject", reason="  "))
        assert (error.field, error.status) == ("reason", 422)
        assert draft.state == "submitted"
        PERMIT_STATES.move(db.session, draft, "reject", reason="Wrong site")
    db.session.commit()
    assert [(e.action, e.from_state, e.to_state, e.reason) for e in events] == [
        ("submit", "draft", "submitted", None),
        ("reject", "submitted", "rejected", "Wrong site"),
    ]
    assert (draft.state, draft.state_reason) == ("rejected", "Wrong site")
    history = record_history(db.session, "sample_states_permit", draft.id)
    moves = [
        (entry.changes["state"], entry.changes.get("state_reason"))
        for entry in history
        if "state" in entry.changes and entry.action == "update"
    ]
    assert [["submitted", "rejected"], [None, "Wrong site"]] in [list(m) for m in moves], moves


def test_the_database_refuses_a_state_the_machine_does_not_declare(context):
    from sample_states.models import Permit

    with pytest.raises(IntegrityError):
        db.session.execute(insert(Permit).values(number="P-9", state="lost"))
        db.session.flush()
    db.session.rollback()


def log_in(app, username):
    client = app.test_client()
    answer = client.post("/login/", data={"username": username, "password": "s3cret-pass"})
    assert answer.status_code == 302
    return client


def test_the_page_shows_the_status_bar_and_only_the_buttons_the_state_and_user_allow(
    states_app,
):
    pk = saved(states_app)
    clerk = log_in(states_app, "clerk")
    page = clerk.get(f"/states/permits/show/{pk}").text
    assert 'class="as-statusbar"' in page
    assert 'aria-current="step">Draft</li>' in page
    assert "Rejected</li>" not in page  # a closed state shows only when current
    assert "None" not in page  # no reason yet: an empty cell
    assert "/action/submit/" in page and "/action/approve/" not in page
    done = clerk.post(f"/states/permits/action/submit/{pk}", follow_redirects=True)
    assert "P-1 is now Submitted." in done.text
    assert "/action/reject/" in done.text and "/action/approve/" not in done.text
    clerk.post(f"/states/permits/action/approve/{pk}")  # without can_approve
    assert stored(states_app, pk) == ("submitted", None)
    approver = log_in(states_app, "approver")
    assert "/action/approve/" in approver.get(f"/states/permits/show/{pk}").text
    approver.post(f"/states/permits/action/approve/{pk}")
    assert stored(states_app, pk) == ("approved", None)


def test_an_action_that_needs_a_reason_asks_for_it(states_app):
    pk = saved(states_app, state="submitted")
    clerk = log_in(states_app, "clerk")
    answer = clerk.post(f"/states/permits/action/reject/{pk}")
    assert answer.headers["Location"].endswith(f"/states/permits/state/{pk}/reject")
    form = clerk.get(f"/states/permits/state/{pk}/reject")
    assert form.status_code == 200 and 'name="reason"' in form.text
    empty = clerk.post(f"/states/permits/state/{pk}/reject", data={"reason": ""})
    assert "reason: is required to Reject" in empty.text
    assert stored(states_app, pk) == ("submitted", None)
    done = clerk.post(
        f"/states/permits/state/{pk}/reject", data={"reason": "Site closed"}, follow_redirects=True
    )
    assert "P-1 is now Rejected." in done.text
    assert 'aria-current="step">Rejected</li>' in done.text
    assert stored(states_app, pk) == ("rejected", "Site closed")
    reader = log_in(states_app, "reader")
    assert reader.get(f"/states/permits/state/{pk}/reopen").status_code != 200
    assert clerk.get(f"/states/permits/state/{pk + 1}/reopen").status_code == 404


@pytest.mark.parametrize(
    ("language", "draft", "now_submitted"),
    [
        ("en", "Draft", "P-1 is now Submitted."),
        ("zh", "草稿", "P-1 现为已提交。"),
        ("zh_TW", "草稿", "P-1 現為已提交。"),
    ],
)
def test_list_buttons_and_messages_speak_the_users_language(
    states_app, language, draft, now_submitted
):
    pk = saved(states_app)
    clerk = log_in(states_app, "clerk")
    assert clerk.get(f"/lang/{language}").status_code == 302
    page = clerk.get("/states/permits/list/").text
    assert f"<td>{draft}</td>" in page.replace(" ", "").replace("\n", "")
    done = clerk.post(f"/states/permits/action/submit/{pk}", follow_redirects=True)
    assert now_submitted in done.text
    refused = clerk.post(f"/states/permits/action/submit/{pk}", follow_redirects=True)
    assert ("cannot" in refused.text) is (language == "en")


@pytest.mark.parametrize("resource", ["permit", "permit_screen"])
def test_the_api_lists_and_runs_the_actions_with_their_refusals(states_app, resource):
    """The hand-written API and the one made from the screen (core.screen_api) alike."""
    pk = saved(states_app)
    client = states_app.test_client()
    clerk = token_headers(client, "clerk")
    approver = token_headers(client, "approver")
    reader = token_headers(client, "reader")
    base = f"/api/v1/{resource}/{pk}/actions"
    listed = client.get(base, headers=clerk)
    assert listed.status_code == 200
    assert listed.json["state"] == "draft" and listed.json["state_label"] == "Draft"
    assert [a["name"] for a in listed.json["actions"]] == ["submit"]
    assert client.post(f"{base}/submit", headers=reader).status_code == 403
    wrong = client.post(f"{base}/approve", headers=approver)
    assert (wrong.status_code, wrong.json["field"]) == (409, "state")
    done = client.post(f"{base}/submit", headers=clerk)
    assert done.status_code == 200 and done.json["state"] == "submitted"
    assert [a["name"] for a in done.json["actions"]] == ["reject"]  # the clerk may not approve
    denied = client.post(f"{base}/approve", headers=clerk)
    assert (denied.status_code, denied.json["field"]) == (403, "action")
    no_reason = client.post(f"{base}/reject", json={}, headers=clerk)
    assert (no_reason.status_code, no_reason.json["field"]) == (422, "reason")
    long_reason = client.post(f"{base}/reject", json={"reason": "x" * 1001}, headers=clerk)
    assert (long_reason.status_code, long_reason.json["field"]) == (422, "reason")
    assert client.post(f"{base}/fly", headers=clerk).status_code == 404
    assert client.get(f"/api/v1/{resource}/{pk + 1}/actions", headers=clerk).status_code == 404
    approved = client.post(f"{base}/approve", headers=approver)
    assert approved.json["state"] == "approved" and approved.json["actions"] == []
    typed = client.put(f"/api/v1/{resource}/{pk}", json={"state": "draft"}, headers=clerk)
    assert typed.status_code == 422
    assert stored(states_app, pk) == ("approved", None)


def test_a_screen_that_lets_users_type_the_state_stops_start_up():
    from flask_appbuilder.models.sqla.interface import SQLAInterface
    from sample_states.models import PERMIT_STATES, Permit

    from core.security.permissions import BusinessModelView
    from core.states.views import StatefulView

    with pytest.raises(TypeError, match="add_columns lists 'state'"):
        type(
            "TypedStateView",
            (StatefulView, BusinessModelView),
            {
                "datamodel": SQLAInterface(Permit),
                "state_machine": PERMIT_STATES,
                "add_columns": ["number", "state"],
            },
        )
