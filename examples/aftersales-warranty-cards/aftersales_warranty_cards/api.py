"""REST API of warranty_cards: ``/api/v1/warranty_card/``. It only calls services."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.models.sqla.interface import SQLAInterface

from aftersales_warranty_cards.models import WarrantyCard
from aftersales_warranty_cards.services import WarrantyCardError, company_today, prepare_card
from core.extensions import db
from core.security.permissions import BusinessModelApi

EDITABLE = ["card_number", "serial_number", "customer_name", "purchase_date", "warranty_months"]
READABLE = ["id", *EDITABLE, "expires_on", "status"]


class WarrantyCardApi(BusinessModelApi):
    """Warranty cards over REST. Refusals answer 422 (or 409 for a used card number) with
    ``{"message": ..., "field": ...}``; nothing is saved."""

    resource_name = "warranty_card"
    datamodel = SQLAInterface(WarrantyCard)
    class_permission_name = "warranty_cards_card"
    list_columns = READABLE
    show_columns = READABLE
    add_columns = EDITABLE
    edit_columns = EDITABLE
    search_columns = ["card_number", "serial_number", "customer_name", "expires_on", "status"]
    order_columns = ["card_number", "purchase_date", "expires_on"]
    base_order = ("expires_on", "asc")

    def pre_add(self, item: WarrantyCard) -> None:
        """Check the new card and compute its expiry."""
        prepare_card(db.session, item, company_today())

    def pre_update(self, item: WarrantyCard) -> None:
        """Check the edited card and recompute its expiry."""
        prepare_card(db.session, item, company_today())

    def post_headless(self) -> Response:
        """Create a card; a broken rule answers 4xx naming the field."""
        try:
            return super().post_headless()
        except WarrantyCardError as exc:
            return self._refused(exc)

    def put_headless(self, pk: int) -> Response:
        """Change a card; a broken rule answers 4xx naming the field."""
        try:
            return super().put_headless(pk)
        except WarrantyCardError as exc:
            return self._refused(exc)

    def _refused(self, exc: WarrantyCardError) -> Response:
        db.session.rollback()
        return self.response(exc.status, message=str(exc), field=exc.field)
