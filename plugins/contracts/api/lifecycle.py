"""REST endpoint of service contracts and their lifecycle. It only calls services.

Refusals answer 422 (invalid), 409 (conflict, wrong state) or 404 with
``{"message": ..., "field": ...}``; nothing is saved.
"""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext
from marshmallow import fields

from core.api_input import describes_body, describes_query, path_choices
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS
from plugins.contracts import services
from plugins.contracts.api.common import date_value, decimal_value
from plugins.contracts.models import Contract
from plugins.contracts.services import ContractError

SALES_ACTIONS = ("submit", "return_to_draft")  # the rest need can_approve


#: What the lifecycle actions read from their body (documented in the OpenAPI document):
#: ``terminate`` a reason, ``mark_expiring``/``expire`` the day, ``renew`` the months.
LIFECYCLE_BODY = {
    "reason": fields.String(),
    "today": fields.Date(),
    "months": fields.Integer(),
}
USAGE_BODY = {
    "kind": fields.String(required=True, metadata={"enum": ["labour", "parts", "visits"]}),
    "on": fields.Date(),
    "amount": fields.Decimal(metadata={"type": "number"}),
    "count": fields.Integer(),
    "reference": fields.String(),
}


class ContractApi(CheckedModelApi):
    """``/api/v1/contract/`` and its lifecycle: ``POST /api/v1/contract/<id>/<action>``
    with action submit, return_to_draft, activate, terminate (``{"reason"}``),
    mark_expiring, expire, renew (``{"months"}`` optional)."""

    resource_name = "contract"
    datamodel = SQLAInterface(Contract)
    class_permission_name = "contracts_contract"
    method_permission_name = {
        **MODEL_API_PERMISSIONS,
        "lifecycle": "write",
        "usage": "write",
        "versions": "read",
        "compare_versions": "read",
        "manager": "write",
    }
    prepare = staticmethod(services.prepare_contract)
    add_columns = edit_columns = services.CONTRACT_FIELDS
    list_columns = [
        "id",
        "number",
        "customer.name",
        "title",
        "start_date",
        "end_date",
        "cancel_by",
        "state",
        "fee",
        "currency",
    ]
    show_columns = [
        "id",
        "number",
        "customer.name",
        *[c for c in services.CONTRACT_FIELDS if c not in ("customer", "service_level", "manager")],
        "manager.id",
        "manager.username",
        "cancel_by",
        "state",
        "termination_reason",
    ]
    search_columns = ["number", "customer", "state", "end_date", "title"]
    order_columns = ["number", "start_date", "end_date", "state"]

    def pre_delete(self, item: Contract) -> None:
        """Only a draft may be deleted."""
        if item.state != "draft":
            raise ContractError(
                gettext("state: only a draft contract can be deleted"), "state", 409
            )

    @expose("/<int:pk>/<string:action>", methods=["POST"])
    @path_choices(action=sorted(services.ACTIONS))
    @describes_body(LIFECYCLE_BODY, "ContractLifecycle")
    @protect()
    @answers_refusals
    def lifecycle(self, pk: int, action: str) -> Response:
        """Run a lifecycle action on contract ``pk``; answers the contract's new state."""
        body = request.get_json(silent=True) or {}
        handler = services.ACTIONS.get(action)
        if action not in SALES_ACTIONS and not self.appbuilder.sm.has_access(
            "can_approve", self.class_permission_name
        ):
            return self.response(
                403,
                message=gettext("action: %(action)s needs the approve permission", action=action),
                field="action",
            )
        if handler is None:
            return self.response(
                404,
                message=gettext("action: %(action)s is unknown", action=action),
                field="action",
            )
        contract = services.get_contract(db.session, pk)
        today = services.company_today()
        if action == "terminate":
            result = handler(db.session, contract, body.get("reason") or "")
        elif action in ("mark_expiring", "expire"):
            result = handler(db.session, contract, date_value(body.get("today")) or today)
        elif action == "renew":
            result = handler(db.session, contract, body.get("months"))
        else:
            result = handler(db.session, contract)
        db.session.commit()
        return self.response(
            200,
            id=contract.id,
            number=contract.number,
            state=contract.state,
            successor_id=result.id if result is not contract else None,
            successor_number=result.number if result is not contract else None,
        )

    @expose("/<int:pk>/usage", methods=["POST"])
    @describes_body(USAGE_BODY, "ContractUsage")
    @protect()
    @answers_refusals
    def usage(self, pk: int) -> Response:
        """Consume quota of the contract: ``{"kind", "on", "amount" | "count", "reference"}``;
        answers 201 with the remaining quota of that contract year."""
        body = request.get_json(silent=True) or {}
        contract = services.get_contract(db.session, pk)
        on = date_value(body.get("on")) or services.company_today()
        kind = str(body.get("kind") or "")
        count = body.get("count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise ContractError(gettext("count: must be a whole number"), "count")
        services.record_usage(
            db.session,
            contract,
            kind,
            on,
            amount=decimal_value(body.get("amount")),
            count=count,
            reference=str(body.get("reference") or ""),
        )
        db.session.commit()
        serials = [link.equipment.serial_number for link in contract.equipment_links]
        answer = services.coverage(db.session, serials[0], on, kind) if serials else None
        return self.response(
            201,
            remaining=str(answer.remaining) if answer and answer.remaining is not None else None,
        )

    @expose("/<int:pk>/manager", methods=["POST"])
    @describes_body({"manager": fields.Integer(allow_none=True)}, "ContractManager")
    @protect()
    @answers_refusals
    def manager(self, pk: int) -> Response:
        """Name the contract manager ``{"manager": user id}`` (``null`` clears), in any state
        but the ended ones; the manager is notified when the contract is expiring."""
        body = request.get_json(silent=True) or {}
        contract = services.get_contract(db.session, pk)
        services.assign_manager(db.session, contract, body.get("manager"))
        db.session.commit()
        return self.response(200, id=contract.id, manager=contract.manager_id)

    @expose("/<int:pk>/versions", methods=["GET"])
    @protect()
    @answers_refusals
    def versions(self, pk: int) -> Response:
        """The contract's versions: number, date applied, amendment and the terms."""
        contract = services.get_contract(db.session, pk)
        return self.response(
            200,
            id=contract.id,
            number=contract.number,
            result=[
                {
                    "number": v.number,
                    "applied_on": v.applied_on.isoformat(),
                    "amendment_id": v.amendment_id,
                    "terms": v.terms,
                }
                for v in contract.versions
            ],
        )

    @expose("/<int:pk>/versions/compare", methods=["GET"])
    @describes_query(
        "VersionsQuery",
        **{"from": fields.Integer(required=True), "to": fields.Integer(required=True)},
    )
    @protect()
    @answers_refusals
    def compare_versions(self, pk: int) -> Response:
        """Differences between versions ``?from=N&to=M``, field by field."""
        contract = services.get_contract(db.session, pk)
        first = services.get_version(db.session, contract, request.args.get("from"), "from")
        second = services.get_version(db.session, contract, request.args.get("to"), "to")
        rows = services.compare_versions(first, second)
        return self.response(
            200,
            id=contract.id,
            number=contract.number,
            **{"from": first.number, "to": second.number},
            differences=rows,
            changed=[row["field"] for row in rows if row["changed"]],
        )
