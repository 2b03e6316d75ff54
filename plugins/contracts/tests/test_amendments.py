"""Contracts: amendments of contracts in force, contract versions and their comparison."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest

from core.audit.models import AuditLog
from core.events import events_published
from plugins.contracts import events
from plugins.contracts import services as s
from plugins.contracts.models import (
    Contract,
    ContractAmendment,
    ContractEquipment,
    ContractVersion,
)
from plugins.contracts.tests.helpers import active, contract, refused, world

pytestmark = pytest.mark.plugins("contracts")

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SIGNED = datetime.date(2026, 5, 20)
TODAY = datetime.date(2026, 6, 1)


def in_force(session, n: int = 1):
    customer, unit, level = world(session, n)
    return active(session, customer, level, unit), unit, level


def second_unit(session, made, serial="SN-1B"):
    return s.create_equipment(
        session,
        product_id=made.equipment_links[0].equipment.product_id,
        customer_id=made.customer_id,
        serial_number=serial,
    )


def confirmed(session, made, changes, reason="Customer added a site"):
    amendment = s.create_amendment(session, made, changes, reason)
    s.update_amendment(
        session,
        amendment,
        customer_signer="Wang Lei",
        company_signer="Li Na",
        signed_on=SIGNED,
    )
    s.attach_signed_copy(session, amendment, "补充协议-签字版.pdf", PDF)
    s.confirm_amendment(session, amendment)
    return amendment


# --- versions --------------------------------------------------------------------------------


def test_activation_stores_version_1_with_the_terms_and_units(session):
    made, unit, level = in_force(session)
    [version] = made.versions
    assert (version.number, version.amendment_id) == (1, None)
    terms = version.terms
    assert terms["fee"] == "48000.00" and terms["end_date"] == "2027-03-31"
    assert terms["service_level"] == level.id and terms["service_level_name"] == "Gold 1"
    assert terms["equipment"] == [{"id": unit.id, "serial": "SN-1"}]


def test_a_renewal_successor_starts_at_version_1(session):
    made, _unit, _level = in_force(session)
    successor = s.renew(session, made)
    assert [v.number for v in successor.versions] == [1]
    assert successor.versions[0].terms["start_date"] == "2027-04-01"


# --- drafting --------------------------------------------------------------------------------


def test_only_a_contract_in_force_is_amended(session):
    customer, unit, level = world(session)
    draft = contract(session, customer, level, unit)
    message = refused(
        lambda: s.create_amendment(session, draft, {"fee": "50000"}, "price"), "state", 409
    )
    assert "draft is edited directly" in message


def test_an_amendment_names_real_changes_and_a_reason(session):
    made, _unit, _level = in_force(session)
    refused(lambda: s.create_amendment(session, made, {"fee": "50000"}, " "), "reason")
    message = refused(lambda: s.create_amendment(session, made, {"title": "X"}, "r"), "changes")
    assert "title cannot be amended" in message
    refused(lambda: s.create_amendment(session, made, {"fee": "48000.00"}, "r"), "changes")
    refused(lambda: s.create_amendment(session, made, {"end_date": "31/03/2028"}, "r"), "end_date")
    refused(lambda: s.create_amendment(session, made, {"fee": 1.5}, "r"), "fee")
    refused(lambda: s.create_amendment(session, made, {"notice_days": "x"}, "r"), "notice_days")
    refused(lambda: s.create_amendment(session, made, {"service_level": 999}, "r"), "service_level")
    refused(lambda: s.create_amendment(session, made, {"equipment": []}, "r"), "equipment")
    refused(
        lambda: s.create_amendment(
            session, made, {"end_date": "2026-03-01"}, "ends before it starts"
        ),
        "end_date",
    )
    assert session.query(ContractAmendment).count() == 0


def test_a_unit_of_another_customer_cannot_be_added(session):
    made, _unit, _level = in_force(session)
    _other_customer, foreign, _level2 = world(session, 2)
    message = refused(
        lambda: s.create_amendment(
            session, made, {"equipment": [made.equipment_links[0].equipment_id, foreign.id]}, "r"
        ),
        "equipment",
    )
    assert "SN-2 belongs to another customer" in message


def test_amendments_are_numbered_per_contract_and_only_changes_are_kept(session):
    made, _unit, _level = in_force(session)
    first = s.create_amendment(
        session, made, {"fee": "52000", "billing_cycle": "yearly", "notice_days": 60}, "price"
    )
    second = s.create_amendment(session, made, {"payment_terms": "60 days"}, "terms")
    assert (first.number, second.number, first.label) == (1, 2, f"{made.number}/A1")
    assert first.changes == {"fee": "52000.00", "notice_days": 60}  # yearly was already so
    assert first.state == "draft" and made.fee == Decimal("48000.00")


# --- written confirmation --------------------------------------------------------------------


def test_confirmation_needs_both_signers_the_date_and_the_signed_copy(session):
    made, _unit, _level = in_force(session)
    amendment = s.create_amendment(session, made, {"fee": "50000"}, "price")
    refused(lambda: s.confirm_amendment(session, amendment), "customer_signer")
    s.update_amendment(session, amendment, customer_signer="Wang Lei")
    refused(lambda: s.confirm_amendment(session, amendment), "company_signer")
    s.update_amendment(session, amendment, company_signer="Li Na")
    refused(lambda: s.confirm_amendment(session, amendment), "signed_on")
    future = s.company_today() + datetime.timedelta(days=2)
    refused(lambda: s.update_amendment(session, amendment, signed_on=future), "signed_on")
    s.update_amendment(session, amendment, signed_on=SIGNED)
    refused(lambda: s.confirm_amendment(session, amendment), "attachment")
    s.attach_signed_copy(session, amendment, "signed.pdf", PDF)
    s.confirm_amendment(session, amendment)
    assert amendment.state == "confirmed"
    refused(lambda: s.update_amendment(session, amendment, reason="other"), "state", 409)
    refused(lambda: s.attach_signed_copy(session, amendment, "b.pdf", PDF), "state", 409)


def test_signed_copy_is_stored_under_the_instance_folder_with_its_original_name(app, session):
    made, _unit, _level = in_force(session)
    amendment = s.create_amendment(session, made, {"fee": "50000"}, "price")
    s.attach_signed_copy(session, amendment, r"C:\scans\补充协议 第1号.pdf", PDF)
    assert amendment.attachment_name == "补充协议 第1号.pdf"
    assert (amendment.attachment_type, amendment.attachment_size) == ("application/pdf", len(PDF))
    stored = s.attachment_file(amendment)
    assert stored.read_bytes() == PDF
    assert Path(app.instance_path) in stored.parents and stored.name != amendment.attachment_name


def test_signed_copy_types_and_size_are_limited(app, session):
    made, _unit, _level = in_force(session)
    amendment = s.create_amendment(session, made, {"fee": "50000"}, "price")
    assert "accepted types" in refused(
        lambda: s.attach_signed_copy(session, amendment, "run.exe", b"MZ..."), "attachment"
    )
    assert "not a PDF file" in refused(
        lambda: s.attach_signed_copy(session, amendment, "fake.pdf", b"<html>"), "attachment"
    )
    refused(lambda: s.attach_signed_copy(session, amendment, "empty.pdf", b""), "attachment")
    app.config["CONTRACTS_AMENDMENT_MAX_BYTES"] = 100
    refused(
        lambda: s.attach_signed_copy(session, amendment, "big.pdf", PDF + b"0" * 100),
        "attachment",
        413,
    )
    assert amendment.attachment_path in ("", None)
    s.attach_signed_copy(session, amendment, "scan.JPG", b"\xff\xd8\xff\xe0rest")
    assert amendment.attachment_type == "image/jpeg"


# --- applying --------------------------------------------------------------------------------


def test_applying_changes_the_contract_and_stores_version_2(session):
    made, unit, _level = in_force(session)
    extra = second_unit(session, made)
    gold_plus = s.create_service_level(session, "Gold plus", "7x24", "on_site", {"P1": (1, 4)})
    changes = {
        "fee": "56000",
        "end_date": "2027-06-30",
        "service_level": gold_plus.id,
        "equipment": [unit.id, extra.id],
        "liability_clause": "Liability is capped at the yearly fee.",
    }
    amendment = confirmed(session, made, changes)
    with events_published(events.ContractAmended) as published:
        version = s.apply_amendment(session, amendment, TODAY)
    assert (version.number, version.amendment_id, version.applied_on) == (2, amendment.id, TODAY)
    assert (amendment.state, amendment.version_number, amendment.applied_on) == (
        "applied",
        2,
        TODAY,
    )
    assert made.fee == Decimal("56000.00") and made.end_date == datetime.date(2027, 6, 30)
    assert made.cancel_by == datetime.date(2027, 5, 31)
    assert made.service_level_id == gold_plus.id
    assert sorted(link.equipment_id for link in made.equipment_links) == [unit.id, extra.id]
    assert [(e.number, e.previous_version, e.version) for e in published] == [(made.number, 1, 2)]
    assert s.coverage(session, "SN-1B", TODAY).contract_number == made.number
    assert [v.number for v in made.versions] == [1, 2]
    assert made.versions[0].terms["fee"] == "48000.00"  # version 1 is left as it was
    refused(lambda: s.apply_amendment(session, amendment, TODAY), "state", 409)


def test_an_amendment_adding_a_unit_covered_elsewhere_is_refused_and_changes_nothing(session):
    made, unit, _level = in_force(session)
    extra = second_unit(session, made)
    amendment = confirmed(session, made, {"fee": "50000", "equipment": [unit.id, extra.id]})
    # meanwhile another contract came into force for the added unit
    other = active(
        session,
        made.customer,
        made.service_level,
        extra,
        start=datetime.date(2026, 5, 1),
        end=datetime.date(2027, 4, 30),
    )
    message = refused(lambda: s.apply_amendment(session, amendment, TODAY), "equipment", 409)
    assert f"SN-1B is already covered by {other.number}" in message
    session.expire_all()
    stored = session.get(Contract, made.id)
    assert stored.fee == Decimal("48000.00")
    assert [link.equipment_id for link in stored.equipment_links] == [unit.id]
    assert [v.number for v in stored.versions] == [1]
    assert session.get(ContractAmendment, amendment.id).state == "confirmed"
    # and drafting it now is refused at once
    refused(
        lambda: s.create_amendment(session, stored, {"equipment": [unit.id, extra.id]}, "r"),
        "equipment",
        409,
    )


def test_an_expiring_contract_extended_by_amendment_is_active_again(session):
    made, _unit, _level = in_force(session)
    s.mark_expiring(session, made, datetime.date(2027, 3, 5))
    amendment = confirmed(session, made, {"end_date": "2028-03-31"})
    s.apply_amendment(session, amendment, datetime.date(2027, 3, 6))
    assert (made.state, made.cancel_by) == ("active", datetime.date(2028, 3, 1))


def test_withdrawn_amendments_never_apply(session):
    made, _unit, _level = in_force(session)
    amendment = confirmed(session, made, {"fee": "1"})
    s.withdraw_amendment(session, amendment)
    assert amendment.state == "withdrawn"
    refused(lambda: s.apply_amendment(session, amendment, TODAY), "state", 409)
    refused(lambda: s.withdraw_amendment(session, amendment), "state", 409)
    assert made.fee == Decimal("48000.00")


def test_an_amendment_of_a_contract_ended_meanwhile_is_refused(session):
    made, _unit, _level = in_force(session)
    amendment = confirmed(session, made, {"fee": "50000"})
    s.terminate(session, made, "site closed")
    refused(lambda: s.apply_amendment(session, amendment, TODAY), "state", 409)


def test_compare_lists_every_term_and_marks_the_changed_ones(session):
    made, unit, _level = in_force(session)
    extra = second_unit(session, made)
    s.apply_amendment(
        session, confirmed(session, made, {"equipment": [extra.id], "fee": "1000"}), TODAY
    )
    first, second = made.versions
    rows = {row["field"]: row for row in s.compare_versions(first, second)}
    assert rows["fee"] == {
        "field": "fee",
        "before": "48000.00",
        "after": "1000.00",
        "changed": True,
    }
    assert (rows["equipment"]["added"], rows["equipment"]["removed"]) == (["SN-1B"], ["SN-1"])
    assert rows["end_date"]["changed"] is False
    refused(lambda: s.get_version(session, made, 7, "to"), "to", 404)


def test_amendments_and_versions_are_audited(session):
    made, _unit, _level = in_force(session)
    s.apply_amendment(session, confirmed(session, made, {"fee": "50000"}), TODAY)
    session.commit()
    tables = {row.table_name for row in session.query(AuditLog).all()}
    assert {"contracts_amendment", "contracts_contract_version"} <= tables
    fee_changes = [
        row.changes
        for row in session.query(AuditLog).filter_by(
            table_name="contracts_contract", action="update"
        )
        if "fee" in row.changes
    ]
    assert fee_changes


# --- direct edits are refused ------------------------------------------------------------------


def test_direct_edits_of_an_active_contract_point_to_amendments(client, api_headers, session):
    made, unit, _level = in_force(session)
    session.commit()
    headers = api_headers("Contract Manager")
    answer = client.put(f"/api/v1/contract/{made.id}", json={"fee": "1.00"}, headers=headers)
    assert (answer.status_code, answer.json["field"]) == (409, "state")
    assert "amendment" in answer.json["message"]
    session.expire_all()
    assert session.get(Contract, made.id).fee == Decimal("48000.00")
    link = client.delete(
        f"/api/v1/contract_equipment/{made.equipment_links[0].id}", headers=headers
    )
    assert link.status_code == 409
    assert session.query(ContractEquipment).count() == 1


def test_the_edit_screen_of_an_active_contract_refuses_and_points_to_amendments(
    client, login_as, session
):
    made, _unit, level = in_force(session)
    session.commit()
    login_as("Contract Manager")
    form = {
        "customer": made.customer_id,
        "title": made.title,
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "service_level": level.id,
        "fee": "1.00",
        "currency": "CNY",
        "billing_cycle": "yearly",
        "renewal": "express",
        "renewal_months": "12",
        "notice_days": "30",
        "dispute_resolution": "arbitration",
    }
    page = client.post(f"/contracts/contracts/edit/{made.id}", data=form, follow_redirects=True)
    assert "only through an amendment" in page.text
    session.expire_all()
    assert session.get(Contract, made.id).fee == Decimal("48000.00")


# --- REST API --------------------------------------------------------------------------------


def test_amendment_through_the_api_from_draft_to_a_compared_version(client, api_headers, session):
    made, unit, _level = in_force(session)
    extra = second_unit(session, made)
    session.commit()
    manager = api_headers("Contract Manager")
    sales = api_headers("Sales")
    created = client.post(
        "/api/v1/contract_amendment/",
        json={
            "contract": made.id,
            "changes": {"fee": "51000.00", "equipment": [unit.id, extra.id]},
            "reason": "Second printer on site",
        },
        headers=sales,
    )
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    assert created.json["result"]["changes"]["fee"] == "51000.00"
    early = client.post(f"/api/v1/contract_amendment/{pk}/confirm", headers=sales)
    assert (early.status_code, early.json["field"]) == (422, "customer_signer")
    signed = client.put(
        f"/api/v1/contract_amendment/{pk}",
        json={"customer_signer": "Wang Lei", "company_signer": "Li Na", "signed_on": "2026-05-20"},
        headers=sales,
    )
    assert signed.status_code == 200, signed.text
    bad_file = client.post(
        f"/api/v1/contract_amendment/{pk}/attachment",
        data={"file": (io.BytesIO(b"MZ"), "virus.exe")},
        headers=sales,
        content_type="multipart/form-data",
    )
    assert (bad_file.status_code, bad_file.json["field"]) == (422, "attachment")
    uploaded = client.post(
        f"/api/v1/contract_amendment/{pk}/attachment",
        data={"file": (io.BytesIO(PDF), "补充协议.pdf")},
        headers=sales,
        content_type="multipart/form-data",
    )
    assert (uploaded.status_code, uploaded.json["attachment_name"]) == (201, "补充协议.pdf")
    download = client.get(f"/api/v1/contract_amendment/{pk}/attachment", headers=sales)
    assert download.status_code == 200 and download.data == PDF
    assert "filename*=UTF-8''%E8%A1%A5" in download.headers["Content-Disposition"]
    done = client.post(f"/api/v1/contract_amendment/{pk}/confirm", headers=sales)
    assert (done.status_code, done.json["state"]) == (200, "confirmed")
    forbidden = client.post(f"/api/v1/contract_amendment/{pk}/apply", headers=sales)
    assert forbidden.status_code == 403
    applied = client.post(f"/api/v1/contract_amendment/{pk}/apply", headers=manager)
    assert (applied.status_code, applied.json["version"]) == (200, 2), applied.text
    versions = client.get(f"/api/v1/contract/{made.id}/versions", headers=sales)
    assert [v["number"] for v in versions.json["result"]] == [1, 2]
    compared = client.get(f"/api/v1/contract/{made.id}/versions/compare?from=1&to=2", headers=sales)
    assert compared.status_code == 200
    assert compared.json["changed"] == ["fee", "equipment"]
    missing = client.get(f"/api/v1/contract/{made.id}/versions/compare?from=1&to=9", headers=sales)
    assert (missing.status_code, missing.json["field"]) == (404, "to")
    deleted = client.delete(f"/api/v1/contract_amendment/{pk}", headers=manager)
    assert deleted.status_code == 409
    listed = client.get("/api/v1/contract_amendment/", headers=api_headers("Staff Read-only"))
    assert listed.json["result"][0]["contract"]["number"] == made.number


def test_refused_api_amendment_changes_nothing(client, api_headers, session):
    made, _unit, _level = in_force(session)
    session.commit()
    headers = api_headers("Contract Manager")
    for body, field in (
        ({"changes": {"fee": "1"}, "reason": "r"}, "contract"),
        ({"contract": made.id, "changes": {"fee": "1"}}, "reason"),
        ({"contract": made.id, "changes": {"colour": "red"}, "reason": "r"}, "changes"),
        ({"contract": made.id, "changes": {"notice_days": 9999}, "reason": "r"}, "notice_days"),
    ):
        answer = client.post("/api/v1/contract_amendment/", json=body, headers=headers)
        assert (answer.status_code, answer.json["field"]) == (422, field), answer.text
    assert session.query(ContractAmendment).count() == 0
    readonly = api_headers("Staff Read-only")
    answer = client.post(
        "/api/v1/contract_amendment/",
        json={"contract": made.id, "changes": {"fee": "1"}, "reason": "r"},
        headers=readonly,
    )
    assert answer.status_code == 403


# --- screens ---------------------------------------------------------------------------------


def test_amendment_screens_from_the_form_to_the_compare_screen(client, login_as, session):
    made, unit, level = in_force(session)
    extra = second_unit(session, made)
    session.commit()
    login_as("Contract Manager")
    page = client.get(f"/contracts/contracts/show/{made.id}")
    assert page.status_code == 200
    assert "New amendment" in page.text and "Amendments" in page.text and "Versions" in page.text
    form_page = client.get(f"/contracts/amendments/add?contract={made.id}")
    assert form_page.status_code == 200 and "48000.00" in form_page.text
    values = {
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "service_level": str(level.id),
        "fee": "60000.00",
        "billing_cycle": "yearly",
        "payment_terms": "",
        "renewal": "express",
        "renewal_months": "12",
        "notice_days": "30",
        "confidentiality_clause": made.confidentiality_clause,
        "liability_clause": made.liability_clause,
        "dispute_resolution": "arbitration",
        "dispute_venue": made.dispute_venue,
        "equipment": [str(unit.id), str(extra.id)],
        "reason": "",
    }
    refused_page = client.post(
        f"/contracts/amendments/add?contract={made.id}", data=values, follow_redirects=True
    )
    assert "reason: say why the terms change" in refused_page.text
    assert session.query(ContractAmendment).count() == 0
    values["reason"] = "New printer and price"
    saved = client.post(f"/contracts/amendments/add?contract={made.id}", data=values)
    assert saved.status_code == 302
    amendment = session.query(ContractAmendment).one()
    assert amendment.changes == {"fee": "60000.00", "equipment": [unit.id, extra.id]}
    shown = client.get(f"/contracts/amendments/show/{amendment.id}")
    assert "60000.00" in shown.text and "SN-1B" in shown.text
    confirmation = client.post(
        f"/contracts/amendments/confirmation/{amendment.id}",
        data={
            "customer_signer": "Wang Lei",
            "company_signer": "Li Na",
            "signed_on": "2026-05-20",
            "attachment": (io.BytesIO(PDF), "签字版.pdf"),
            "confirm": "1",
        },
        content_type="multipart/form-data",
    )
    assert confirmation.status_code == 302
    session.expire_all()
    assert session.get(ContractAmendment, amendment.id).state == "confirmed"
    download = client.get(f"/contracts/amendments/attachment/{amendment.id}")
    assert download.status_code == 200 and download.data == PDF
    client.post(
        "/contracts/amendments/action_post", data={"action": "apply", "rowid": amendment.id}
    )
    session.expire_all()
    assert session.get(Contract, made.id).fee == Decimal("60000.00")
    applied = client.get(f"/contracts/amendments/show/{amendment.id}")
    assert "签字版.pdf" in applied.text
    assert "Withdraw" not in applied.text and "fa-gavel" not in applied.text
    compare = client.get(f"/contracts/contracts/compare/{made.id}")
    assert compare.status_code == 200
    assert "60000.00" in compare.text and "48000.00" in compare.text and "+ SN-1B" in compare.text
    chinese = client.get(f"/contracts/contracts/compare/{made.id}?_l_=zh")
    assert chinese.status_code == 200
    assert session.query(ContractVersion).filter_by(contract_id=made.id).count() == 2


def test_a_draft_contract_offers_no_amendment(client, login_as, session):
    customer, unit, level = world(session)
    draft = contract(session, customer, level, unit)
    session.commit()
    login_as("Contract Manager")
    page = client.get(f"/contracts/contracts/show/{draft.id}")
    assert "New amendment" not in page.text
    form = client.get(f"/contracts/amendments/add?contract={draft.id}", follow_redirects=True)
    assert "draft is edited directly" in form.text


def test_amendment_and_address_lists_cost_the_same_queries_for_more_rows(
    client, api_headers, session
):
    from sqlalchemy import event

    from core.extensions import db

    made, _unit, _level = in_force(session)
    s.create_amendment(session, made, {"fee": "1"}, "r")
    session.commit()
    headers = api_headers("Staff Read-only")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries(url):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            answer = client.get(url, headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert answer.status_code == 200, answer.text
        return len(statements)

    urls = ("/api/v1/contract_amendment/", "/api/v1/customer_address/")
    for url in urls:  # warm up (the first request of a user loads its roles)
        queries(url)
    few = [queries(url) for url in urls]
    for n in range(2, 7):
        other, _u, _l = in_force(session, n)
        s.create_amendment(session, other, {"fee": "2"}, "r")
        s.create_address(session, customer_id=other.customer_id, kind="site", address=f"S{n}")
    session.commit()
    for url in urls:
        queries(url)
    assert [queries(url) for url in urls] == few
