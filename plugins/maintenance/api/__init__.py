"""REST endpoints of maintenance, one module per topic; the classes plugin.py registers."""

from plugins.maintenance.api.fault_reports import FaultReportApi
from plugins.maintenance.api.plans import PlanApi, PlanItemApi
from plugins.maintenance.api.reliability import RELIABILITY_APIS
from plugins.maintenance.api.technicians import CertificationApi, TechnicianApi
from plugins.maintenance.api.work_orders import WorkOrderApi

APIS = [TechnicianApi, CertificationApi, FaultReportApi, WorkOrderApi, PlanApi, PlanItemApi]

__all__ = [
    "APIS",
    "RELIABILITY_APIS",
    "CertificationApi",
    "FaultReportApi",
    "PlanApi",
    "PlanItemApi",
    "TechnicianApi",
    "WorkOrderApi",
]
