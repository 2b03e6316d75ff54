"""Hooks of contracts: the plugin's only contact with AfterSales core.

The entry point ``contracts = "plugins.contracts.plugin"`` targets this module. Views, APIs
and models are imported inside the hooks so that importing this module stays cheap.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.contributions import (
    DashboardWidget,
    DocumentSection,
    JobSpec,
    PermissionSet,
    RelatedPanel,
    RoleSpec,
)
from core.hooks import hookimpl
from core.security.permissions import read_only, read_write

CATEGORY = "Contracts"
MENUS = [
    "Service Contracts",
    "Customers",
    "Contacts",
    "Equipment",
    "Products",
    "Service Levels",
    "Coverage Check",
    "Contract Calendar",
]
OBJECTS = [
    "contracts_customer",
    "contracts_contact",
    "contracts_product",
    "contracts_equipment",
    "contracts_service_level",
    "contracts_contract",
]
# The manifest's label and summary, so that the catalogs translate them on the Modules screen.
MANIFEST_STRINGS = [
    _("Contracts"),
    _("Customers, equipment, service-level terms, service contracts and their coverage"),
]
MENU_ACCESS = [("menu_access", CATEGORY), *(("menu_access", m) for m in MENUS)]
# The import screen: the roles that write customers or contracts may use it.
IMPORT_ACCESS = [("can_write", "contracts_import"), ("menu_access", "Contracts Import")]


@hookimpl
def aftersales_config_defaults() -> dict[str, Any]:
    """Days ahead that the dashboard lists contracts as expiring; the largest signed copy
    of an amendment accepted (bytes)."""
    return {"CONTRACTS_EXPIRING_DAYS": 90, "CONTRACTS_AMENDMENT_MAX_BYTES": 10 * 1024 * 1024}


@hookimpl
def aftersales_models() -> list[type]:
    """Every table of contracts."""
    from plugins.contracts.models import MODELS

    return list(MODELS)


@hookimpl
def aftersales_register_views(appbuilder: AppBuilder) -> None:
    """The Contracts menu."""
    from plugins.contracts import views

    common = {"category": CATEGORY}
    appbuilder.add_view(
        views.ContractView,
        "Service Contracts",
        label=_("Service Contracts"),
        icon="fa-file-text-o",
        category=CATEGORY,
        category_label=_("Contracts"),
        category_icon="fa-handshake-o",
    )
    appbuilder.add_view(
        views.CustomerView, "Customers", label=_("Customers"), icon="fa-building", **common
    )
    appbuilder.add_view(
        views.ContactView, "Contacts", label=_("Contacts"), icon="fa-address-book", **common
    )
    appbuilder.add_view(
        views.EquipmentView, "Equipment", label=_("Equipment"), icon="fa-cogs", **common
    )
    appbuilder.add_view(
        views.ProductView, "Products", label=_("Products"), icon="fa-cube", **common
    )
    appbuilder.add_view(
        views.ServiceLevelView,
        "Service Levels",
        label=_("Service Levels"),
        icon="fa-clock-o",
        **common,
    )
    appbuilder.add_view(
        views.CoverageView,
        "Coverage Check",
        label=_("Coverage Check"),
        icon="fa-search",
        **common,
    )
    appbuilder.add_view(
        views.ContractCalendarView,
        "Contract Calendar",
        label=_("Contract Calendar"),
        icon="fa-calendar",
        **common,
    )
    for related in (
        views.ServiceLevelTargetView,
        views.ContractEquipmentView,
        views.EntitlementView,
        views.AmendmentView,
        views.ContractVersionView,
        views.CustomerAddressView,
        views.EntitlementPartView,
        views.ContractRangeView,
    ):
        appbuilder.add_view_no_menu(related)
    from plugins.contracts.views.importing import ContractsImportView
    from plugins.contracts.views.report import ServiceReportView

    appbuilder.add_view_no_menu(ServiceReportView)
    appbuilder.add_view(
        ContractsImportView, "Contracts Import", label=_("Import"), icon="fa-upload", **common
    )


@hookimpl
def aftersales_register_apis(appbuilder: AppBuilder) -> None:
    """``/api/v1/customer/``, ``/api/v1/contract/``... and the coverage API."""
    from plugins.contracts.api import APIS

    for api in APIS:
        appbuilder.add_api(api)
    from plugins.contracts.views.importing import ContractsImportApi
    from plugins.contracts.views.report import ServiceReportApi

    appbuilder.add_api(ServiceReportApi)
    appbuilder.add_api(ContractsImportApi)


@hookimpl
def aftersales_permission_sets() -> list[PermissionSet]:
    """``contracts.read``: read contracts, customers, equipment, service levels and coverage.

    Roles of the plugins that depend on contracts include it (a technician reads the
    contract of the unit they repair); contracts itself names none of their roles.
    """
    read_all = [p for obj in OBJECTS for p in read_only(obj)]
    return [
        PermissionSet("contracts.read", [*read_all, *read_only("contracts_coverage"), *MENU_ACCESS])
    ]


@hookimpl
def aftersales_related_panels() -> list[RelatedPanel]:
    """A customer's equipment and contracts (counts on the customer's page)."""
    from plugins.contracts.models import Contract, Equipment

    return [
        RelatedPanel("contracts_customer", Equipment, "customer", _("Equipment"), "fa-cogs"),
        RelatedPanel(
            "contracts_customer", Contract, "customer", _("Service Contracts"), "fa-file-text-o"
        ),
    ]


@hookimpl
def aftersales_roles() -> list[RoleSpec]:
    """Contract Manager (everything), Sales (customers and draft contracts) and Staff
    Read-only (reads what ``contracts.read`` covers)."""
    return [
        RoleSpec(
            "Contract Manager",
            [
                *(p for obj in OBJECTS for p in read_write(obj)),
                ("can_approve", "contracts_contract"),
                *IMPORT_ACCESS,
            ],
            includes=["contracts.read"],
        ),
        RoleSpec(
            "Sales",
            [
                *read_write("contracts_customer"),
                *read_write("contracts_contact"),
                *read_write("contracts_contract"),
                *IMPORT_ACCESS,
            ],
            includes=["contracts.read"],
        ),
        RoleSpec("Staff Read-only", includes=["contracts.read"]),
    ]


@hookimpl
def aftersales_dashboard_widgets() -> list[DashboardWidget]:
    """Contracts by state and contract value by month (charts), contracts ending within 90
    days (list)."""
    from plugins.contracts.services.dashboard import expiring_list, state_chart, value_chart

    permission = ("can_read", "contracts_contract")
    return [
        DashboardWidget(
            "contracts_by_state",
            _("Contracts by state"),
            "chart",
            state_chart,
            permission=permission,
            order=20,
        ),
        DashboardWidget(
            "contracts_expiring",
            _("Contracts ending within 90 days"),
            "list",
            expiring_list,
            permission=permission,
            order=21,
        ),
        DashboardWidget(
            "contracts_value_by_month",
            _("Contract value by month"),
            "chart",
            value_chart,
            permission=permission,
            order=22,
        ),
    ]


def _daily(context: Any) -> dict[str, int]:
    from plugins.contracts.services import company_today, notify_expiring, run_daily_lifecycle

    today = company_today(context.session)
    done = run_daily_lifecycle(context.session, today)
    done["notified"] = notify_expiring(context.session, today)
    total = sum(done.values())
    context.progress(total, total, ", ".join(f"{k}: {v}" for k, v in done.items()))
    return done


@hookimpl
def aftersales_jobs() -> list[JobSpec]:
    """Every night: contracts past their cancel-by date expiring (their manager notified once
    per term), past their end expired (or renewed when their renewal is tacit)."""
    return [
        JobSpec(
            "contracts.daily_lifecycle",
            _daily,
            description="Mark contracts expiring and notify their managers, expire or tacitly "
            "renew them",
            schedule="30 0 * * *",
        )
    ]


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """A few customers, products, units, service levels and a contract in every state."""
    from plugins.contracts import services as s
    from plugins.contracts.models import Customer

    start = session.scalar(select(func.count()).select_from(Customer)) or 0
    today = s.company_today(session)
    gold = s.create_service_level(
        session,
        f"Gold 7x24 on-site{' #' + str(start) if start else ''}",
        "7x24",
        "on_site",
        {"P1": (2, 8), "P2": (4, 24), "P3": (8, 48), "P4": (24, 120)},
    )
    silver = s.create_service_level(
        session,
        f"Silver 5x8 on-site{' #' + str(start) if start else ''}",
        "5x8",
        "on_site",
        {"P1": (4, 16), "P2": (8, 40), "P3": (16, 80), "P4": (40, 160)},
    )
    products = [
        s.create_product(
            session,
            product_type=kind,
            model=f"{model}{'-' + str(start) if start else ''}",
            specification=spec,
            manufacturer=maker,
        )
        for kind, model, spec, maker in (
            ("Printer", "LaserJet M507", "A4 mono, 45 ppm", "HP"),
            ("HVAC", "VRV X-12", "12 HP outdoor unit", "Daikin"),
            ("Ultrasound", "EPIQ 7", "Cardiac, 4 probes", "Philips"),
        )
    ]
    clauses = {
        "confidentiality_clause": "双方对在履行本合同中知悉的对方商业秘密负有保密义务。",
        "liability_clause": "任何一方违约，应赔偿对方因此遭受的直接损失。",
        "dispute_resolution": "arbitration",
        "dispute_venue": "上海国际仲裁中心",
    }
    names = [
        ("上海明远医疗设备有限公司", "Shanghai"),
        ("杭州湖滨酒店管理有限公司", "Hangzhou"),
        ("深圳华拓电梯工程有限公司", "Shenzhen"),
        ("北京北极星印务有限公司", "Beijing"),
        ("广州南珠物业服务有限公司", "Guangzhou"),
        ("成都蓉锦酒店有限公司", "Chengdu"),
        ("武汉长江印务有限公司", "Wuhan"),
    ]
    # One contract in every state, in the order of ``names``.
    states = ["active", "expiring", "under_review", "draft", "expired", "renewed", "terminated"]
    for n in range(len(names) * scale):
        number = start + n + 1
        name, city = names[n % len(names)]
        customer = s.create_customer(
            session,
            kind="company",
            name=name if number <= len(names) else f"{name} {number}",
            tax_id=_demo_uscc(number),
            address=f"{city}",
            phone=f"021-{60000000 + number}",
            email=f"service{number}@example.com",
        )
        s.create_contact(
            session,
            customer_id=customer.id,
            name=["王磊", "李娜", "张伟", "刘洋"][n % 4],
            phone=f"138{number:08d}",
            email=f"contact{number}@example.com",
            wechat_id=f"wx_contact{number}",
        )
        s.create_address(
            session, customer_id=customer.id, kind="billing", address=f"{city} finance dept."
        )
        sites = [
            s.create_address(
                session, customer_id=customer.id, kind="site", address=f"{city} site {i + 1}"
            )
            for i in range(len(products))
        ]
        units = [
            s.create_equipment(
                session,
                product_id=product.id,
                customer_id=customer.id,
                serial_number=f"SN-{number:04d}-{i + 1}",
                site_address_id=sites[i].id,
                installed_on=today - datetime.timedelta(days=400 + 30 * i),
                warranty_end=today - datetime.timedelta(days=35 + 30 * i),
            )
            for i, product in enumerate(products)
        ]
        state = states[n % len(states)]
        begin = {
            "active": today - datetime.timedelta(days=100),
            "expiring": today - datetime.timedelta(days=340),
            "expired": today - datetime.timedelta(days=400),
            "renewed": today - datetime.timedelta(days=300),
            "terminated": today - datetime.timedelta(days=60),
        }.get(state, today + datetime.timedelta(days=10))
        contract = s.create_contract(
            session,
            customer_id=customer.id,
            title=f"{name} full-service contract",
            start_date=begin,
            end_date=s.add_months(begin, 12) - datetime.timedelta(days=1),
            service_level_id=(gold if n % 2 else silver).id,
            fee=Decimal("48000.00") + n * 1000,
            currency="CNY",
            billing_cycle="quarterly",
            payment_terms="30 days after invoice",
            renewal="auto" if n % 2 else "express",
            renewal_months=12,
            notice_days=30,
            **clauses,
        )
        for unit in units:
            s.cover_equipment(session, contract, unit)
        s.add_entitlement(session, contract, "labour", "all")
        s.add_entitlement(
            session, contract, "parts", "amount", annual_amount="20000", discount_percent="15"
        )
        s.add_entitlement(session, contract, "visit", "count", annual_count=4)
        if state == "draft":
            continue
        s.submit_for_review(session, contract)
        if state == "under_review":
            continue
        s.activate(session, contract)
        if state == "expiring":
            s.mark_expiring(session, contract, today)
        elif state == "expired":
            s.expire(session, contract, today)
        elif state == "renewed":
            s.renew(session, contract)
        elif state == "terminated":
            s.terminate(session, contract, "客户停业，双方协商一致提前终止。")


def _demo_uscc(number: int) -> str:
    from core.company.service import uscc_check_character

    first17 = f"91310000{number:09d}"
    return first17 + uscc_check_character(first17)


@hookimpl
def aftersales_document_sections(
    document: str,
    subject: Any,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> list[DocumentSection]:
    """A contract's service report: summary, covered equipment, entitlements and quota
    used, changes in the period (see :mod:`plugins.contracts.services.report`)."""
    from plugins.contracts.services.report import document_sections

    return document_sections(document, subject, period_start, period_end)
