"""Hooks of warranty_cards: the plugin's only contact with AfterSales core.

The entry point ``warranty_cards = "aftersales_warranty_cards.plugin"`` targets this module.
Imports of Flask-AppBuilder views stay inside the hooks so that importing this module is cheap.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.contributions import DashboardWidget, JobSpec
from core.declare import Menu, Screen, declare
from core.hooks import hookimpl

PERMISSION = "warranty_cards_card"


@hookimpl
def aftersales_config_defaults() -> dict[str, Any]:
    """Days ahead that the dashboard counts as "expiring soon"."""
    return {"WARRANTY_CARDS_EXPIRING_DAYS": 30}


declare(
    globals(),
    models=["aftersales_warranty_cards.models:WarrantyCard"],
    menu=Menu("Warranty", _("Warranty"), icon="fa-shield"),
    screens=[
        Screen(
            "aftersales_warranty_cards.views:WarrantyCardView",
            _("Warranty Cards"),
            icon="fa-id-card",
            name="Warranty Cards",
        ),
        Screen(
            "aftersales_warranty_cards.views:WarrantyCheckView",
            _("Warranty Check"),
            icon="fa-search",
            name="Warranty Check",
        ),
    ],
    apis=["aftersales_warranty_cards.api:WarrantyCardApi"],
    # The Warranty Clerk registers cards and answers coverage questions.
    roles={"Warranty Clerk": {PERMISSION: "write", "warranty_cards_check": "read"}},
)


def _expiring_soon(session: Session) -> dict[str, Any]:
    from aftersales_warranty_cards.services import company_today, count_expiring

    days = current_app.config["WARRANTY_CARDS_EXPIRING_DAYS"]
    return {
        "value": count_expiring(session, company_today(), days),
        "link": "/warranty-cards/cards/list/",
    }


@hookimpl
def aftersales_dashboard_widgets() -> list[DashboardWidget]:
    """How many active cards run out within ``WARRANTY_CARDS_EXPIRING_DAYS``."""
    return [
        DashboardWidget(
            "warranty_cards_expiring",
            _("Warranty cards expiring soon"),
            "count",
            _expiring_soon,
            permission=("can_read", PERMISSION),
            order=60,
        )
    ]


@hookimpl
def aftersales_jobs() -> list[JobSpec]:
    """Flag expired cards every night."""
    from aftersales_warranty_cards.jobs import flag_expired

    return [
        JobSpec(
            "warranty_cards.flag_expired",
            flag_expired,
            description="Mark warranty cards whose coverage has ended as expired",
            schedule="15 1 * * *",
        )
    ]


DEMO_CUSTOMERS = [
    "上海明远医疗设备有限公司",
    "Hangzhou Lakeside Hotel",
    "深圳华拓电梯工程有限公司",
    "Beijing North Star Printing",
    "广州恒温空调服务中心",
]
DEMO_PRODUCTS = ["LJ-M507", "VRV-X12", "US-EPIQ7", "EL-3000", "PX-980"]


@hookimpl
def aftersales_load_demo(session: Session, scale: int) -> None:
    """Cards bought over the last three years: some expired, some expiring soon."""
    from aftersales_warranty_cards.models import WarrantyCard
    from aftersales_warranty_cards.services import company_today, register_card

    today = company_today()
    start = session.scalar(select(func.count()).select_from(WarrantyCard)) or 0
    for i in range(8 * scale):
        number = start + i + 1
        product = DEMO_PRODUCTS[number % len(DEMO_PRODUCTS)]
        register_card(
            session,
            card_number=f"WC-{number:06d}",
            serial_number=f"{product}-{202300000 + number * 37}",
            customer_name=DEMO_CUSTOMERS[number % len(DEMO_CUSTOMERS)],
            purchase_date=today - datetime.timedelta(days=45 * number),
            warranty_months=(12, 24, 36)[number % 3],
            today=today,
        )
