"""core.documents: sections from every plugin, on screen and as a PDF with embedded CJK."""

import datetime
import io
import os
from decimal import Decimal

import pytest
from flask import render_template_string

from core.contributions import DocumentSection
from core.documents import (
    CJKFontMissing,
    Document,
    DocumentError,
    cell_text,
    compose_document,
    find_cjk_font,
    render_pdf,
)
from core.documents import pdf as pdf_module

SAMPLES = ["sample_alpha", "sample_beta"]
SIMPLIFIED = "双方对在履行本合同中知悉的对方商业秘密负有保密义务"
TRADITIONAL = "雙方對在履行本合同中知悉的對方商業秘密負有保密義務"


def cjk_font():
    """The CJK font, or skip (outside CI) naming the package to install."""
    try:
        return find_cjk_font({})
    except CJKFontMissing as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no CJK font: apt-get install fonts-wqy-zenhei ({exc})")


@pytest.fixture
def sample_app(make_app):
    app = make_app(plugins=SAMPLES, packages=SAMPLES)
    with app.app_context():
        yield app


@pytest.fixture
def sample_session(sample_app):
    from core.extensions import db

    return db.session


def document(sections, **extra):
    from core.company.service import default_settings

    values = {
        "name": "test.report",
        "title": "服务报告 Service report",
        "subject": "CT-2026-00001 上海明远医疗设备有限公司",
        "company": default_settings({"COMPANY_NAME": "明远售后服务有限公司"}),
        "generated_at": datetime.datetime(2026, 11, 27, 15, 30, tzinfo=datetime.UTC),
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 3, 31),
        "sections": tuple(sections),
    }
    values.update(extra)
    return Document(**values)


def flat(text):
    """Text without whitespace: wrapped lines come out of the PDF with spaces or newlines."""
    return "".join(text.split())


def pdf_text(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def test_sections_of_every_plugin_are_sorted_tagged_and_turned_into_text(sample_session):
    extra = DocumentSection(
        title="Core totals", order=15, table=(["Amount", "On"], [[Decimal("1.50"), None]])
    )
    doc = compose_document(
        sample_session,
        "sample.report",
        "CT-1",
        title="Report",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        extra_sections=[extra],
        now=datetime.datetime(2026, 3, 31, 20, 0, tzinfo=datetime.UTC),
    )
    assert [(s.title, s.source) for s in doc.sections] == [
        ("Alpha summary", "sample_alpha"),
        ("Core totals", "core"),
        ("Beta on CT-1", "sample_beta"),
    ]
    assert doc.sections[1].table == (["Amount", "On"], [["1.50", ""]])
    # generated at in the company time zone (Asia/Shanghai by default): the next morning
    assert doc.generated_at.isoformat() == "2026-04-01T04:00:00+08:00"
    body = doc.as_dict()
    assert body["period"] == {"start": "2026-01-01", "end": "2026-03-31"}
    assert body["sections"][0]["table"] == {
        "headers": ["From", "To"],
        "rows": [["2026-01-01", "2026-03-31"]],
    }
    assert body["sections"][2]["paragraphs"] == ["from beta"]


def test_a_period_ending_before_it_starts_is_refused(sample_session):
    with pytest.raises(DocumentError) as info:
        compose_document(
            sample_session,
            "sample.report",
            "CT-1",
            title="Report",
            period_start=datetime.date(2026, 3, 1),
            period_end=datetime.date(2026, 2, 1),
        )
    assert info.value.field == "period_end"


def test_cells_read_exactly():
    assert cell_text(Decimal("48000.00")) == "48000.00"
    assert cell_text(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert cell_text(None) == ""
    assert cell_text(12) == "12"


def test_the_screen_macro_shows_title_block_sections_and_tables(sample_app):
    doc = document(
        [
            DocumentSection("合同摘要", paragraphs=[SIMPLIFIED], source="contracts"),
            DocumentSection("空表", table=(["A"], []), source="other"),
        ]
    )
    with sample_app.test_request_context("/"):
        html = render_template_string(
            '{% from "aftersales/document.html" import render_document %}'
            "{{ render_document(doc, pdf_url='/x.pdf') }}",
            doc=doc,
        )
    assert "服务报告 Service report" in html and "明远售后服务有限公司" in html
    assert 'data-source="contracts"' in html and SIMPLIFIED in html
    assert 'href="/x.pdf"' in html
    assert "2026-01-01 – 2026-03-31" in html
    assert "Nothing to show." in html


def test_pdf_embeds_the_cjk_font_and_holds_simplified_and_traditional_text(sample_app):
    font = cjk_font()
    doc = document(
        [
            DocumentSection(
                "合同摘要 合約摘要",
                paragraphs=[SIMPLIFIED, TRADITIONAL],
                table=(["项目", "說明"], [["保密条款", TRADITIONAL * 3]]),
                source="contracts",
            )
        ]
    )
    data = render_pdf(doc, font)
    assert data.startswith(b"%PDF")
    reader, pages = pdf_text(data)
    text = flat("".join(pages))
    assert SIMPLIFIED in text and TRADITIONAL in text
    assert "服务报告" in text and "上海明远医疗设备有限公司" in text
    assert "Period: 2026-01-01 – 2026-03-31" in pages[0]
    assert "Page 1 of 1" in pages[0]
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    descendants = [f["/DescendantFonts"][0].get_object() for f in fonts]
    assert descendants, "no CID font in the PDF"
    for cid_font in descendants:
        descriptor = cid_font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, "the CJK font is not embedded"
        assert descriptor["/FontFile2"].get_object().get_data()  # the (subset) glyphs


def test_long_tables_wrap_and_repeat_their_headers_on_every_page(sample_app):
    font = cjk_font()
    rows = [[str(n), SIMPLIFIED * (1 + n % 3), "1.00"] for n in range(90)]
    doc = document([DocumentSection("明细", table=(["序号", "长说明", "金额"], rows))])
    _reader, pages = pdf_text(render_pdf(doc, font))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "长说明" in page, f"no header row on page {number}"
        assert f"Page {number} of {len(pages)}" in page
    # the long cell wrapped: its text is cut over several lines, all of it present
    assert SIMPLIFIED * 3 in flat("".join(pages))


def test_a_missing_configured_font_is_a_clear_error(tmp_path):
    with pytest.raises(CJKFontMissing) as info:
        find_cjk_font({"PDF_FONT_PATH": str(tmp_path / "nope.ttf")})
    assert "nope.ttf" in str(info.value) and "fonts-wqy-zenhei" in str(info.value)


def test_no_font_at_all_names_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_module, "FONT_CANDIDATES", (str(tmp_path / "none.ttc"),))
    with pytest.raises(CJKFontMissing) as info:
        find_cjk_font({})
    assert "apt-get install fonts-wqy-zenhei" in str(info.value)
    assert "PDF_FONT_PATH" in str(info.value)


def test_the_configured_font_path_wins(tmp_path):
    font = cjk_font()
    assert find_cjk_font({"PDF_FONT_PATH": str(font)}) == font
