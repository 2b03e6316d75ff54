"""Hooks of maintenance: the plugin's only contact with AfterSales core.

The entry point ``maintenance = "plugins.maintenance.plugin"`` targets this module. Views,
APIs and models are imported inside the hooks so that importing this module stays cheap.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask_appbuilder import AppBuilder
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import Session

from core.contributions import (
    DashboardWidget,
    DocumentSection,
    JobSpec,
    RelatedPanel,
    RoleSpec,
    RowRule,
)
from core.dashboard.charts import bar_chart
from core.events import Event
from core.hooks import hookimpl
from core.security.permissions import read_only, read_write

CATEGORY = "Maintenance"
WORK_ORDER = "maintenance_work_order"
FAULT_REPORT = "maintenance_fault_report"
TECHNICIAN = "maintenance_technician"
PLAN = "maintenance_plan"
MENUS = [
    "My Work Orders",
    "Work Orders",
    "Fault Reports",
    "Maintenance Plans",
    "Technicians",
    "Reliability",
    "Parts per Product",
]
DISPATCH = ("can_dispatch", WORK_ORDER)
MENU_ACCESS = [("menu_access", CATEGORY), *(("menu_access", m) for m in MENUS)]
# The manifest's label and summary, so that the catalogs translate them on the Modules screen.
MANIFEST_STRINGS = [
    _("Maintenance"),
    _("Technicians, fault reports, work orders with SLA clocks, preventive plans"),
]


@hookimpl
def aftersales_models() -> list[type]:
    """Every table of maintenance."""
    from plugins.maintenance.models import MODELS

    return list(MODELS)


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Maintenance menu."""
    from core.runtime import is_enabled
    from plugins.maintenance import views
    from plugins.maintenance.views.parts import PlanPartView, ProductPartView
    from plugins.maintenance.views.reliability import ReliabilityView

    common = {
        "category": CATEGORY,
        "category_label": _("Maintenance"),
        "category_icon": "fa-wrench",
    }
    appbuilder.add_view(
        views.MyWorkOrdersView,
        "My Work Orders",
        label=_("My Work Orders"),
        icon="fa-mobile",
        **common,
    )
    appbuilder.add_view(
        views.WorkOrderView, "Work Orders", label=_("Work Orders"), icon="fa-tasks", **common
    )
    appbuilder.add_view(
        views.FaultReportView,
        "Fault Reports",
        label=_("Fault Reports"),
        icon="fa-exclamation-triangle",
        **common,
    )
    appbuilder.add_view(
        views.PlanView,
        "Maintenance Plans",
        label=_("Maintenance Plans"),
        icon="fa-calendar-check-o",
        **common,
    )
    appbuilder.add_view(
        views.TechnicianView, "Technicians", label=_("Technicians"), icon="fa-user", **common
    )
    appbuilder.add_view(
        ReliabilityView,
        "Reliability",
        label=_("Reliability"),
        icon="fa-line-chart",
        **common,
    )
    if is_enabled("inventory"):
        appbuilder.add_view(
            ProductPartView,
            "Parts per Product",
            label=_("Parts per Product"),
            icon="fa-cubes",
            **common,
        )
    appbuilder.add_view_no_menu(PlanPartView)
    for related in (
        views.PartLineView,
        views.ClockEventView,
        views.CertificationView,
        views.InspectionResultView,
        views.PlanItemView,
    ):
        appbuilder.add_view_no_menu(related)


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """``/api/v1/work_order/`` with one endpoint per action, fault reports, technicians."""
    from plugins.maintenance.api import APIS, RELIABILITY_APIS

    for api in [*APIS, *RELIABILITY_APIS]:
        appbuilder.add_api(api)


@hookimpl
def aftersales_row_rules() -> list[RowRule]:
    """Technicians see only the work orders assigned to them, and only those orders' part
    lines, SLA timeline and checklist results (:func:`services.visible_work_orders`)."""
    from plugins.maintenance.models import ClockEvent, InspectionResult, WorkOrder, WorkOrderPart
    from plugins.maintenance.services import visible_work_orders

    return [
        RowRule(WorkOrder, visible=visible_work_orders),
        RowRule(WorkOrderPart, parent="work_order"),
        RowRule(ClockEvent, parent="work_order"),
        RowRule(InspectionResult, parent="work_order"),
    ]


@hookimpl
def aftersales_related_panels() -> list[RelatedPanel]:
    """A unit's work orders and fault reports, a contract's work orders (counts on their
    pages, linking to the lists)."""
    from plugins.maintenance.models import FaultReport, WorkOrder

    return [
        RelatedPanel("contracts_equipment", WorkOrder, "equipment", _("Work Orders"), "fa-wrench"),
        RelatedPanel(
            "contracts_equipment", FaultReport, "equipment", _("Fault Reports"), "fa-bell"
        ),
        RelatedPanel("contracts_contract", WorkOrder, "contract", _("Work Orders"), "fa-wrench"),
    ]


@hookimpl
def aftersales_roles() -> list[RoleSpec]:
    """Service Manager (everything here), Dispatcher (fault reports, work orders and their
    dispatch; reads technicians and plans), Technician (works the orders assigned to them,
    reads fault reports). All three read contracts (``contracts.read``); technicians also
    read parts and stock and keep a van's stock when inventory is enabled
    (``inventory.van_keeping``)."""
    return [
        RoleSpec(
            "Service Manager",
            [
                *read_write(WORK_ORDER),
                *read_write(FAULT_REPORT),
                *read_write(TECHNICIAN),
                *read_write(PLAN),
                DISPATCH,
                *MENU_ACCESS,
            ],
            includes=["contracts.read"],
        ),
        RoleSpec(
            "Dispatcher",
            [
                *read_write(WORK_ORDER),
                *read_write(FAULT_REPORT),
                *read_only(TECHNICIAN),
                *read_only(PLAN),
                DISPATCH,
                *MENU_ACCESS,
            ],
            includes=["contracts.read"],
        ),
        RoleSpec(
            "Technician",
            [
                *read_write(WORK_ORDER),
                *read_only(FAULT_REPORT),
                ("menu_access", CATEGORY),
                ("menu_access", "My Work Orders"),
                ("menu_access", "Work Orders"),
                ("menu_access", "Fault Reports"),
            ],
            includes=["contracts.read", "inventory.van_keeping"],
        ),
    ]


def _open_by_state(session: Session) -> dict[str, Any]:
    from plugins.maintenance.services import count_open_by_state
    from plugins.maintenance.views.common import STATE_LABELS

    counts = count_open_by_state(session)
    return bar_chart(
        [STATE_LABELS[s] for s in counts], gettext("Work orders"), list(counts.values()), "#f0ad4e"
    )


def _overdue_and_breached(session: Session) -> dict[str, Any]:
    from core.timeutil import utcnow
    from plugins.maintenance.services import company_today
    from plugins.maintenance.services.kpis import overdue_and_breached

    counts = overdue_and_breached(session, utcnow(), company_today(session))
    link = "/maintenance/work-orders/list/"
    labels = {
        "inspections": gettext("Inspections past their due date"),
        "response": gettext("Open orders past their response deadline"),
        "resolution": gettext("Open orders past their resolution deadline"),
    }
    return {
        "rows": [
            {"label": labels[key], "value": value, "link": link} for key, value in counts.items()
        ]
    }


def _sla_trend(session: Session) -> dict[str, Any]:
    from plugins.maintenance.services import company_today
    from plugins.maintenance.services.kpis import compliance_trend

    trend = compliance_trend(session, company_today(session))

    def series(values: list[Any]) -> list[float | None]:
        return [None if v is None else float(v) for v in values]

    return {
        "type": "line",
        "data": {
            "labels": [first.strftime("%Y-%m") for first, _c in trend],
            "datasets": [
                {
                    "label": gettext("Response deadlines met (%)"),
                    "data": series([c.response_percent for _f, c in trend]),
                    "borderColor": "#337ab7",
                    "spanGaps": True,
                },
                {
                    "label": gettext("Resolution deadlines met (%)"),
                    "data": series([c.resolution_percent for _f, c in trend]),
                    "borderColor": "#5cb85c",
                    "spanGaps": True,
                },
            ],
        },
        "options": {"scales": {"y": {"min": 0, "max": 100}}},
    }


@hookimpl
def aftersales_dashboard_widgets() -> list[DashboardWidget]:
    """Open work orders by state (chart), overdue and breached orders (list), SLA
    compliance of the last six months (chart); for dispatchers and service managers."""
    return [
        DashboardWidget(
            "maintenance_open_by_state",
            _("Open work orders by state"),
            "chart",
            _open_by_state,
            permission=DISPATCH,
            order=30,
        ),
        DashboardWidget(
            "maintenance_overdue_breached",
            _("Overdue and breached work orders"),
            "list",
            _overdue_and_breached,
            permission=DISPATCH,
            order=31,
        ),
        DashboardWidget(
            "maintenance_sla_trend",
            _("SLA compliance by month"),
            "chart",
            _sla_trend,
            permission=DISPATCH,
            order=32,
        ),
    ]


def _flag_breaches(context: Any) -> int:
    from plugins.maintenance.services import flag_sla_breaches

    flagged = flag_sla_breaches(
        context.session,
        progress=lambda done, total: context.progress(done, total, "orders checked"),
    )
    context.log(f"{flagged} deadline(s) flagged as breached")
    return flagged


def _generate(context: Any) -> int:
    from plugins.maintenance.services import company_today
    from plugins.maintenance.services.generation import generate_all

    results = generate_all(
        context.session,
        company_today(context.session),
        commit=context.session.commit,
        progress=lambda done, total, plan: context.progress(done, total, plan),
    )
    for result in results:
        context.log(
            f"plan {result.plan_id}: {result.created} created, {result.existing} existing, "
            f"generated up to {result.window[1].isoformat()}"
        )
    return sum(r.created for r in results)


@hookimpl
def aftersales_jobs() -> list[JobSpec]:
    """Every five minutes: flag missed SLA deadlines (once each). Every night: generate
    the inspections of the active maintenance plans over their horizon."""
    return [
        JobSpec(
            "maintenance.flag_sla_breaches",
            _flag_breaches,
            description="Flag work orders whose response or resolution deadline passed",
            schedule="*/5 * * * *",
        ),
        JobSpec(
            "maintenance.generate_inspections",
            _generate,
            description="Generate inspection work orders of the maintenance plans",
            schedule="0 1 * * *",
        ),
    ]


@hookimpl
def aftersales_on_event(session: Session, event: Event) -> None:
    """A fault published by another plugin becomes a fault report (and a work order); a
    terminated contract's untouched future inspections are withdrawn; an amended contract's
    are regenerated under its new terms."""
    from plugins.contracts.events import ContractAmended, ContractTerminated
    from plugins.maintenance.events import FaultReported

    if isinstance(event, FaultReported):
        from plugins.maintenance.services import report_fault_from_event

        report_fault_from_event(session, event)
    elif isinstance(event, ContractTerminated):
        from plugins.maintenance.services import company_today
        from plugins.maintenance.services.generation import contract_ended

        contract_ended(session, event.contract_id, company_today(session))
    elif isinstance(event, ContractAmended):
        from plugins.maintenance.services import company_today
        from plugins.maintenance.services.generation import regenerate_contract

        regenerate_contract(session, event.contract_id, company_today(session))


@hookimpl
def aftersales_document_sections(
    document: str,
    subject: Any,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> list[DocumentSection]:
    """An inspection's report (visit, checklist results, problems found, risks) and
    maintenance's part of a contract's service report (see
    :mod:`plugins.maintenance.services.report`)."""
    from plugins.maintenance.services.report import document_sections

    return document_sections(document, subject, period_start, period_end)


@hookimpl(optionalhook=True)
def inventory_expected_demand(
    session: Session, start: datetime.date, end: datetime.date
) -> list[tuple[int, int, Any]]:
    """Inventory's reorder planning asks (only when inventory is enabled): the parts
    expected for repairs (units x failure rate x horizon) and for planned inspections
    (see :mod:`plugins.maintenance.services.demand`)."""
    from plugins.maintenance.services.demand import expected_demand

    return expected_demand(session, start, end)


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """Technicians, fault reports and work orders in several states on the demo equipment."""
    from plugins.maintenance.demo import load_demo

    load_demo(session, scale)
