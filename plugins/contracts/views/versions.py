"""Screens of a contract's versions (read-only snapshots of its terms)."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from markupsafe import Markup, escape

from core.security.permissions import BusinessModelView
from plugins.contracts import services
from plugins.contracts.models import ContractVersion
from plugins.contracts.services.labels import LABELS
from plugins.contracts.views.common import term_text


def terms_table(terms: dict[str, Any]) -> Markup:
    """A version's snapshot of terms as an HTML table."""
    rows = []
    for term in services.COMPARED_TERMS:
        value = terms.get(term)
        if term == "equipment":
            value = [u["serial"] for u in value or []]
        rows.append(
            f"<tr><th>{escape(str(LABELS.get(term, term)))}</th>"
            f"<td style='white-space: pre-wrap'>{escape(term_text(term, value))}</td></tr>"
        )
    return Markup(f"<table class='table table-condensed'>{''.join(rows)}</table>")


class ContractVersionView(BusinessModelView):
    """Versions of a contract (read-only snapshots, shown inside the contract)."""

    datamodel = SQLAInterface(ContractVersion)
    route_base = "/contracts/versions"
    class_permission_name = "contracts_contract"
    include_route_methods = {"list", "show"}
    list_title = _("Versions")
    show_title = _("Contract Version")
    list_columns = ["contract.number", "number", "applied_on", "amendment.number"]
    show_columns = ["contract", "number", "applied_on", "amendment", "terms"]
    base_order = ("number", "asc")
    formatters_columns = {
        "number": lambda v: f"v{v}",
        "amendment.number": lambda v: f"A{v}" if v else "",
        "terms": terms_table,
    }
    label_columns = {**LABELS, "number": _("Version"), "amendment.number": _("Amendment")}
