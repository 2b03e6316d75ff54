"""A composed document as a PDF, with an embedded CJK TrueType font (fpdf2).

PDF viewers on the customer's side may have no Chinese font, so the font is always embedded
(subset to the glyphs used; about 15 KB a page). ``PDF_FONT_PATH`` (env
``AFTERSALES_PDF_FONT_PATH``) names a ``.ttf``/``.ttc`` file; otherwise the files of the
Debian packages ``fonts-wqy-zenhei``, ``fonts-wqy-microhei`` and ``fonts-noto-cjk`` are tried.
WenQuanYi Zen Hei covers both Simplified and Traditional characters.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, XPos, YPos

from core.documents.compose import Document, table_widths

#: Font files tried in this order when ``PDF_FONT_PATH`` is not set.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)
FONT_PACKAGE = "fonts-wqy-zenhei"
FAMILY = "cjk"
_GREY = (110, 110, 110)
_HEAD_FILL = (232, 236, 241)
# fontTools reports the bitmap tables it drops while subsetting WenQuanYi: not a problem.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class CJKFontMissing(RuntimeError):
    """No CJK font to embed: the message names the file tried and the package to install."""


def find_cjk_font(config: Mapping[str, Any] | None = None) -> Path:
    """The CJK font file for PDFs: ``PDF_FONT_PATH`` when set (it must exist), else the
    first of :data:`FONT_CANDIDATES` that exists. Raises :class:`CJKFontMissing`."""
    if config is None:
        config = current_app.config if has_app_context() else {}
    configured = config.get("PDF_FONT_PATH")
    if configured:
        path = Path(str(configured))
        if path.is_file():
            return path
        raise CJKFontMissing(
            f"PDF_FONT_PATH names {path}, which does not exist; point it at a CJK TrueType "
            f"font (.ttf/.ttc) or install the Debian package {FONT_PACKAGE}"
        )
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise CJKFontMissing(
        "No CJK font for PDF documents: install the Debian package "
        f"{FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) or set PDF_FONT_PATH to a CJK "
        f"TrueType font (.ttf/.ttc). Tried: {', '.join(FONT_CANDIDATES)}"
    )


class _DocumentPDF(FPDF):
    """A4 pages with a running header from page 2 and ``Page n of N`` in every footer."""

    def __init__(self, document: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)

    def header(self) -> None:
        """From the second page on: company, title and subject in small grey type."""
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, size=8)
        self.set_text_color(*_GREY)
        doc = self.document
        line = "  ·  ".join(p for p in (doc.company.name, doc.title, doc.subject) if p)
        self.cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        """Generation time on the left, page number of the total on the right."""
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*_GREY)
        generated = gettext("Generated %(at)s", at=self.document.generated_label)
        self.cell(0, 5, generated, align="L")
        self.set_x(self.l_margin)
        page = gettext("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, page, align="R")
        self.set_text_color(0, 0, 0)


def _title_block(pdf: _DocumentPDF, doc: Document) -> None:
    company = doc.company
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(0, 5.5, company.legal_name or company.name, new_x=XPos.LMARGIN)
    pdf.set_font(FAMILY, size=8.5)
    pdf.set_text_color(*_GREY)
    details = [
        gettext("Tax ID: %(value)s", value=company.tax_id) if company.tax_id else "",
        company.address or "",
        "  ".join(p for p in (company.phone or "", company.email or "") if p),
    ]
    for line in details:
        if line:
            pdf.multi_cell(0, 4.5, line, new_x=XPos.LMARGIN)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font(FAMILY, size=17)
    pdf.multi_cell(0, 8, doc.title, new_x=XPos.LMARGIN)
    pdf.set_font(FAMILY, size=11)
    if doc.subject:
        pdf.multi_cell(0, 6, doc.subject, new_x=XPos.LMARGIN)
    pdf.set_font(FAMILY, size=9)
    if doc.period_label:
        pdf.multi_cell(
            0, 5, gettext("Period: %(period)s", period=doc.period_label), new_x=XPos.LMARGIN
        )
    pdf.multi_cell(
        0, 5, gettext("Generated at: %(at)s", at=doc.generated_label), new_x=XPos.LMARGIN
    )
    pdf.ln(2)
    pdf.set_draw_color(180, 180, 180)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)


def _table(pdf: _DocumentPDF, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    pdf.set_font(FAMILY, size=8.5)
    if not rows:
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(0, 5, gettext("Nothing to show."), new_x=XPos.LMARGIN)
        pdf.set_text_color(0, 0, 0)
        return
    with pdf.table(
        col_widths=table_widths(headers, rows),
        headings_style=FontFace(emphasis=None, fill_color=_HEAD_FILL),
        repeat_headings=1,  # on top of every page the table runs onto
        line_height=4.6,
        text_align="LEFT",
        padding=1.2,
        cell_fill_mode=TableCellFillMode.NONE,
        borders_layout="SINGLE_TOP_LINE",
    ) as table:
        table.row([str(h) for h in headers])
        for values in rows:
            cells = list(values) + [""] * (len(headers) - len(values))
            table.row([str(c) for c in cells[: len(headers)]])


def render_pdf(document: Document, font_path: str | Path | None = None) -> bytes:
    """``document`` as PDF bytes: title block (company, title, subject, period, generation
    time), then every section (title, paragraphs, table with its header row repeated on each
    page it spans), page numbers in the footer, the CJK font embedded.

    ``font_path`` overrides :func:`find_cjk_font` (which raises :class:`CJKFontMissing`).
    """
    font = Path(font_path) if font_path else find_cjk_font()
    pdf = _DocumentPDF(document)
    # No bold face in one-weight CJK fonts: the same file serves every emphasis.
    for style in ("", "B", "I", "BI"):
        pdf.add_font(FAMILY, style, str(font))
    pdf.set_title(document.title)
    pdf.set_subject(document.subject)
    pdf.set_author(document.company.name)
    pdf.set_creator("AfterSales")
    pdf.set_creation_date(document.generated_at)
    pdf.set_lang("zh-CN")
    pdf.add_page()
    _title_block(pdf, document)
    for section in document.sections:
        if pdf.will_page_break(25):  # keep a section title with its first lines
            pdf.add_page()
        pdf.set_font(FAMILY, size=12.5)
        pdf.multi_cell(0, 7, section.title, new_x=XPos.LMARGIN)
        pdf.ln(1)
        pdf.set_font(FAMILY, size=9.5)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5.2, paragraph, align="L", new_x=XPos.LMARGIN)
            pdf.ln(1)
        if section.table is not None:
            _table(pdf, *section.table)
        pdf.ln(5)
    return bytes(pdf.output())
