"""Screens of maintenance, one module per topic; the classes plugin.py registers."""

from plugins.maintenance.views.parts import PlanPartView, ProductPartView
from plugins.maintenance.views.reliability import ReliabilityView
from plugins.maintenance.views.work_orders import (
    CertificationView,
    ClockEventView,
    FaultReportView,
    InspectionResultView,
    MyWorkOrdersView,
    PartLineView,
    PlanItemView,
    PlanView,
    TechnicianView,
    WorkOrderView,
)

__all__ = [
    "CertificationView",
    "ClockEventView",
    "FaultReportView",
    "InspectionResultView",
    "MyWorkOrdersView",
    "PartLineView",
    "PlanItemView",
    "PlanPartView",
    "PlanView",
    "ProductPartView",
    "ReliabilityView",
    "TechnicianView",
    "WorkOrderView",
]
