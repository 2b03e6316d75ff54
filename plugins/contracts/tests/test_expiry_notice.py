"""Contracts: the contract manager, told once per contract term that a contract is expiring."""

import datetime

import pytest

from core.notifications.models import MailOutbox, Notification
from core.testing import create_user
from plugins.contracts import services as s
from plugins.contracts.models import Contract, ContractExpiryNotice
from plugins.contracts.tests.helpers import active, contract, refused, world
from plugins.contracts.tests.test_amendments import PDF, SIGNED

pytestmark = pytest.mark.plugins("contracts")

IN_NOTICE = datetime.date(2027, 3, 10)  # the test contracts end 2027-03-31, notice 30 days


def managed(app, session, n: int = 1, **extra):
    manager = create_user(app, ["Contract Manager"], username=f"manager{n}")
    customer, unit, level = world(session, n)
    made = active(session, customer, level, unit, manager_id=manager.id, **extra)
    return made, manager


def notices(session, user):
    return session.query(Notification).filter_by(user_id=user.id).all()


def test_the_daily_run_tells_the_manager_once_in_the_app_and_by_mail(app, session):
    made, manager = managed(app, session)
    session.commit()
    s.run_daily_lifecycle(session, IN_NOTICE)
    assert s.notify_expiring(session, IN_NOTICE) == 1
    session.commit()
    [note] = notices(session, manager)
    assert note.title == f"Contract {made.number} is expiring: it ends on 2027-03-31"
    assert note.link == f"/contracts/contracts/show/{made.id}"
    assert "2027-03-01" in note.body  # the cancel-by date
    [mail] = session.query(MailOutbox).filter_by(to_address=manager.email).all()
    assert mail.subject == note.title
    # again, the next day, or after a crash between the two steps: nobody is told twice
    assert s.notify_expiring(session, IN_NOTICE) == 0
    assert s.notify_expiring(session, IN_NOTICE + datetime.timedelta(days=1)) == 0
    session.commit()
    assert len(notices(session, manager)) == 1
    assert session.query(MailOutbox).count() == 1


def test_the_daily_job_runs_the_lifecycle_then_the_notices(app, session):
    from core.jobs.service import run_job

    today = s.company_today()
    made, manager = managed(
        app,
        session,
        start=today - datetime.timedelta(days=300),
        end=today + datetime.timedelta(days=20),
    )
    session.commit()
    first = run_job("contracts.daily_lifecycle")
    assert first.status == "succeeded", first.error
    second = run_job("contracts.daily_lifecycle")
    assert second.status == "succeeded"
    session.expire_all()
    assert session.get(Contract, made.id).state == "expiring"
    assert len(notices(session, manager)) == 1
    assert "notified: 1" in (first.message or "")


def test_a_contract_without_manager_is_notified_once_it_gets_one(app, session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    s.mark_expiring(session, made, IN_NOTICE)
    assert s.notify_expiring(session, IN_NOTICE) == 0
    manager = create_user(app, ["Contract Manager"], username="late")
    s.assign_manager(session, made, manager.id)
    assert s.notify_expiring(session, IN_NOTICE) == 1
    assert len(notices(session, manager)) == 1


def test_an_inactive_manager_is_not_notified(app, session):
    made, manager = managed(app, session)
    s.mark_expiring(session, made, IN_NOTICE)
    manager.active = False
    session.flush()
    assert s.notify_expiring(session, IN_NOTICE) == 0
    assert session.query(ContractExpiryNotice).count() == 0


def test_a_term_extended_by_amendment_is_a_new_term_notified_again(app, session):
    made, manager = managed(app, session)
    s.mark_expiring(session, made, IN_NOTICE)
    s.notify_expiring(session, IN_NOTICE)
    amendment = s.create_amendment(session, made, {"end_date": "2028-03-31"}, "one more year")
    s.update_amendment(
        session, amendment, customer_signer="W", company_signer="L", signed_on=SIGNED
    )
    s.attach_signed_copy(session, amendment, "a.pdf", PDF)
    s.confirm_amendment(session, amendment)
    s.apply_amendment(session, amendment, IN_NOTICE)
    assert made.state == "active"
    later = datetime.date(2028, 3, 10)
    s.run_daily_lifecycle(session, later)
    assert s.notify_expiring(session, later) == 1
    assert [n.title[-10:] for n in notices(session, manager)] == ["2027-03-31", "2028-03-31"]


def test_the_manager_must_be_an_active_user(app, session):
    customer, unit, level = world(session)
    refused(lambda: contract(session, customer, level, manager_id=9999), "manager")
    made = active(session, customer, level, unit)
    refused(lambda: s.assign_manager(session, made, 9999), "manager")
    refused(lambda: s.assign_manager(session, made, "x"), "manager")
    s.terminate(session, made, "closed")
    refused(lambda: s.assign_manager(session, made, None), "state", 409)


def test_a_renewal_keeps_the_manager(app, session):
    made, manager = managed(app, session)
    successor = s.renew(session, made)
    assert successor.manager_id == manager.id


def test_manager_through_the_api_and_the_screen(app, client, api_headers, login_as, session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    manager = create_user(app, ["Contract Manager"], username="boss")
    headers = api_headers("Contract Manager")
    named = client.post(
        f"/api/v1/contract/{made.id}/manager", json={"manager": manager.id}, headers=headers
    )
    assert (named.status_code, named.json["manager"]) == (200, manager.id)
    shown = client.get(f"/api/v1/contract/{made.id}", headers=headers).json["result"]
    assert shown["manager"]["username"] == "boss"
    bad = client.post(f"/api/v1/contract/{made.id}/manager", json={"manager": 777}, headers=headers)
    assert (bad.status_code, bad.json["field"]) == (422, "manager")
    readonly = client.post(
        f"/api/v1/contract/{made.id}/manager",
        json={"manager": None},
        headers=api_headers("Staff Read-only"),
    )
    assert readonly.status_code == 403
    session.expire_all()
    assert session.get(Contract, made.id).manager_id == manager.id
    login_as("Contract Manager")
    form = client.get(f"/contracts/contracts/manager/{made.id}")
    assert form.status_code == 200 and "boss" in form.text
    client.post(f"/contracts/contracts/manager/{made.id}", data={"manager": ""})
    session.expire_all()
    assert session.get(Contract, made.id).manager_id is None
