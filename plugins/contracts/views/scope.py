"""Screens of what a contract covers: its units and its product ranges."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from core.extensions import db
from plugins.contracts import services
from plugins.contracts.models import ContractEquipment, ContractRange
from plugins.contracts.views.common import ContractsView


class ContractEquipmentView(ContractsView):
    """Units covered by a contract (shown inside the contract)."""

    datamodel = SQLAInterface(ContractEquipment)
    route_base = "/contracts/covered-equipment"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_contract_equipment)
    list_title = _("Covered Equipment")
    list_columns = ["contract.number", "equipment.serial_number"]
    add_columns = edit_columns = show_columns = ["contract", "equipment"]


class ContractRangeView(ContractsView):
    """Product ranges a contract covers (shown inside the contract): the customer's units
    of a product type, optionally of one manufacturer and model."""

    datamodel = SQLAInterface(ContractRange)
    route_base = "/contracts/product-ranges"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_contract_range)
    list_title = _("Product Ranges")
    list_columns = ["contract.number", "product_type", "manufacturer", "model"]
    add_columns = edit_columns = show_columns = [
        "contract",
        "product_type",
        "manufacturer",
        "model",
    ]
    description_columns = {
        "product_type": _("As on the products, e.g. Printer"),
        "manufacturer": _("Optional: only this manufacturer's units"),
        "model": _("Optional: only this model (with its manufacturer)"),
    }
    search_columns = ["contract", "product_type", "manufacturer"]

    def pre_delete(self, item: ContractRange) -> None:
        """Only while the contract may change."""
        services.check_range_removal(db.session, item)
