"""REST API of warranty_cards: ``/api/v1/warranty_card/``. It only calls services."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from aftersales_warranty_cards.models import CARD_STATES, WarrantyCard
from aftersales_warranty_cards.services import prepare_card
from core.crud import CheckedModelApi
from core.states.api import StatefulApi

EDITABLE = ["card_number", "serial_number", "customer_name", "purchase_date", "warranty_months"]
READABLE = ["id", *EDITABLE, "expires_on", "status"]


class WarrantyCardApi(StatefulApi, CheckedModelApi):
    """Warranty cards over REST, checked by :func:`prepare_card` on create and change.

    Refusals answer 422 (or 409 for a used card number) with ``{"message": ..., "field":
    ...}``; nothing is saved. ``/<id>/actions`` lists and runs the status actions.
    """

    resource_name = "warranty_card"
    datamodel = SQLAInterface(WarrantyCard)
    class_permission_name = "warranty_cards_card"
    prepare = staticmethod(prepare_card)
    state_machine = CARD_STATES
    state_field = "status"
    list_columns = READABLE
    show_columns = READABLE
    add_columns = EDITABLE
    edit_columns = EDITABLE
    search_columns = ["card_number", "serial_number", "customer_name", "expires_on", "status"]
    order_columns = ["card_number", "purchase_date", "expires_on"]
    base_order = ("expires_on", "asc")
