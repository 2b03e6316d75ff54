"""REST endpoints of what a contract covers: its units and product ranges."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi
from core.extensions import db
from plugins.contracts import services
from plugins.contracts.models import ContractEquipment, ContractRange


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
