"""REST APIs of contracts. They only call services.

Refusals answer 422 (invalid), 409 (conflict, wrong state) or 404 with
``{"message": ..., "field": ...}``; nothing is saved.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, request, send_file
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext
from marshmallow import fields

from core.api_input import checked_date, describes_body, describes_query, path_choices
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS, BusinessApi
from plugins.contracts import services
from plugins.contracts.models import (
    Contact,
    Contract,
    ContractAmendment,
    ContractEquipment,
    ContractRange,
    Customer,
    CustomerAddress,
    Entitlement,
    EntitlementPart,
    Equipment,
    Product,
    ServiceLevel,
    ServiceLevelTarget,
)
from plugins.contracts.services import ContractError


class CustomerApi(CheckedModelApi):
    """``/api/v1/customer/``."""

    resource_name = "customer"
    datamodel = SQLAInterface(Customer)
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_customer)
    add_columns = edit_columns = ["kind", "name", "tax_id", "address", "phone", "email"]
    list_columns = show_columns = ["id", *add_columns]
    search_columns = ["kind", "name", "tax_id"]


class CustomerAddressApi(CheckedModelApi):
    """``/api/v1/customer_address/``: registered, billing, site and mailing addresses, one
    default per kind."""

    resource_name = "customer_address"
    datamodel = SQLAInterface(CustomerAddress)
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_address)
    add_columns = ["customer", "kind", "name", "address", "postal_code", "is_default"]
    edit_columns = add_columns[1:]
    list_columns = show_columns = ["id", "customer.id", "customer.name", *add_columns[1:]]
    search_columns = ["customer", "kind", "is_default"]

    def pre_delete(self, item: CustomerAddress) -> None:
        """An address units are installed at stays (409)."""
        services.check_address_removal(db.session, item)


class ContactApi(CheckedModelApi):
    """``/api/v1/contact/``."""

    resource_name = "contact"
    datamodel = SQLAInterface(Contact)
    class_permission_name = "contracts_contact"
    prepare = staticmethod(services.prepare_contact)
    add_columns = edit_columns = ["customer", "name", "phone", "email", "wechat_id"]
    list_columns = show_columns = [
        "id",
        "customer.name",
        "name",
        "phone",
        "email",
        "wechat_id",
    ]
    search_columns = ["customer", "name"]


class ProductApi(CheckedModelApi):
    """``/api/v1/product/``."""

    resource_name = "product"
    datamodel = SQLAInterface(Product)
    class_permission_name = "contracts_product"
    prepare = staticmethod(services.prepare_product)
    add_columns = edit_columns = ["product_type", "model", "specification", "manufacturer"]
    list_columns = show_columns = ["id", *add_columns]
    search_columns = ["product_type", "model", "manufacturer"]


class EquipmentApi(CheckedModelApi):
    """``/api/v1/equipment/``."""

    resource_name = "equipment"
    datamodel = SQLAInterface(Equipment)
    class_permission_name = "contracts_equipment"
    prepare = staticmethod(services.prepare_equipment)
    add_columns = edit_columns = [
        "product",
        "serial_number",
        "customer",
        "site",
        "site_address",
        "installed_on",
        "warranty_end",
        "status",
    ]
    list_columns = show_columns = [
        "id",
        "product.model",
        "serial_number",
        "customer.name",
        "site.id",
        "site_address",
        "installed_on",
        "warranty_end",
        "status",
    ]
    search_columns = ["serial_number", "customer", "product", "status"]


class ServiceLevelApi(CheckedModelApi):
    """``/api/v1/service_level/``."""

    resource_name = "service_level"
    datamodel = SQLAInterface(ServiceLevel)
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_service_level)
    add_columns = edit_columns = ["name", "calendar_code", "service_mode"]
    list_columns = show_columns = ["id", *add_columns]


class ServiceLevelTargetApi(CheckedModelApi):
    """``/api/v1/service_level_target/``: response/resolution hours per priority."""

    resource_name = "service_level_target"
    datamodel = SQLAInterface(ServiceLevelTarget)
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_target)
    add_columns = edit_columns = [
        "service_level",
        "priority",
        "response_hours",
        "resolution_hours",
    ]
    list_columns = show_columns = [
        "id",
        "priority",
        "response_hours",
        "resolution_hours",
    ]
    search_columns = ["service_level", "priority"]


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
            result = handler(db.session, contract, _date(body.get("today")) or today)
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
        on = _date(body.get("on")) or services.company_today()
        kind = str(body.get("kind") or "")
        count = body.get("count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise ContractError(gettext("count: must be a whole number"), "count")
        services.record_usage(
            db.session,
            contract,
            kind,
            on,
            amount=_decimal(body.get("amount")),
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


class ContractAmendmentApi(CheckedModelApi):
    """``/api/v1/contract_amendment/``: amendments of contracts in force.

    ``POST`` ``{"contract", "changes": {term: new value}, "reason"}`` drafts one; ``PUT``
    changes a draft (``changes``, ``reason``, ``customer_signer``, ``company_signer``,
    ``signed_on``); ``POST /<id>/attachment`` (multipart ``file``) stores the signed copy,
    ``GET`` downloads it; ``POST /<id>/confirm``, ``/apply`` (needs ``can_approve``),
    ``/withdraw``.
    """

    resource_name = "contract_amendment"
    datamodel = SQLAInterface(ContractAmendment)
    class_permission_name = "contracts_contract"
    method_permission_name = {
        **MODEL_API_PERMISSIONS,
        "amendment_action": "write",
        "upload_attachment": "write",
        "download_attachment": "read",
    }
    list_columns = show_columns = [
        "id",
        "contract.id",
        "contract.number",
        "number",
        "state",
        "reason",
        "changes",
        "customer_signer",
        "company_signer",
        "signed_on",
        "attachment_name",
        "attachment_type",
        "attachment_size",
        "applied_on",
        "version_number",
    ]
    add_columns = ["contract", "reason", "changes"]
    edit_columns = ["reason", "changes", "customer_signer", "company_signer", "signed_on"]
    search_columns = ["contract", "state"]
    order_columns = ["id", "number", "state", "signed_on", "applied_on"]

    @answers_refusals
    def post_headless(self) -> Response:
        """Draft an amendment; a broken rule answers 4xx naming the field."""
        body = request.get_json(silent=True) or {}
        contract_id = body.get("contract")
        if isinstance(contract_id, bool) or not isinstance(contract_id, int):
            raise ContractError(gettext("contract: is required (its id)"), "contract")
        contract = services.get_contract(db.session, contract_id)
        amendment = services.create_amendment(
            db.session,
            contract,
            body.get("changes"),
            str(body.get("reason") or ""),
            customer_signer=str(body.get("customer_signer") or ""),
            company_signer=str(body.get("company_signer") or ""),
            signed_on=_date(body.get("signed_on"), "signed_on"),
        )
        db.session.commit()
        return self.response(201, id=amendment.id, result=self._shown(amendment))

    @answers_refusals
    def put_headless(self, pk: int) -> Response:
        """Change a draft amendment; other states answer 409."""
        body = request.get_json(silent=True) or {}
        amendment = services.get_amendment(db.session, pk)
        values = {k: body[k] for k in self.edit_columns if k in body}
        if "signed_on" in values:
            values["signed_on"] = _date(values["signed_on"], "signed_on")
        services.update_amendment(db.session, amendment, **values)
        db.session.commit()
        return self.response(200, id=amendment.id, result=self._shown(amendment))

    def pre_delete(self, item: ContractAmendment) -> None:
        """Only a draft may be deleted (others are withdrawn and stay on record)."""
        if item.state != "draft":
            raise ContractError(
                gettext("state: only a draft amendment can be deleted; withdraw it"),
                "state",
                409,
            )

    def _shown(self, amendment: ContractAmendment) -> dict[str, Any]:
        return self.show_model_schema.dump(amendment)

    @expose("/<int:pk>/attachment", methods=["POST"])
    @describes_body(
        {"file": fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)},
        "SignedCopy",
        "multipart/form-data",
    )
    @protect()
    @answers_refusals
    def upload_attachment(self, pk: int) -> Response:
        """Store the copy signed by both parties (multipart field ``file``)."""
        amendment = services.get_amendment(db.session, pk)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ContractError(
                gettext("attachment: send the signed copy as the multipart field 'file'"),
                "attachment",
            )
        services.attach_signed_copy(db.session, amendment, upload.filename, upload.read())
        db.session.commit()
        return self.response(
            201,
            id=amendment.id,
            attachment_name=amendment.attachment_name,
            attachment_size=amendment.attachment_size,
            attachment_type=amendment.attachment_type,
        )

    @expose("/<int:pk>/attachment", methods=["GET"])
    @protect()
    @answers_refusals
    def download_attachment(self, pk: int) -> Response:
        """The signed copy under its original file name."""
        amendment = services.get_amendment(db.session, pk)
        path = services.attachment_file(amendment)
        if path is None or not path.is_file():
            return self.response(
                404, message=gettext("attachment: none stored yet"), field="attachment"
            )
        return send_file(
            path,
            mimetype=amendment.attachment_type or "application/octet-stream",
            as_attachment=True,
            download_name=amendment.attachment_name,
        )

    @expose("/<int:pk>/<string:action>", methods=["POST"])
    @path_choices(action=sorted(services.AMENDMENT_ACTIONS))
    @describes_body(None)
    @protect()
    @answers_refusals
    def amendment_action(self, pk: int, action: str) -> Response:
        """confirm, apply (needs ``can_approve``) or withdraw amendment ``pk``."""
        handler = services.AMENDMENT_ACTIONS.get(action)
        if handler is None:
            return self.response(
                404,
                message=gettext("action: %(action)s is unknown", action=action),
                field="action",
            )
        if action == "apply" and not self.appbuilder.sm.has_access(
            "can_approve", self.class_permission_name
        ):
            return self.response(
                403,
                message=gettext("action: %(action)s needs the approve permission", action=action),
                field="action",
            )
        amendment = services.get_amendment(db.session, pk)
        handler(db.session, amendment)
        db.session.commit()
        return self.response(
            200,
            id=amendment.id,
            state=amendment.state,
            contract_state=amendment.contract.state,
            version=amendment.version_number,
        )


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ContractError(
            gettext("amount: %(value)r is not a number", value=value), "amount"
        ) from exc


def _date(value: Any, field: str = "at") -> datetime.date | None:
    if not value:
        return None
    try:
        found = datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ContractError(
            gettext("date: %(value)r is not a date (YYYY-MM-DD)", value=value), field
        ) from exc
    return checked_date(found, field, ContractError)


class ContractEquipmentApi(CheckedModelApi):
    """``/api/v1/contract_equipment/``: the units a contract covers."""

    resource_name = "contract_equipment"
    datamodel = SQLAInterface(ContractEquipment)
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_contract_equipment)
    add_columns = ["contract", "equipment"]
    edit_columns = ["equipment"]
    list_columns = show_columns = [
        "id",
        "contract.number",
        "equipment.serial_number",
    ]
    search_columns = ["contract", "equipment"]

    def pre_delete(self, item: ContractEquipment) -> None:
        """Only while the contract may change."""
        services.prepare_contract_equipment(db.session, item)


class ContractRangeApi(CheckedModelApi):
    """``/api/v1/contract_range/``: product ranges a contract covers (a product type,
    optionally narrowed to a manufacturer and model)."""

    resource_name = "contract_range"
    datamodel = SQLAInterface(ContractRange)
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_contract_range)
    add_columns = ["contract", "product_type", "manufacturer", "model"]
    edit_columns = add_columns[1:]
    list_columns = show_columns = ["id", "contract.id", "contract.number", *add_columns[1:]]
    search_columns = ["contract", "product_type"]

    def pre_delete(self, item: ContractRange) -> None:
        """Only while the contract may change."""
        services.check_range_removal(db.session, item)


class EntitlementApi(CheckedModelApi):
    """``/api/v1/entitlement/``: what a contract covers and how much a year."""

    resource_name = "entitlement"
    datamodel = SQLAInterface(Entitlement)
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement)
    add_columns = [
        "contract",
        "kind",
        "coverage",
        "annual_amount",
        "annual_count",
        "discount_percent",
    ]
    edit_columns = add_columns[1:]
    list_columns = show_columns = ["id", "contract.number", *add_columns[1:]]
    search_columns = ["contract", "kind"]


class EntitlementPartApi(CheckedModelApi):
    """``/api/v1/entitlement_part/``: part numbers a parts entitlement covering a list
    makes free."""

    resource_name = "entitlement_part"
    datamodel = SQLAInterface(EntitlementPart)
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement_part)
    add_columns = ["entitlement", "part_number", "description"]
    edit_columns = ["part_number", "description"]
    list_columns = show_columns = [
        "id",
        "entitlement.id",
        "entitlement.kind",
        "part_number",
        "description",
    ]
    search_columns = ["entitlement", "part_number"]

    def pre_delete(self, item: EntitlementPart) -> None:
        """Only while the contract may change."""
        services.check_entitlement_part_removal(db.session, item)


class CoverageApi(BusinessApi):
    """``GET /api/v1/contracts/coverage?serial=...&at=DATE&kind=labour&part=SKU``."""

    resource_name = "contracts"
    class_permission_name = "contracts_coverage"
    method_permission_name = {"coverage": "read"}

    @expose("/coverage", methods=["GET"])
    @describes_query(
        "CoverageQuery",
        serial=fields.String(required=True),
        at=fields.Date(),
        kind=fields.String(metadata={"enum": ["labour", "parts", "visits"]}),
        part=fields.String(),
    )
    @protect()
    @answers_refusals
    def coverage(self) -> Response:
        """What covers unit ``serial`` on ``at`` (default today) for ``kind`` of work;
        ``part`` (a part number) is checked against a list of free parts."""
        at = _date(request.args.get("at")) or services.company_today()
        answer = services.coverage(
            db.session,
            request.args.get("serial", ""),
            at,
            request.args.get("kind", "labour"),
            request.args.get("part") or None,
        )
        return self.response(200, **answer.as_dict())


class ContractCalendarApi(BusinessApi):
    """``GET /api/v1/contracts/calendar?days=90``: upcoming cancel-by and end dates."""

    resource_name = "contracts"
    class_permission_name = "contracts_contract"
    method_permission_name = {"calendar": "read"}

    @expose("/calendar", methods=["GET"])
    @describes_query("CalendarQuery", days=fields.Integer())
    @protect()
    @answers_refusals
    def calendar(self) -> Response:
        """Cancel-by and end dates of contracts in force within the next ``days`` days
        (default 90), grouped by month, each with its contract's id and link."""
        text = request.args.get("days", "90")
        today = services.company_today()
        entries = services.upcoming_dates(db.session, today, text)
        return self.response(
            200,
            today=today.isoformat(),
            days=int(text),
            count=len(entries),
            months=[
                {
                    "month": month,
                    "dates": [
                        {**e.as_dict(), "link": f"/contracts/contracts/show/{e.contract_id}"}
                        for e in rows
                    ],
                }
                for month, rows in services.by_month(entries)
            ],
        )


APIS = [
    CustomerApi,
    CustomerAddressApi,
    ContactApi,
    ProductApi,
    EquipmentApi,
    ServiceLevelApi,
    ServiceLevelTargetApi,
    ContractApi,
    ContractAmendmentApi,
    ContractEquipmentApi,
    ContractRangeApi,
    EntitlementApi,
    EntitlementPartApi,
    CoverageApi,
    ContractCalendarApi,
]
