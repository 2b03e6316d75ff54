"""REST API of stocktakes: ``/api/v1/inventory_stocktake/``.

* ``POST /`` with ``location`` (and ``note``) drafts a count sheet; ``GET <id>/sheet`` gives
  its lines with book, moves since the start, count, variance and value.
* ``POST <id>/parts`` with ``{"part_ids": [...]}`` puts parts on the sheet;
  ``POST <id>/counts`` with ``{"counts": {"<part id>": quantity}}`` enters counts;
  ``POST <id>/start``, ``<id>/submit``, ``<id>/cancel`` (``can_write``);
  ``POST <id>/recount`` and ``<id>/post`` (``can_approve``);
  ``POST <id>/import`` (multipart ``file``, ``mode``, ``sheet``) enters counts from CSV/XLSX.

A refusal answers 4xx with ``{"message", "field"}`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Response, request
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from marshmallow import fields

from core.api_input import describes_body, path_choices
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS
from core.tabular.api import answer_import
from plugins.inventory.api.common import json_value
from plugins.inventory.models import Stocktake
from plugins.inventory.services import stocktake as counts
from plugins.inventory.services import stocktake_import

STEPS: dict[str, Callable[..., Any]] = {
    "start": counts.start_counting,
    "submit": counts.submit,
    "cancel": counts.cancel,
}


def sheet_json(stocktake: Stocktake) -> dict[str, Any]:
    """A stocktake with its lines and figures (quantities and amounts as strings)."""
    rows = counts.figures(db.session, stocktake)
    return {
        "id": stocktake.id,
        "number": stocktake.number,
        "location_id": stocktake.location_id,
        "state": stocktake.state,
        "variance_value": str(counts.variance_total(rows)),
        "lines": [
            {name: json_value(getattr(row, name)) for name in row.__dataclass_fields__}
            for row in rows
        ],
    }


class StocktakeApi(CheckedModelApi):
    """Count sheets and their steps."""

    resource_name = "inventory_stocktake"
    datamodel = SQLAInterface(Stocktake)
    class_permission_name = "inventory_stocktake"
    include_route_methods = {
        "get",
        "get_list",
        "info",
        "post",
        "put",
        "sheet",
        "parts",
        "enter",
        "step",
        "post_adjustments",
        "recount",
        "import_counts",
    }
    method_permission_name = {
        **MODEL_API_PERMISSIONS,
        "sheet": "read",
        "parts": "write",
        "enter": "write",
        "step": "write",
        "post_adjustments": "approve",
        "recount": "approve",
        "import_counts": "write",
    }
    list_columns = show_columns = [
        "id",
        "number",
        "location.id",
        "location.label",
        "state",
        "started_on",
        "submitted_on",
        "posted_on",
        "posted_by",
        "note",
    ]
    add_columns = edit_columns = ["location", "note"]
    search_columns = ["number", "location", "state"]
    base_order = ("number", "desc")

    prepare = staticmethod(partial(counts.prepare_stocktake, field="location"))

    @answers_refusals
    def _answer(self, pk: int, work: Callable[[Stocktake], Any]) -> Response:
        found = counts.get_stocktake(db.session, pk)
        work(found)
        db.session.commit()
        return self.response(200, **sheet_json(counts.get_stocktake(db.session, pk)))

    @expose("/<int:pk>/sheet", methods=["GET"])
    @protect()
    def sheet(self, pk: int) -> Response:
        """The count sheet with its figures."""
        return self._answer(pk, lambda found: None)

    @expose("/<int:pk>/parts", methods=["POST"])
    @describes_body({"part_ids": fields.List(fields.Integer(), required=True)}, "StocktakeParts")
    @protect()
    def parts(self, pk: int) -> Response:
        """Put ``part_ids`` on the sheet (draft or counting)."""
        body = request.get_json(silent=True) or {}
        part_ids = body.get("part_ids")
        if not isinstance(part_ids, list) or not part_ids:
            return self.response(
                422, message=gettext("part_ids: give a list of part ids"), field="part_ids"
            )
        return self._answer(pk, lambda found: counts.add_parts(db.session, found, part_ids))

    @expose("/<int:pk>/counts", methods=["POST"])
    @describes_body(
        {
            "counts": fields.Dict(
                keys=fields.String(),
                values=fields.Decimal(metadata={"type": "number"}),
                required=True,
            )
        },
        "StocktakeCounts",
    )
    @protect()
    def enter(self, pk: int) -> Response:
        """Enter ``counts``: ``{"<part id>": quantity}`` (all or nothing)."""
        body = request.get_json(silent=True) or {}
        entered = body.get("counts")
        if not isinstance(entered, dict) or not entered:
            return self.response(
                422,
                message=gettext("counts: give an object of part ids and counted quantities"),
                field="counts",
            )
        return self._answer(pk, lambda found: counts.enter_counts(db.session, found, entered))

    @expose("/<int:pk>/import", methods=["POST"])
    @protect()
    @answers_refusals
    def import_counts(self, pk: int) -> Response:
        """Counts from a CSV/XLSX file (multipart ``file``, ``mode`` dry_run|all|valid_rows,
        ``sheet``): 200 with the report of a dry run, 201 when rows were imported, 422 for a
        bad file or when rows have errors and nothing was imported.
        ---
        post:
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
            201: {description: Counts entered; the report lists rejected rows}
            422: {description: Bad file, or rows with errors and nothing imported}
        """
        found = counts.get_stocktake(db.session, pk)
        return answer_import(
            self,
            lambda data, filename, mode, sheet: stocktake_import.import_counts(
                db.session, found, data, filename, mode, sheet
            ),
        )

    @expose("/<int:pk>/<string:name>", methods=["POST"])
    @path_choices(name=sorted(STEPS))
    @describes_body(None)
    @protect()
    def step(self, pk: int, name: str) -> Response:
        """``start``, ``submit`` or ``cancel`` (``can_write``)."""
        if name not in STEPS:
            return self.response(
                404,
                message=gettext("action: %(action)s is unknown", action=name),
                field="action",
            )
        return self._answer(pk, lambda found: STEPS[name](db.session, found))

    @expose("/<int:pk>/post", methods=["POST"])
    @describes_body(None)
    @protect()
    def post_adjustments(self, pk: int) -> Response:
        """Post the adjustment moves (``can_approve``)."""
        return self._answer(pk, lambda found: counts.post(db.session, found))

    @expose("/<int:pk>/recount", methods=["POST"])
    @describes_body(None)
    @protect()
    def recount(self, pk: int) -> Response:
        """Return a submitted stocktake for a recount (``can_approve``)."""
        return self._answer(pk, lambda found: counts.return_to_counting(db.session, found))
