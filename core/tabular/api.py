"""The REST side of an import: one function answers a plugin's multipart upload endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask_babel import gettext

from core.extensions import db
from core.tabular.importing import DRY_RUN, MODES, ImportReport
from core.tabular.reading import TabularError

RunImport = Callable[[bytes, str, str, str | None], ImportReport]


def answer_import(api: Any, run: RunImport) -> Response:
    """Read ``file``, ``mode`` (default dry run) and ``sheet`` from the multipart form, call
    ``run(data, filename, mode, sheet)`` and answer its report: 200 for a dry run, 201 when
    rows were imported, 422 when rows had errors and nothing was imported, or for a missing
    file, an unknown mode or an unreadable file (``field`` names it; ``column`` the offending
    column of the file). A :class:`core.errors.RuleError` from ``run`` propagates (decorate
    the endpoint with :func:`core.errors.answers_refusals`)."""
    mode = request.form.get("mode") or DRY_RUN
    if mode not in MODES:
        return api.response(
            422,
            message=gettext(
                "mode: %(mode)s is not one of %(modes)s", mode=mode, modes=", ".join(MODES)
            ),
            field="mode",
        )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return api.response(422, message=gettext("file: choose a .csv or .xlsx file"), field="file")
    try:
        report = run(upload.read(), upload.filename, mode, request.form.get("sheet"))
    except TabularError as exc:
        db.session.rollback()
        return api.response(422, message=str(exc), field=exc.field, column=exc.column)
    body = report.as_dict()
    if mode == DRY_RUN:
        return api.response(200, **body)
    if report.committed:
        return api.response(201, **body)
    message = gettext(
        "file: %(bad)s of %(total)s rows have errors; nothing was imported",
        bad=report.rejected_rows,
        total=report.total,
    )
    return api.response(422, message=message, field="file", **body)
