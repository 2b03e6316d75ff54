"""REST endpoint of amendments of contracts in force, their signed copy and actions."""

from __future__ import annotations

from typing import Any

from flask import Response, request, send_file
from flask_appbuilder.api import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext
from marshmallow import fields

from core.api_input import describes_body, path_choices
from core.crud import CheckedModelApi
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import MODEL_API_PERMISSIONS
from plugins.contracts import services
from plugins.contracts.api.common import date_value
from plugins.contracts.models import ContractAmendment
from plugins.contracts.services import ContractError


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
            signed_on=date_value(body.get("signed_on"), "signed_on"),
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
            values["signed_on"] = date_value(values["signed_on"], "signed_on")
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
