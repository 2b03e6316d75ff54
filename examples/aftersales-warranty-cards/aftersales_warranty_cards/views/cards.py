"""Screens of warranty_cards: the card list and the coverage check. They only call services."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from aftersales_warranty_cards.models import CARD_STATES, WarrantyCard
from aftersales_warranty_cards.services import company_today, covering_card, prepare_card
from core.crud import CheckedModelView
from core.extensions import db
from core.states.views import StatefulView

LABELS = {
    "card_number": _("Card Number"),
    "serial_number": _("Serial Number"),
    "customer_name": _("Customer"),
    "purchase_date": _("Purchase Date"),
    "warranty_months": _("Warranty (months)"),
    "expires_on": _("Covered Until"),
    "status": _("Status"),
    "status_reason": _("Reason"),
}


class WarrantyCardView(StatefulView, CheckedModelView):
    """List, search, register and correct warranty cards (``can_read``/``can_write``).

    Expiry is computed by :func:`prepare_card`; a refused card is flashed with the rule it
    breaks and nothing is saved. The status moves through the buttons of :data:`CARD_STATES`.
    """

    datamodel = SQLAInterface(WarrantyCard)
    route_base = "/warranty-cards/cards"
    class_permission_name = "warranty_cards_card"
    prepare = staticmethod(prepare_card)
    state_machine = CARD_STATES
    state_field = "status"
    list_title = _("Warranty Cards")
    show_title = _("Warranty Card")
    add_title = _("Register Warranty Card")
    edit_title = _("Edit Warranty Card")
    label_columns = LABELS
    list_columns = [
        "card_number",
        "serial_number",
        "customer_name",
        "purchase_date",
        "expires_on",
        "status",
    ]
    show_columns = [
        "card_number",
        "serial_number",
        "customer_name",
        "purchase_date",
        "warranty_months",
        "expires_on",
        "status",
        "status_reason",
    ]
    add_columns = edit_columns = [
        "card_number",
        "serial_number",
        "customer_name",
        "purchase_date",
        "warranty_months",
    ]
    search_columns = [
        "card_number",
        "serial_number",
        "customer_name",
        "purchase_date",
        "expires_on",
        "status",
    ]
    base_order = ("expires_on", "asc")


class WarrantyCheckView(BaseView):
    """Answer the help desk's question: is unit SERIAL under warranty today?"""

    route_base = "/warranty-cards/check"
    default_view = "check"
    class_permission_name = "warranty_cards_check"
    method_permission_name = {"check": "read"}

    @expose("/")
    @has_access
    def check(self) -> Any:
        """Show the search form and, for ``?serial=...``, the card covering that unit today."""
        serial = (request.args.get("serial") or "").strip()
        today = company_today()
        card = covering_card(db.session, serial, today) if serial else None
        return self.render_template(
            "warranty_cards/check.html", serial=serial, card=card, today=today
        )
