"""The coverage check screen: what covers a unit on a date for a kind of work."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder import BaseView, expose, has_access

from core.extensions import db
from plugins.contracts import services
from plugins.contracts.services import ContractError


class CoverageView(BaseView):
    """The coverage check: what covers a unit on a date for a kind of work."""

    route_base = "/contracts/coverage"
    default_view = "check"
    class_permission_name = "contracts_coverage"
    method_permission_name = {"check": "read"}

    @expose("/")
    @has_access
    def check(self) -> Any:
        """Form and answer for ``?serial=...&at=...&kind=...``."""
        serial = (request.args.get("serial") or "").strip()
        answer, error = None, None
        if serial:
            try:
                import datetime

                at_text = request.args.get("at") or ""
                at = datetime.date.fromisoformat(at_text) if at_text else services.company_today()
                answer = services.coverage(
                    db.session,
                    serial,
                    at,
                    request.args.get("kind") or "labour",
                    request.args.get("part") or None,
                )
            except (ContractError, ValueError) as exc:
                error = str(exc)
        return self.render_template(
            "contracts/coverage.html", serial=serial, answer=answer, error=error
        )
