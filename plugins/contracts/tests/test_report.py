"""Contracts: the service report assembled from every plugin's sections; screen, PDF, API."""

import datetime
import io
import os

import pytest

from core.contributions import DocumentSection
from core.documents import CJKFontMissing, find_cjk_font
from core.hooks import hookimpl
from core.runtime import hooks
from plugins.contracts import services as s
from plugins.contracts.services.report import SERVICE_REPORT, default_period, service_report
from plugins.contracts.tests.helpers import CLAUSES, uscc

pytestmark = pytest.mark.plugins("contracts")

START = datetime.date(2026, 4, 1)
END = datetime.date(2027, 3, 31)


def needs_cjk_font():
    try:
        find_cjk_font({})
    except CJKFontMissing as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no CJK font: apt-get install fonts-wqy-zenhei ({exc})")


def chinese_contract(session):
    """An active contract of a Chinese customer with a unit, entitlements and usage."""
    customer = s.create_customer(
        session, kind="company", name="上海明远医疗设备有限公司", tax_id=uscc(1), address="上海"
    )
    s.create_contact(session, customer_id=customer.id, name="王磊", phone="13800000001")
    product = s.create_product(
        session, product_type="Ultrasound", model="EPIQ 7", manufacturer="Philips"
    )
    unit = s.create_equipment(
        session,
        product_id=product.id,
        customer_id=customer.id,
        serial_number="SN-超声-1",
        site_address="上海市徐汇区",
    )
    level = s.create_service_level(session, "金牌 7x24", "7x24", "on_site", {"P1": (2, 8)})
    made = s.create_contract(
        session,
        customer_id=customer.id,
        title="全保服务合同",
        start_date=START,
        end_date=END,
        service_level_id=level.id,
        fee="48000.00",
        notice_days=30,
        **{**CLAUSES, "confidentiality_clause": "雙方對商業秘密負有保密義務。"},
    )
    s.cover_equipment(session, made, unit)
    s.add_entitlement(session, made, "parts", "amount", annual_amount="20000")
    s.add_entitlement(session, made, "visit", "count", annual_count=4)
    s.submit_for_review(session, made)
    s.activate(session, made)
    s.record_usage(session, made, "parts", datetime.date(2026, 6, 1), amount="12500.50")
    s.record_usage(session, made, "visit", datetime.date(2026, 10, 1))
    return made


def section(document, title):
    return next(x for x in document.sections if x.title == title)


def test_contracts_contributes_summary_equipment_quota_and_changes(session):
    made = chinese_contract(session)
    today = s.company_today()
    doc = service_report(session, made, START, max(today, START))
    assert [x.title for x in doc.sections] == [
        "Contract summary",
        "Covered equipment",
        "Entitlements and quota used",
        "Changes in the period",
    ]
    assert {x.source for x in doc.sections} == {"contracts"}
    summary = dict(section(doc, "Contract summary").table[1])
    assert summary["Customer"] == "上海明远医疗设备有限公司"
    assert summary["Number"] == made.number and summary["Fee"] == "48000.00 CNY"
    assert summary["Confidentiality Clause"] == "雙方對商業秘密負有保密義務。"
    assert summary["Contacts"] == "王磊 13800000001"
    equipment = section(doc, "Covered equipment").table[1]
    assert equipment[0][:3] == ["SN-超声-1", "Philips EPIQ 7", "Ultrasound"]
    changes = section(doc, "Changes in the period").table[1]
    assert [row[1] for row in changes][:3] == [
        "Created as Draft",
        "Draft → Under review",
        "Under review → Active",
    ]


def test_quota_used_counts_the_period_and_the_contract_year(session):
    made = chinese_contract(session)
    doc = service_report(session, made, START, datetime.date(2026, 7, 1))
    rows = {r[0]: r for r in section(doc, "Entitlements and quota used").table[1]}
    # kind, coverage, quota, used in period, used in year, remaining, discount
    assert rows["Parts"][2:6] == ["20000.00 CNY", "12500.50", "12500.50", "7499.50"]
    assert rows["Visits"][2:6] == ["4", "0", "1", "3"]
    # state changes happened today, outside this period
    assert section(doc, "Changes in the period").table[1] == []


def test_applied_amendments_appear_as_new_versions(session):
    made = chinese_contract(session)
    today = s.company_today()
    amendment = s.create_amendment(
        session,
        made,
        {"fee": "50000.00"},
        "年度调价",
        customer_signer="王磊",
        company_signer="李娜",
        signed_on=today,
    )
    s.attach_signed_copy(session, amendment, "signed.pdf", b"%PDF-1.4\n%signed\n")
    s.confirm_amendment(session, amendment)
    s.apply_amendment(session, amendment, today)
    doc = service_report(session, made, START, max(today, START))
    changes = section(doc, "Changes in the period").table[1]
    amended = [r for r in changes if "by amendment" in r[1]]
    assert len(amended) == 1
    assert amended[0][1] == f"Version 2 by amendment {made.number}/A1"
    assert "年度调价" in amended[0][3] and "Fee" in amended[0][3]


class ThrowawayPlugin:
    """Another plugin's section of the service report (a maintenance plugin, say)."""

    @hookimpl
    def aftersales_document_sections(self, document, subject, period_start, period_end):
        if document != SERVICE_REPORT:
            return []
        return [
            DocumentSection(
                "Work orders",
                order=25,
                table=(["Number", "Done"], [["WO-1", period_end]]),
            )
        ]


@pytest.fixture
def other_plugin(app):
    pm = hooks().pm
    plugin = ThrowawayPlugin()
    pm.register(plugin, name="throwaway_maintenance")
    yield
    pm.unregister(plugin)


def test_sections_of_other_enabled_plugins_are_assembled_in_order(session, other_plugin):
    made = chinese_contract(session)
    doc = service_report(session, made, START, datetime.date(2026, 6, 30))
    assert [(x.title, x.source) for x in doc.sections][1:3] == [
        ("Covered equipment", "contracts"),
        ("Work orders", "throwaway_maintenance"),
    ]
    assert section(doc, "Work orders").table[1] == [["WO-1", "2026-06-30"]]


def test_default_period_is_the_contract_year_up_to_today(session):
    made = chinese_contract(session)
    assert default_period(made, datetime.date(2026, 8, 15)) == (
        START,
        datetime.date(2026, 8, 15),
    )
    assert default_period(made, datetime.date(2028, 1, 1)) == (START, END)
    assert default_period(made, datetime.date(2026, 1, 1)) == (START, START)


def test_report_screen_and_pdf_for_readers(client, login_as, session):
    needs_cjk_font()
    from pypdf import PdfReader

    from core.company.service import update_company_settings

    made = chinese_contract(session)
    update_company_settings(
        session, name="明远售后", legal_name="明远售后服务（上海）有限公司", tax_id=uscc(9)
    )
    session.commit()
    login_as("Staff Read-only")
    page = client.get(f"/contracts/report/{made.id}/?from=2026-04-01&to=2026-07-01")
    assert page.status_code == 200, page.text
    assert "上海明远医疗设备有限公司" in page.text and "SN-超声-1" in page.text
    assert 'id="report-period"' in page.text and 'value="2026-07-01"' in page.text
    pdf = client.get(f"/contracts/report/{made.id}/pdf?from=2026-04-01&to=2026-07-01")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    text = "".join(text.split())
    assert "上海明远医疗设备有限公司" in text and "雙方對商業秘密負有保密義務" in text
    assert "Period:2026-04-01–2026-07-01" in text
    assert "明远售后服务（上海）有限公司" in text and f"TaxID:{uscc(9)}" in text


def test_the_contract_page_action_opens_the_report(client, login_as, session):
    made = chinese_contract(session)
    session.commit()
    login_as("Staff Read-only")
    show = client.get(f"/contracts/contracts/show/{made.id}")
    assert "Service report" in show.text
    answer = client.post(f"/contracts/contracts/action/service_report/{made.id}")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/contracts/report/{made.id}/")


def test_a_bad_period_on_the_screen_is_flashed(client, login_as, session):
    made = chinese_contract(session)
    session.commit()
    login_as("Staff Read-only")
    answer = client.get(f"/contracts/report/{made.id}/?from=2026-05-01&to=2026-04-01")
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    assert "before the period start" in page.text


def test_report_api_json_and_pdf(client, api_headers, session):
    needs_cjk_font()
    made = chinese_contract(session)
    session.commit()
    headers = api_headers("Staff Read-only")
    url = f"/api/v1/contract_report/{made.id}"
    answer = client.get(f"{url}?from=2026-04-01&to=2026-07-01", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json
    assert body["document"] == SERVICE_REPORT
    assert body["period"] == {"start": "2026-04-01", "end": "2026-07-01"}
    assert body["sections"][0]["source"] == "contracts"
    assert body["sections"][1]["table"]["rows"][0][0] == "SN-超声-1"
    pdf = client.get(f"{url}/pdf?from=2026-04-01&to=2026-07-01", headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-05-01&to=2026-04-01", "to")],
)
def test_report_api_refuses_a_bad_period(client, api_headers, session, query, field):
    made = chinese_contract(session)
    session.commit()
    answer = client.get(
        f"/api/v1/contract_report/{made.id}?{query}", headers=api_headers("Staff Read-only")
    )
    assert (answer.status_code, answer.json["field"]) == (422, field)


def test_report_api_needs_read_permission_and_an_existing_contract(client, api_headers, session):
    made = chinese_contract(session)
    session.commit()
    outsider = api_headers("Nobody")
    assert client.get(f"/api/v1/contract_report/{made.id}", headers=outsider).status_code == 403
    reader = api_headers("Staff Read-only")
    missing = client.get("/api/v1/contract_report/999999", headers=reader)
    assert (missing.status_code, missing.json["field"]) == (404, "contract")


def test_report_api_without_a_font_answers_503(client, api_headers, session, app):
    made = chinese_contract(session)
    session.commit()
    app.config["PDF_FONT_PATH"] = "/nonexistent/font.ttc"
    answer = client.get(
        f"/api/v1/contract_report/{made.id}/pdf", headers=api_headers("Staff Read-only")
    )
    assert (answer.status_code, answer.json["field"]) == (503, "PDF_FONT_PATH")
    assert "fonts-wqy-zenhei" in answer.json["message"]
