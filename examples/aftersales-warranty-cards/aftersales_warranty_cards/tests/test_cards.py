"""Warranty cards: expiry, the nightly job, the clerk's API; core's checks."""

import datetime

from aftersales_warranty_cards.events import WarrantyCardsExpired
from aftersales_warranty_cards.models import WarrantyCard
from aftersales_warranty_cards.services import company_today, flag_expired_cards, register_card
from core.events import events_published
from core.plugin_checks import PluginChecks

TODAY = datetime.date(2026, 3, 1)


def card(session, number, purchase_date, months=12):
    return register_card(
        session,
        card_number=number,
        serial_number=f"SN-{number}",
        customer_name="Hangzhou Lakeside Hotel",
        purchase_date=purchase_date,
        warranty_months=months,
        today=purchase_date,
    )


def test_card_covers_until_the_day_before_the_anniversary(session):
    bought = card(session, "WC-1", datetime.date(2025, 1, 31), months=1)
    assert bought.expires_on == datetime.date(2025, 2, 27)


def test_nightly_job_twice_flags_each_expired_card_once(session):
    card(session, "WC-OLD", datetime.date(2024, 1, 15), months=12)
    card(session, "WC-NEW", datetime.date(2026, 1, 15), months=12)
    session.commit()
    with events_published(WarrantyCardsExpired) as events:
        assert flag_expired_cards(session, TODAY) == 1
        assert flag_expired_cards(session, TODAY) == 0
    old_id = session.query(WarrantyCard.id).filter_by(card_number="WC-OLD").scalar()
    assert [(e.card_ids, e.on) for e in events] == [((old_id,), TODAY)]
    status = dict(session.query(WarrantyCard.card_number, WarrantyCard.status))
    assert status == {"WC-OLD": "expired", "WC-NEW": "active"}


def test_scheduled_job_runs_through_core_and_reports_progress(session):
    from core.jobs.service import run_job

    today = company_today()
    card(session, "WC-GONE", today - datetime.timedelta(days=800), months=24)
    card(session, "WC-LIVE", today, months=24)
    session.commit()
    first = run_job("warranty_cards.flag_expired")
    assert (first.status, first.progress_done, first.progress_total) == ("succeeded", 1, 1)
    assert run_job("warranty_cards.flag_expired").status == "succeeded"
    status = dict(session.query(WarrantyCard.card_number, WarrantyCard.status))
    assert status == {"WC-GONE": "expired", "WC-LIVE": "active"}


def test_clerk_registers_a_card_and_a_used_number_is_refused(client, api_headers, session):
    headers = api_headers("Warranty Clerk")
    payload = {
        "card_number": "WC-100",
        "serial_number": "LJ-M507-0001",
        "customer_name": "上海明远医疗设备有限公司",
        "purchase_date": "2025-06-30",
        "warranty_months": 24,
    }
    created = client.post("/api/v1/warranty_card/", json=payload, headers=headers)
    assert created.status_code == 201, created.text
    again = client.post("/api/v1/warranty_card/", json=payload, headers=headers)
    assert again.status_code == 409
    assert again.json["field"] == "card_number"
    listed = client.get("/api/v1/warranty_card/", headers=headers).json["result"]
    assert [(c["card_number"], c["expires_on"]) for c in listed] == [("WC-100", "2027-06-29")]


class TestCoreChecks(PluginChecks):
    """Core's checks: migrations, demo data, every screen and API in three languages."""


def test_a_voided_card_covers_nothing_until_it_is_reinstated(client, api_headers, session):
    from aftersales_warranty_cards.services import covering_card

    today = company_today()
    live = card(session, "WC-200", today - datetime.timedelta(days=30), months=12)
    session.commit()
    headers = api_headers("Warranty Clerk")
    actions = f"/api/v1/warranty_card/{live.id}/actions"
    listed = client.get(actions, headers=headers).json
    assert (listed["status"], [a["name"] for a in listed["actions"]]) == ("active", ["void"])
    too_early = client.post(f"{actions}/expire", headers=headers)
    assert (too_early.status_code, too_early.json["field"]) == (409, "status")
    no_reason = client.post(f"{actions}/void", json={}, headers=headers)
    assert (no_reason.status_code, no_reason.json["field"]) == (422, "reason")
    voided = client.post(f"{actions}/void", json={"reason": "Unit written off"}, headers=headers)
    assert voided.json["status"] == "void", voided.text
    session.expire_all()
    assert covering_card(session, "SN-WC-200", today) is None
    assert session.get(WarrantyCard, live.id).status_reason == "Unit written off"
    back = client.post(f"{actions}/reinstate", headers=headers)
    assert back.json["status"] == "active"
    session.expire_all()
    assert covering_card(session, "SN-WC-200", today).card_number == "WC-200"
