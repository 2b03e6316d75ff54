"""The inspection report of a visit: results, problems found, risks; screen, API and PDF."""

import datetime
import io
import os

import pytest

from core.documents import CJKFontMissing, find_cjk_font
from core.testing import token_headers
from plugins.maintenance import services as ms
from plugins.maintenance.services import plans, report
from plugins.maintenance.tests.world import (
    ON_WORLD_DAY,
    PLUGINS,
    build_world,
    headers_for,
    plan_inspection,
    printer_plan,
    refused,
    sign_in,
)

pytestmark = [pytest.mark.plugins(*PLUGINS), ON_WORLD_DAY]

CHECKLIST = [
    {
        "name": "Fuser temperature",
        "standard": "180-200",
        "unit": "°C",
        "min_value": "180",
        "max_value": "200",
    },
    {"name": "Paper path clean", "standard": "No dust"},
    {"name": "Network card", "standard": "Link up"},
]


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def visit(session, world, *, technician=0):
    """An inspection of the covered unit, assigned and started, with the checklist."""
    plan = printer_plan(
        session, name="Printers quarterly", interval_count=3, horizon_days=90, items=CHECKLIST
    )
    order = plan_inspection(
        session, world.unit, plan, datetime.date(2026, 12, 1), title="Quarterly inspection"
    )
    session.flush()
    ms.assign(session, order, world.techs[technician].id, override_reason="test")
    ms.start(session, order)
    session.commit()
    return order


def record(session, order):
    fuser, path, card = order.results
    plans.record_result(session, order, fuser.id, measured_value="215", notes="runs hot")
    plans.record_result(session, order, path.id, outcome="pass")
    plans.record_result(session, order, card.id, outcome="n_a")
    plans.raise_corrective(session, order, fuser.id)
    plans.record_findings(
        session, order, problems_found="Toner dust inside", risks="定影器可能过热损坏"
    )
    session.commit()


def section(document, title):
    return next(s for s in document.sections if s.title == title)


def test_the_report_lists_results_problems_and_risks(session, world):
    order = visit(session, world)
    record(session, order)
    document = report.inspection_report(session, order)
    assert document.name == "maintenance.inspection_report"
    assert document.period_start == datetime.date(2026, 12, 1)
    titles = [s.title for s in document.sections]
    assert titles[:4] == ["Visit", "Checklist results", "Problems found", "Risks"]
    assert all(s.source == "maintenance" for s in document.sections[:4])
    results = section(document, "Checklist results")
    assert results.paragraphs[0].startswith("3 items: 1 passed, 1 failed, 1 not applicable")
    fuser = results.table[1][0]
    assert fuser[1:] == [
        "Fuser temperature",
        "180-200",
        "180 – 200 °C",
        "215 °C",
        "Fail",
        "runs hot",
    ]
    problems = section(document, "Problems found")
    assert problems.paragraphs == ("Toner dust inside",)
    corrective = order.results[0].corrective_order
    assert problems.table[1] == [
        ["Fuser temperature", "215 °C", "runs hot", corrective.number, "New"]
    ]
    assert section(document, "Risks").paragraphs == ("定影器可能过热损坏",)
    visit_rows = dict(section(document, "Visit").table[1])
    assert visit_rows["Technician"] == "Chen" and visit_rows["Contract"] == world.contract.number


def test_an_untouched_visit_says_no_problems_and_names_failed_items_without_orders(session, world):
    order = visit(session, world)
    document = report.inspection_report(session, order)
    assert section(document, "Problems found").paragraphs == ("No problems found.",)
    assert section(document, "Risks").paragraphs == ("No risks recorded.",)
    plans.record_result(session, order, order.results[1].id, outcome="fail")
    plans.record_result(session, order, order.results[0].id, outcome="fail", measured_value="0")
    document = report.inspection_report(session, order)
    assert "Paper path clean" in section(document, "Risks").paragraphs[0]
    assert section(document, "Checklist results").table[1][0][4] == "0 °C"  # zero is shown


def test_only_inspections_have_a_report_and_findings_need_an_open_inspection(session, world):
    corrective = ms.create_work_order(session, equipment_id=world.unit.id, title="Jam")
    refused(lambda: report.inspection_report(session, corrective), "kind", 409)
    refused(lambda: plans.record_findings(session, corrective, risks="x"), "state", 409)
    order = visit(session, world)
    refused(lambda: plans.record_findings(session, order, risks="x" * 4001), "risks", 422)
    plans.record_findings(session, order, problems_found="Dust")
    plans.record_findings(session, order, risks="Wear")
    assert (order.problems_found, order.risks) == ("Dust", "Wear")  # None keeps a text


def test_screen_records_findings_and_shows_the_report(client, session, world):
    order = visit(session, world)
    sign_in(client, world.users[0])
    page = client.get(f"/maintenance/work-orders/show/{order.id}").text
    assert f"/action/report/{order.id}" in page
    data = {f"outcome_{r.id}": "pass" for r in order.results}
    data.update(problems_found="Loose cover", risks="Cover may fall off")
    client.post(f"/maintenance/work-orders/results/{order.id}", data=data)
    shown = client.get(f"/maintenance/work-orders/report/{order.id}")
    assert shown.status_code == 200
    assert "Loose cover" in shown.text and "Cover may fall off" in shown.text
    assert f"/maintenance/work-orders/report/{order.id}/pdf" in shown.text
    client.get("/logout/")
    sign_in(client, world.users[1])  # not theirs: as if it did not exist
    hidden = client.get(f"/maintenance/work-orders/report/{order.id}", follow_redirects=True)
    assert "Loose cover" not in hidden.text and "does not exist" in hidden.text


def test_api_records_findings_and_answers_the_report(client, session, world):
    order = visit(session, world)
    headers = headers_for(client, world.users[0])
    saved = client.post(
        f"/api/v1/work_order/{order.id}/findings",
        json={"problems_found": "Dust", "risks": "风险"},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json["risks"] == "风险"
    answer = client.get(f"/api/v1/work_order/{order.id}/report", headers=headers)
    assert answer.status_code == 200
    risks = next(s for s in answer.json["sections"] if s["title"] == "Risks")
    assert risks["paragraphs"] == ["风险"]
    other = headers_for(client, world.users[1])
    hidden = client.get(f"/api/v1/work_order/{order.id}/report", headers=other)
    assert hidden.status_code == 404
    too_long = client.post(
        f"/api/v1/work_order/{order.id}/findings", json={"risks": "x" * 5000}, headers=headers
    )
    assert (too_long.status_code, too_long.json["field"]) == (422, "risks")


def test_api_refuses_a_report_of_a_corrective_order(client, api_headers, session, world):
    corrective = ms.create_work_order(session, equipment_id=world.unit.id, title="Jam")
    session.commit()
    answer = client.get(
        f"/api/v1/work_order/{corrective.id}/report", headers=api_headers("Dispatcher")
    )
    assert (answer.status_code, answer.json["field"]) == (409, "kind")


def cjk_font():
    """The CJK font, or skip (outside CI) naming the package to install."""
    try:
        return find_cjk_font({})
    except CJKFontMissing as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no CJK font: apt-get install fonts-wqy-zenhei ({exc})")


def test_the_pdf_embeds_the_chinese_risks(client, session, world):
    cjk_font()
    from pypdf import PdfReader

    order = visit(session, world)
    record(session, order)
    headers = headers_for(client, world.users[0])
    answer = client.get(f"/api/v1/work_order/{order.id}/report/pdf", headers=headers)
    assert answer.status_code == 200 and answer.content_type == "application/pdf"
    assert order.number in answer.headers["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.data)).pages)
    flat = "".join(text.split())
    assert "定影器可能过热损坏" in flat and "Fusertemperature" in flat
    sign_in(client, world.users[0])
    screen = client.get(f"/maintenance/work-orders/report/{order.id}/pdf")
    assert screen.status_code == 200 and screen.data.startswith(b"%PDF")


def test_the_report_speaks_simplified_and_traditional_chinese(make_app):
    from core.extensions import db

    app = make_app(plugins=list(PLUGINS))
    with app.app_context():
        world = build_world(app, db.session)
        pk = visit(db.session, world).id
        username = world.users[0].username
    client = app.test_client()
    headers = token_headers(client, username)
    zh = client.get(f"/api/v1/work_order/{pk}/report?_l_=zh", headers=headers).json
    assert zh["title"] == "巡检报告"
    assert [s["title"] for s in zh["sections"]][:4] == [
        "上门记录",
        "检查结果",
        "发现的问题",
        "风险",
    ]
    tw = client.get(f"/api/v1/work_order/{pk}/report?_l_=zh_TW", headers=headers).json
    assert tw["title"] == "巡檢報告" and tw["sections"][3]["paragraphs"] == ["未記錄風險。"]
