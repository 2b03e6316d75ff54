"""What the contracts dashboard widgets show: contracts by state, those ending soon and the
contract value by month."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import Session

from core.company.service import company_currency
from core.dashboard.charts import bar_chart
from plugins.contracts.services.common import company_today
from plugins.contracts.services.expiry import expiring_within
from plugins.contracts.services.labels import STATE_LABELS
from plugins.contracts.services.lifecycle import count_by_state
from plugins.contracts.services.value import month_start, value_by_month


def state_chart(session: Session) -> dict[str, Any]:
    """The bar chart of contracts per state."""
    counts = count_by_state(session)
    return bar_chart(
        [STATE_LABELS[s] for s in counts], gettext("Contracts"), list(counts.values()), "#337ab7"
    )


def expiring_list(session: Session) -> dict[str, Any]:
    """The first ten contracts ending within ``CONTRACTS_EXPIRING_DAYS`` (90) days, with
    links, and how many there are."""
    days = int(current_app.config.get("CONTRACTS_EXPIRING_DAYS", 90))
    found = expiring_within(session, company_today(session), days)
    return {
        "rows": [
            {
                "label": f"{c.number} {c.title}",
                "value": c.end_date.isoformat(),
                "link": f"/contracts/contracts/show/{c.id}",
            }
            for c in found[:10]
        ],
        "value": len(found),
    }


def value_chart(session: Session) -> dict[str, Any]:
    """The bar chart of contract value per month, from five months back, in the company's
    currency."""
    currency = company_currency()
    values = value_by_month(session, month_start(company_today(session), -5), 12, currency)
    return bar_chart(
        [month.strftime("%Y-%m") for month, _value in values],
        gettext("Contract value (%(currency)s)", currency=currency),
        [float(value) for _month, value in values],
        "#5cb85c",
        whole_numbers=False,
    )
