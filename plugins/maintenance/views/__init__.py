"""Screens of maintenance, one module per topic; the classes plugin.py registers."""

from plugins.maintenance.views.fault_reports import FaultReportView
from plugins.maintenance.views.lifecycle import MyWorkOrdersView
from plugins.maintenance.views.parts import PartLineView, PlanPartView, ProductPartView
from plugins.maintenance.views.plans import InspectionResultView, PlanItemView, PlanView
from plugins.maintenance.views.reliability import ReliabilityView
from plugins.maintenance.views.sla import ClockEventView
from plugins.maintenance.views.technicians import CertificationView, TechnicianView
from plugins.maintenance.views.work_orders import WorkOrderView

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
