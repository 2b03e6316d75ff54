"""Contracts screens, one module per topic; the classes plugin.py registers."""

from plugins.contracts.views.amendments import AmendmentView
from plugins.contracts.views.calendar import ContractCalendarView
from plugins.contracts.views.coverage import CoverageView
from plugins.contracts.views.entitlements import EntitlementPartView, EntitlementView
from plugins.contracts.views.equipment import EquipmentView, ProductView
from plugins.contracts.views.lifecycle import ContractView
from plugins.contracts.views.parties import ContactView, CustomerAddressView, CustomerView
from plugins.contracts.views.scope import ContractEquipmentView, ContractRangeView
from plugins.contracts.views.service_levels import ServiceLevelTargetView, ServiceLevelView
from plugins.contracts.views.versions import ContractVersionView

__all__ = [
    "AmendmentView",
    "ContactView",
    "ContractCalendarView",
    "ContractEquipmentView",
    "ContractRangeView",
    "ContractVersionView",
    "ContractView",
    "CoverageView",
    "CustomerAddressView",
    "CustomerView",
    "EntitlementPartView",
    "EntitlementView",
    "EquipmentView",
    "ProductView",
    "ServiceLevelTargetView",
    "ServiceLevelView",
]
