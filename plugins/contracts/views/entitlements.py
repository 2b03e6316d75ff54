"""Screens of a contract's entitlement lines and their lists of free parts."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from core.extensions import db
from plugins.contracts import services
from plugins.contracts.models import Entitlement, EntitlementPart
from plugins.contracts.views.common import ContractsView, choice_labels, selects


class EntitlementPartView(ContractsView):
    """Part numbers a parts entitlement covering a list makes free (inside the entitlement)."""

    datamodel = SQLAInterface(EntitlementPart)
    route_base = "/contracts/entitlement-parts"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement_part)
    list_title = _("Listed Parts")
    list_columns = ["part_number", "description"]
    add_columns = edit_columns = show_columns = ["entitlement", "part_number", "description"]
    search_columns = ["part_number", "entitlement"]
    base_order = ("part_number", "asc")

    def pre_delete(self, item: EntitlementPart) -> None:
        """Only while the contract may change."""
        services.check_entitlement_part_removal(db.session, item)


class EntitlementView(ContractsView):
    """Entitlement lines of a contract (shown inside the contract)."""

    datamodel = SQLAInterface(Entitlement)
    route_base = "/contracts/entitlements"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement)
    list_title = _("Entitlements")
    list_columns = ["kind", "coverage", "annual_amount", "annual_count", "discount_percent"]
    add_columns = edit_columns = show_columns = [
        "contract",
        "kind",
        "coverage",
        "annual_amount",
        "annual_count",
        "discount_percent",
    ]
    add_form_extra_fields = edit_form_extra_fields = selects("coverage", kind="entitlement_kind")
    related_views = [EntitlementPartView]
    formatters_columns = choice_labels("coverage", kind="entitlement_kind")
