"""The service report of a contract: screen (with a period form), PDF and REST API.

Reading a report needs ``can_read`` on ``contracts_contract``, like the contract itself.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.security.decorators import protect

from core.documents import CJKFontMissing, DocumentError, render_pdf
from core.extensions import db
from plugins.contracts import services
from plugins.contracts.services import ContractError
from plugins.contracts.services.report import parse_period, service_report


def _report(pk: int) -> Any:
    contract = services.get_contract(db.session, pk)
    start, end = parse_period(contract, request.args.get("from"), request.args.get("to"))
    return contract, service_report(db.session, contract, start, end)


def _pdf_response(document: Any, contract: Any) -> Response:
    data = render_pdf(document)
    period = f"{document.period_start:%Y%m%d}-{document.period_end:%Y%m%d}"
    name = f"service-report-{contract.number}-{period}.pdf"
    return Response(
        data,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


class ServiceReportView(BaseView):
    """``/contracts/report/<id>/?from=&to=`` (screen) and ``.../pdf`` (download)."""

    route_base = "/contracts/report"
    default_view = "show"
    class_permission_name = "contracts_contract"
    method_permission_name = {"show": "read", "pdf": "read"}

    @expose("/<int:pk>/")
    @has_access
    def show(self, pk: int) -> Any:
        """The period form and the report of contract ``pk``."""
        try:
            contract, document = _report(pk)
        except ContractError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ContractView.list"))
        except DocumentError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ServiceReportView.show", pk=pk))
        pdf_url = url_for(
            "ServiceReportView.pdf",
            pk=pk,
            **{"from": document.period_start.isoformat(), "to": document.period_end.isoformat()},
        )
        return self.render_template(
            "contracts/report.html", contract=contract, document=document, pdf_url=pdf_url
        )

    @expose("/<int:pk>/pdf")
    @has_access
    def pdf(self, pk: int) -> Any:
        """The report as a PDF with its Chinese text in an embedded font."""
        try:
            contract, document = _report(pk)
            return _pdf_response(document, contract)
        except (ContractError, DocumentError, CJKFontMissing) as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ServiceReportView.show", pk=pk))


class ServiceReportApi(BaseApi):
    """``GET /api/v1/contract_report/<id>?from=&to=`` (sections as JSON) and
    ``GET /api/v1/contract_report/<id>/pdf?from=&to=``."""

    resource_name = "contract_report"
    class_permission_name = "contracts_contract"
    method_permission_name = {"report": "read", "pdf": "read"}
    openapi_spec_tag = "Service report"

    def _refused(self, exc: Exception) -> Response:
        status = getattr(exc, "status", 422)
        return self.response(status, message=str(exc), field=getattr(exc, "field", None))

    @api_expose("/<int:pk>", methods=["GET"])
    @protect()
    def report(self, pk: int) -> Response:
        """The service report of contract ``pk`` for ``from``..``to`` (default: the contract
        year up to today): title block and every plugin's sections, cells as text.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: query, name: from, schema: {type: string, format: date}}
          - {in: query, name: to, schema: {type: string, format: date}}
          responses:
            200: {description: The report}
            404: {description: No such contract}
            422: {description: A bad period}
        """
        try:
            _, document = _report(pk)
        except (ContractError, DocumentError) as exc:
            return self._refused(exc)
        return self.response(200, **document.as_dict())

    @api_expose("/<int:pk>/pdf", methods=["GET"])
    @protect()
    def pdf(self, pk: int) -> Response:
        """The service report as a PDF (503 when the server has no CJK font).
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: query, name: from, schema: {type: string, format: date}}
          - {in: query, name: to, schema: {type: string, format: date}}
          responses:
            200:
              description: The PDF
              content: {application/pdf: {}}
            404: {description: No such contract}
            422: {description: A bad period}
            503: {description: No CJK font installed}
        """
        try:
            contract, document = _report(pk)
            return _pdf_response(document, contract)
        except (ContractError, DocumentError) as exc:
            return self._refused(exc)
        except CJKFontMissing as exc:
            return self.response(503, message=str(exc), field="PDF_FONT_PATH")
