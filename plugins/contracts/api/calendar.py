"""REST endpoint of the contract calendar."""

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
