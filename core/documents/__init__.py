"""Composed documents: sections from every enabled plugin, on screen and as a PDF.

A document (a contract's service report, a stock evaluation, an inspection report) is a
title block plus :class:`core.contributions.DocumentSection` values that plugins contribute
through the ``aftersales_document_sections`` hook. This package collects and renders them:

* :func:`compose_document` builds a :class:`Document` (sections sorted by ``order``, each
  tagged with its source plugin, cells turned into text, company details and the
  generation time in the company time zone);
* the Jinja macro ``render_document(document, pdf_url=None)`` of
  ``aftersales/document.html`` shows it on a screen;
* :func:`render_pdf` writes it as a PDF with an embedded CJK TrueType font (configured by
  ``PDF_FONT_PATH``, else found among the Debian font packages); :class:`CJKFontMissing`
  says which package to install when there is none.
"""

from core.documents.compose import Document, DocumentError, cell_text, compose_document
from core.documents.pdf import CJKFontMissing, find_cjk_font, render_pdf

__all__ = [
    "CJKFontMissing",
    "Document",
    "DocumentError",
    "cell_text",
    "compose_document",
    "find_cjk_font",
    "render_pdf",
]
