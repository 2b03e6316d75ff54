"""Screens of stocktakes: the list, a new count sheet, and the count sheet page where parts
are chosen, counting starts, counts are entered and submitted (``can_write``), and an
approver returns it for a recount or posts it (``can_approve``). They only call
:mod:`plugins.inventory.services.stocktake`."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import select

from core.crud import CheckedModelView
from core.extensions import db
from core.money import format_money
from core.security.permissions import MODEL_VIEW_PERMISSIONS
from core.tabular import (
    DRY_RUN,
    MODES,
    TabularError,
    discard_upload,
    load_upload,
    save_upload,
    table_response,
)
from plugins.inventory.models import (
    CANCELLED,
    COUNTING,
    DRAFT,
    POSTED,
    SUBMITTED,
    Part,
    Stocktake,
)
from plugins.inventory.services import InventoryError, stocktake_import
from plugins.inventory.services import stocktake as counts
from plugins.inventory.views.common import LABELS, local_time

STOCKTAKE_STATE_LABELS = {
    DRAFT: _("Draft"),
    COUNTING: _("Counting"),
    SUBMITTED: _("Submitted"),
    POSTED: _("Posted"),
    CANCELLED: _("Cancelled"),
}
STOCKTAKE_LABELS = {
    **LABELS,
    "number": _("Number"),
    "started_on": _("Counting Started"),
    "submitted_on": _("Submitted"),
    "posted_on": _("Posted"),
    "posted_by": _("Posted By"),
}
# action: (service, permission, message)
ACTIONS = {
    "start": (counts.start_counting, "write", _("Counting of %(number)s started.")),
    "submit": (counts.submit, "write", _("%(number)s submitted for approval.")),
    "cancel": (counts.cancel, "write", _("%(number)s cancelled.")),
    "recount": (counts.return_to_counting, "approve", _("%(number)s returned for a recount.")),
    "post": (counts.post, "approve", _("%(number)s posted.")),
}


class StocktakeView(CheckedModelView):
    """Count sheets per location."""

    datamodel = SQLAInterface(Stocktake)
    route_base = "/inventory/stocktakes"
    class_permission_name = "inventory_stocktake"
    include_route_methods = {
        "list",
        "show",
        "add",
        "edit",
        "step",
        "decide",
        "enter",
        "add_parts",
        "import_counts",
        "count_file",
    }
    method_permission_name = {
        **MODEL_VIEW_PERMISSIONS,
        "enter": "write",
        "add_parts": "write",
        "import_counts": "write",
        "count_file": "read",
        "step": "write",
        "decide": "approve",
    }
    list_title = _("Stocktakes")
    show_title = _("Stocktake")
    add_title = _("New Stocktake")
    edit_title = _("Edit Stocktake")
    label_columns = STOCKTAKE_LABELS
    list_columns = ["number", "location.label", "state", "started_on", "posted_on", "posted_by"]
    add_columns = edit_columns = ["location", "note"]
    search_columns = ["number", "location", "state"]
    base_order = ("number", "desc")
    formatters_columns = {
        "state": lambda value: STOCKTAKE_STATE_LABELS.get(value, value),
        "started_on": local_time,
        "posted_on": local_time,
        "posted_by": lambda value: value or "",
    }

    prepare = staticmethod(partial(counts.prepare_stocktake, field="location"))

    def _back(self, pk: Any) -> Any:
        return redirect(url_for("StocktakeView.show", pk=pk))

    def _can(self, permission: str) -> bool:
        return bool(self.appbuilder.sm.has_access(f"can_{permission}", self.class_permission_name))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk: Any) -> Any:
        """The count sheet: lines with book, moves since the start, count and variance."""
        try:
            found = counts.get_stocktake(db.session, pk)
        except InventoryError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("StocktakeView.list"))
        rows = counts.figures(db.session, found)
        on_sheet = {row.part_id for row in rows}
        return self.render_template(
            "inventory/stocktake.html",
            stocktake=found,
            state_label=STOCKTAKE_STATE_LABELS.get(found.state, found.state),
            rows=rows,
            total=format_money(counts.variance_total(rows)),
            money=format_money,
            quantity=counts.describe,
            local_time=local_time,
            can_write=self._can("write"),
            can_approve=self._can("approve"),
            parts=[
                part
                for part in db.session.scalars(
                    select(Part).where(Part.active.is_(True)).order_by(Part.sku)
                )
                if part.id not in on_sheet
            ]
            if found.state in (DRAFT, COUNTING)
            else [],
        )

    def _run(self, pk: Any, work: Any, message: Any) -> Any:
        try:
            found = counts.get_stocktake(db.session, pk)
            work(found)
            db.session.commit()
            flash(str(message) % {"number": found.number}, "success")
        except InventoryError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return self._back(pk)

    @expose("/step/<int:pk>/<name>", methods=["POST"])
    @has_access
    def step(self, pk: int, name: str) -> Any:
        """Start counting, submit or cancel (``can_write``)."""
        return self._step(pk, name, "write")

    @expose("/decide/<int:pk>/<name>", methods=["POST"])
    @has_access
    def decide(self, pk: int, name: str) -> Any:
        """Post the adjustments or return for a recount (``can_approve``)."""
        return self._step(pk, name, "approve")

    def _step(self, pk: int, name: str, permission: str) -> Any:
        if name not in ACTIONS or ACTIONS[name][1] != permission:
            flash(gettext("action: %(action)s is unknown", action=name), "danger")
            return self._back(pk)
        service, _permission, message = ACTIONS[name]
        return self._run(pk, lambda found: service(db.session, found), message)

    @expose("/enter/<int:pk>", methods=["POST"])
    @has_access
    def enter(self, pk: int) -> Any:
        """Save the counted quantities typed per part (``counted-<part id>``; blank: not
        counted yet)."""
        entered = {
            key.removeprefix("counted-"): value.strip()
            for key, value in request.form.items()
            if key.startswith("counted-") and value.strip()
        }
        return self._run(
            pk,
            lambda found: counts.enter_counts(db.session, found, entered),
            _("Counts of %(number)s saved."),
        )

    @expose("/add_parts/<int:pk>", methods=["POST"])
    @has_access
    def add_parts(self, pk: int) -> Any:
        """Put the chosen parts on the sheet."""
        chosen = request.form.getlist("part_id")
        return self._run(
            pk,
            lambda found: counts.add_parts(db.session, found, chosen),
            _("Parts added to %(number)s."),
        )

    @expose("/import/<int:pk>", methods=["POST"])
    @has_access
    def import_counts(self, pk: int) -> Any:
        """Counts from a CSV/XLSX file: POST ``file`` (a dry run: nothing is written, the
        file is kept) or ``token`` + ``mode`` (import all, or only the valid rows)."""
        try:
            found = counts.get_stocktake(db.session, pk)
        except InventoryError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("StocktakeView.list"))
        mode = request.form.get("mode") or DRY_RUN
        if mode not in MODES:
            abort(400)
        report, token = None, None
        owner = getattr(getattr(g, "user", None), "id", None)
        try:
            if request.form.get("token"):
                token = request.form["token"]
                data, filename = load_upload(token, owner)
            else:
                upload = request.files.get("file")
                if upload is None or not upload.filename:
                    raise TabularError(gettext("file: choose a .csv or .xlsx file"))
                data, filename = upload.read(), upload.filename
                token = save_upload(data, filename, owner)
            report = stocktake_import.import_counts(
                db.session, found, data, filename, mode, request.form.get("sheet")
            )
            if report.committed:
                discard_upload(token, owner)
                token = None
        except (TabularError, InventoryError) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return self._back(pk)
        found = counts.get_stocktake(db.session, pk)
        return self.render_template(
            "inventory/stocktake_import.html",
            stocktake=found,
            report=report,
            token=token,
            action=url_for("StocktakeView.import_counts", pk=pk),
        )

    @expose("/count-file/<int:pk>.<fmt>")
    @has_access
    def count_file(self, pk: int, fmt: str) -> Any:
        """The count sheet as a CSV or XLSX file to fill in and import (SKU, part, counted)."""
        found = counts.get_stocktake(db.session, pk)
        if fmt not in ("csv", "xlsx"):
            abort(404)
        headers = [str(column.label) for column in stocktake_import.count_columns()]
        return table_response(
            fmt, f"{found.number}-count", headers, stocktake_import.sheet_rows(found)
        )
