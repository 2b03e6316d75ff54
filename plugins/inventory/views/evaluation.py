"""The stock evaluation screen: turnover, dead and slow-moving stock and stock-outs for a
period, on screen, as XLSX and as PDF."""

from __future__ import annotations

import datetime
from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from core.company.service import company_today
from core.documents import render_pdf
from core.extensions import db
from core.tabular import xlsx_response
from plugins.inventory.services import InventoryError, evaluation, evaluation_report


class EvaluationView(BaseView):
    """The stock evaluation of a period on screen, as XLSX and as PDF (``can_read`` on
    ``inventory_evaluation``)."""

    route_base = "/inventory/evaluation"
    default_view = "report"
    class_permission_name = "inventory_evaluation"
    method_permission_name = {"report": "read", "xlsx": "read", "pdf": "read"}

    def _evaluate(self) -> Any:
        today = company_today()
        start = request.args.get("start") or (today - datetime.timedelta(days=89)).isoformat()
        end = request.args.get("end") or today.isoformat()
        return start, end, evaluation.evaluate(db.session, start, end)

    @expose("/")
    @has_access
    def report(self) -> Any:
        """The period form (default: the last 90 days) and the report."""
        try:
            start, end, found = self._evaluate()
        except InventoryError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("EvaluationView.report"))
        return self.render_template(
            "inventory/evaluation.html",
            document=evaluation_report.document(db.session, found),
            start=start,
            end=end,
        )

    @expose("/evaluation.xlsx")
    @has_access
    def xlsx(self) -> Any:
        """The per-part figures as an XLSX workbook."""
        try:
            _start, _end, found = self._evaluate()
        except InventoryError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("EvaluationView.report"))
        headers, rows = evaluation_report.part_table(found)
        return xlsx_response(
            f"stock-evaluation-{found.start}-{found.end}.xlsx",
            headers,
            rows,
            sheet_title=gettext("Stock evaluation")[:31],
        )

    @expose("/evaluation.pdf")
    @has_access
    def pdf(self) -> Any:
        """The report as a PDF (embedded CJK font)."""
        try:
            _start, _end, found = self._evaluate()
        except InventoryError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("EvaluationView.report"))
        data = render_pdf(evaluation_report.document(db.session, found))
        return Response(
            data,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="stock-evaluation-{found.start}-{found.end}.pdf"'
                )
            },
        )
