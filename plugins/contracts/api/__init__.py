"""Contracts REST endpoints, one module per topic; ``APIS`` lists what plugin.py registers."""

from plugins.contracts.api.amendments import ContractAmendmentApi
from plugins.contracts.api.calendar import ContractCalendarApi
from plugins.contracts.api.coverage import CoverageApi
from plugins.contracts.api.entitlements import EntitlementApi, EntitlementPartApi
from plugins.contracts.api.equipment import EquipmentApi, ProductApi
from plugins.contracts.api.lifecycle import ContractApi
from plugins.contracts.api.parties import ContactApi, CustomerAddressApi, CustomerApi
from plugins.contracts.api.scope import ContractEquipmentApi, ContractRangeApi
from plugins.contracts.api.service_levels import ServiceLevelApi, ServiceLevelTargetApi

APIS = [
    CustomerApi,
    CustomerAddressApi,
    ContactApi,
    ProductApi,
    EquipmentApi,
    ServiceLevelApi,
    ServiceLevelTargetApi,
    ContractApi,
    ContractAmendmentApi,
    ContractEquipmentApi,
    ContractRangeApi,
    EntitlementApi,
    EntitlementPartApi,
    CoverageApi,
    ContractCalendarApi,
]

__all__ = [
    "APIS",
    "ContactApi",
    "ContractAmendmentApi",
    "ContractApi",
    "ContractCalendarApi",
    "ContractEquipmentApi",
    "ContractRangeApi",
    "CoverageApi",
    "CustomerAddressApi",
    "CustomerApi",
    "EntitlementApi",
    "EntitlementPartApi",
    "EquipmentApi",
    "ProductApi",
    "ServiceLevelApi",
    "ServiceLevelTargetApi",
]
