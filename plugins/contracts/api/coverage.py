"""REST endpoint of the coverage check."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect
from marshmallow import fields

from core.api_input import describes_query
from core.errors import answers_refusals
from core.extensions import db
from core.security.permissions import BusinessApi
from plugins.contracts import services
from plugins.contracts.api.common import date_value


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
        at = date_value(request.args.get("at")) or services.company_today()
        answer = services.coverage(
            db.session,
            request.args.get("serial", ""),
            at,
            request.args.get("kind", "labour"),
            request.args.get("part") or None,
        )
        return self.response(200, **answer.as_dict())
