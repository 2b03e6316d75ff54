"""Import screen and REST API for customers, equipment and contracts (CSV/XLSX).

The screen checks a file first (dry run, nothing written) and keeps it; the user then
imports it, or only its valid rows. Importing a kind needs ``can_write`` on
``contracts_import`` and on the kind's object (``contracts_customer``...).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext

from core.extensions import db
from core.tabular import (
    DRY_RUN,
    MODES,
    ImportReport,
    TabularError,
    discard_upload,
    load_upload,
    read_table,
    run_import,
    save_upload,
    template_response,
)
from core.tabular.api import answer_import
from plugins.contracts.services import ContractError
from plugins.contracts.services.importing import KINDS, ImportKind

PERMISSION = "contracts_import"


def _user_id() -> int | None:
    user = getattr(g, "user", None)
    return getattr(user, "id", None)


def import_file(
    kind: ImportKind, data: bytes, filename: str, mode: str, sheet: str | None
) -> ImportReport:
    """Read and import one file of ``kind`` (raises :class:`TabularError` for the file)."""
    columns = kind.columns()
    table = read_table(data, filename, columns, sheet=sheet or None)
    return run_import(
        db.session,
        table,
        kind.build,
        columns=columns,
        mode=mode,
        row_errors=(ContractError,),
    )


class ContractsImportView(BaseView):
    """``/contracts/import/?kind=customers``: upload, dry-run report, import."""

    route_base = "/contracts/import"
    default_view = "upload"
    class_permission_name = PERMISSION
    method_permission_name = {"upload": "write", "template_file": "write"}

    def _kind(self, name: str | None) -> ImportKind:
        kind = KINDS.get(name or "customers")
        if kind is None:
            abort(404)
        if not self.appbuilder.sm.has_access("can_write", kind.permission):
            abort(403)
        return kind

    @expose("/", methods=["GET", "POST"])
    @has_access
    def upload(self) -> Any:
        """The form; POST ``file`` (dry run) or ``token`` + ``mode`` (import)."""
        source = request.form if request.method == "POST" else request.args
        kind = self._kind(source.get("kind"))
        report, token = None, None
        if request.method == "POST":
            mode = request.form.get("mode") or DRY_RUN
            if mode not in MODES:
                abort(400)
            try:
                if request.form.get("token"):
                    token = request.form["token"]
                    data, filename = load_upload(token, _user_id())
                else:
                    upload = request.files.get("file")
                    if upload is None or not upload.filename:
                        raise TabularError(gettext("file: choose a .csv or .xlsx file"))
                    data, filename = upload.read(), upload.filename
                    token = save_upload(data, filename, _user_id())
                report = import_file(kind, data, filename, mode, request.form.get("sheet"))
                if report.committed:
                    discard_upload(token, _user_id())
                    token = None
            except TabularError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                token = None
        kinds = [
            (k.name, k.label)
            for k in KINDS.values()
            if self.appbuilder.sm.has_access("can_write", k.permission)
        ]
        return self.render_template(
            "contracts/import.html",
            kind=kind,
            kinds=kinds,
            columns=kind.columns(),
            report=report,
            token=token,
            action=url_for("ContractsImportView.upload"),
            template_urls={
                fmt: url_for("ContractsImportView.template_file", kind=kind.name, fmt=fmt)
                for fmt in ("xlsx", "csv")
            },
        )

    @expose("/template/<string:kind>.<string:fmt>")
    @has_access
    def template_file(self, kind: str, fmt: str) -> Any:
        """An empty file with the headers of ``kind`` (``xlsx`` or ``csv``)."""
        found = self._kind(kind)
        if fmt not in ("xlsx", "csv"):
            return redirect(url_for("ContractsImportView.upload", kind=kind))
        return template_response(fmt, f"{found.name}-import", found.columns())


class ContractsImportApi(BaseApi):
    """``POST /api/v1/contracts_import/<kind>`` (multipart ``file``, ``mode``, ``sheet``) and
    ``GET /api/v1/contracts_import/<kind>/template?format=xlsx|csv``."""

    resource_name = "contracts_import"
    class_permission_name = PERMISSION
    method_permission_name = {"run": "write", "template": "write"}
    openapi_spec_tag = "Import"

    def _kind(self, name: str) -> ImportKind | Response:
        kind = KINDS.get(name)
        if kind is None:
            return self.response(
                404,
                message=gettext(
                    "kind: %(kind)s is not one of %(kinds)s", kind=name, kinds=", ".join(KINDS)
                ),
                field="kind",
            )
        if not self.appbuilder.sm.has_access("can_write", kind.permission):
            return self.response(
                403,
                message=gettext("kind: importing %(kind)s needs the write permission", kind=name),
                field="kind",
            )
        return kind

    @api_expose("/<string:kind>", methods=["POST"])
    @protect()
    def run(self, kind: str) -> Response:
        """Import a CSV/XLSX file of ``kind`` (customers, equipment or contracts).
        ---
        post:
          parameters:
          - in: path
            name: kind
            required: true
            schema: {type: string, enum: [customers, equipment, contracts]}
          requestBody:
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    file: {type: string, format: binary}
                    mode: {type: string, enum: [dry_run, all, valid_rows], default: dry_run}
                    sheet: {type: string}
          responses:
            200: {description: Dry run report (nothing written)}
            201: {description: Rows imported; the report lists rejected rows}
            422: {description: Bad file, or rows with errors and nothing imported}
        """
        found = self._kind(kind)
        if isinstance(found, Response):
            return found
        return answer_import(
            self,
            lambda data, filename, mode, sheet: import_file(found, data, filename, mode, sheet),
        )

    @api_expose("/<string:kind>/template", methods=["GET"])
    @protect()
    def template(self, kind: str) -> Response:
        """An empty import file of ``kind`` with the expected headers.
        ---
        get:
          parameters:
          - {in: path, name: kind, required: true, schema: {type: string}}
          - {in: query, name: format, schema: {type: string, enum: [xlsx, csv], default: xlsx}}
          responses:
            200: {description: The template file}
        """
        found = self._kind(kind)
        if isinstance(found, Response):
            return found
        fmt = request.args.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            return self.response(
                422, message=gettext("format: must be xlsx or csv"), field="format"
            )
        return template_response(fmt, f"{found.name}-import", found.columns())
