"""REST endpoints of a contract's entitlement lines and their lists of free parts."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi
from core.extensions import db
from plugins.contracts import services
from plugins.contracts.models import Entitlement, EntitlementPart


class EntitlementApi(CheckedModelApi):
    """``/api/v1/entitlement/``: what a contract covers and how much a year."""

    resource_name = "entitlement"
    datamodel = SQLAInterface(Entitlement)
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement)
    add_columns = [
        "contract",
        "kind",
        "coverage",
        "annual_amount",
        "annual_count",
        "discount_percent",
    ]
    edit_columns = add_columns[1:]
    list_columns = show_columns = ["id", "contract.number", *add_columns[1:]]
    search_columns = ["contract", "kind"]


class EntitlementPartApi(CheckedModelApi):
    """``/api/v1/entitlement_part/``: part numbers a parts entitlement covering a list
    makes free."""

    resource_name = "entitlement_part"
    datamodel = SQLAInterface(EntitlementPart)
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement_part)
    add_columns = ["entitlement", "part_number", "description"]
    edit_columns = ["part_number", "description"]
    list_columns = show_columns = [
        "id",
        "entitlement.id",
        "entitlement.kind",
        "part_number",
        "description",
    ]
    search_columns = ["entitlement", "part_number"]

    def pre_delete(self, item: EntitlementPart) -> None:
        """Only while the contract may change."""
        services.check_entitlement_part_removal(db.session, item)
