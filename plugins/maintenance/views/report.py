"""The inspection report as a PDF download."""

from __future__ import annotations

from typing import Any

from flask import Response

from core.documents import render_pdf
from plugins.maintenance.models import (
    WorkOrder,
)


def report_pdf_response(order: WorkOrder, document: Any) -> Response:
    """The inspection report PDF as an inline download named after the order."""
    return Response(
        render_pdf(document),
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="inspection-report-{order.number}.pdf"'},
    )
