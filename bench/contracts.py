"""Contracts benchmark: the contract list API and the coverage check at N contracts.

Generates N contracts (one covered unit each, three entitlements, some quota used) with bulk
inserts, then prints, per measurement, the median and p95 latency through the whole Flask
stack (test client, JWT auth, FAB's ModelRestApi / the coverage API), SQL statements per
request, and the same answer fetched with bare SQLAlchemy in the same run as the baseline.
The coverage check is also timed as a direct service call (no HTTP), to show what the web
stack costs on top of the rules.
"""

from __future__ import annotations

import datetime
import json
import random
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from bench.common import (
    admin_headers,
    company_customers,
    figures,
    get_page,
    insert_rows,
    schema_app,
)
from bench.measure import measure
from core.extensions import db

AT = datetime.date(2026, 3, 1)
UNITS_PER_CUSTOMER = 5


def generate_contracts(session: Session, count: int, seed: int = 11) -> None:
    """Insert ``count`` contracts with their customers (one per 5 contracts), units,
    entitlements (labour all, parts up to 20,000, 4 visits) and quota used, in bulk."""
    from plugins.contracts.models import (
        Contract,
        ContractEquipment,
        Customer,
        Entitlement,
        EntitlementUsage,
        Equipment,
        Product,
        ServiceLevel,
        ServiceLevelTarget,
    )

    rng = random.Random(seed)
    session.execute(
        insert(ServiceLevel), [{"id": 1, "name": "Bench Gold", "calendar_code": "7x24"}]
    )
    session.execute(
        insert(ServiceLevelTarget),
        [
            {"service_level_id": 1, "priority": p, "response_hours": r, "resolution_hours": r * 4}
            for p, r in (("P1", 2), ("P2", 4), ("P3", 8), ("P4", 24))
        ],
    )
    session.execute(
        insert(Product),
        [
            {"id": n, "product_type": "Printer", "model": f"M{n}", "manufacturer": "HP"}
            for n in range(1, 11)
        ],
    )
    customers = max(1, count // UNITS_PER_CUSTOMER)
    insert_rows(session, Customer, company_customers(customers))
    insert_rows(
        session,
        Equipment,
        (
            {
                "id": n,
                "product_id": 1 + n % 10,
                "serial_number": f"SN-{n:07d}",
                "customer_id": 1 + (n - 1) // UNITS_PER_CUSTOMER,
            }
            for n in range(1, count + 1)
        ),
    )
    states = ["active"] * 8 + ["expired", "draft"]

    def contract_rows() -> Iterator[dict]:
        base = datetime.date(2025, 4, 1)
        for n in range(1, count + 1):
            start = base + datetime.timedelta(days=rng.randint(0, 330))
            end = start + datetime.timedelta(days=364)
            yield {
                "id": n,
                "number": f"CT-B-{n:07d}",
                "customer_id": 1 + (n - 1) // UNITS_PER_CUSTOMER,
                "title": f"全保服务合同 {n}",
                "start_date": start,
                "end_date": end,
                "cancel_by": end - datetime.timedelta(days=30),
                "service_level_id": 1,
                "fee": Decimal("48000.00"),
                "state": rng.choice(states),
                "dispute_resolution": "arbitration",
            }

    insert_rows(session, Contract, contract_rows())
    insert_rows(
        session,
        ContractEquipment,
        ({"contract_id": n, "equipment_id": n} for n in range(1, count + 1)),
    )

    def entitlement_rows() -> Iterator[dict]:
        for n in range(1, count + 1):
            yield {"id": 3 * n - 2, "contract_id": n, "kind": "labour", "coverage": "all"}
            yield {
                "id": 3 * n - 1,
                "contract_id": n,
                "kind": "parts",
                "coverage": "amount",
                "annual_amount": Decimal("20000.00"),
                "discount_percent": Decimal("15.00"),
            }
            yield {
                "id": 3 * n,
                "contract_id": n,
                "kind": "visit",
                "coverage": "count",
                "annual_count": 4,
            }

    insert_rows(session, Entitlement, entitlement_rows())
    insert_rows(
        session,
        EntitlementUsage,
        (
            {
                "entitlement_id": 3 * n - 1,
                "used_on": AT - datetime.timedelta(days=rng.randint(1, 60)),
                "amount": Decimal(rng.randint(100, 5000)),
            }
            for n in range(1, count + 1, 2)
        ),
    )
    if session.get_bind().dialect.name == "postgresql":  # explicit ids: move sequences on
        for table in (
            "contracts_service_level",
            "contracts_product",
            "contracts_customer",
            "contracts_equipment",
            "contracts_contract",
            "contracts_entitlement",
        ):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))  # planner statistics, as autovacuum would gather
        session.commit()


def build_app(database_url: str | None, workdir: Path) -> Any:
    """An app with contracts on a fresh schema (SQLite in ``workdir`` by default)."""
    return schema_app(database_url, workdir, ["contracts"])


def bare_list_page(page: int, page_size: int) -> list[dict[str, Any]]:
    """The contract list page, fetched (count + page joined to the customer) and
    serialised with bare SQLAlchemy."""
    from plugins.contracts.models import Contract, Customer

    session = db.session
    session.scalar(select(func.count()).select_from(Contract))
    rows = session.execute(
        select(
            Contract.id,
            Contract.number,
            Customer.name,
            Contract.title,
            Contract.start_date,
            Contract.end_date,
            Contract.cancel_by,
            Contract.state,
            Contract.fee,
            Contract.currency,
        )
        .join(Customer, Customer.id == Contract.customer_id)
        .order_by(Contract.number.desc())
        .limit(page_size)
        .offset(page * page_size)
    ).all()
    payload = [
        {
            key: (value.isoformat() if hasattr(value, "isoformat") else str(value))
            for key, value in row._mapping.items()
        }
        for row in rows
    ]
    json.dumps(payload)
    session.rollback()
    return payload


def bare_coverage(serial: str, at: datetime.date) -> dict[str, Any] | None:
    """The coverage answer for parts with bare SQLAlchemy: one query for the contract,
    service level and entitlement in force, one for the quota used in the contract year."""
    from plugins.contracts.models import (
        Contract,
        ContractEquipment,
        Entitlement,
        EntitlementUsage,
        Equipment,
        ServiceLevel,
    )

    session = db.session
    row = session.execute(
        select(
            Contract.id,
            Contract.number,
            Contract.start_date,
            ServiceLevel.name,
            Entitlement.id,
            Entitlement.annual_amount,
            Entitlement.discount_percent,
        )
        .join(ContractEquipment, ContractEquipment.contract_id == Contract.id)
        .join(Equipment, Equipment.id == ContractEquipment.equipment_id)
        .join(ServiceLevel, ServiceLevel.id == Contract.service_level_id)
        .join(
            Entitlement,
            (Entitlement.contract_id == Contract.id) & (Entitlement.kind == "parts"),
        )
        .where(
            Equipment.serial_number == serial,
            Contract.state.in_(("active", "expiring", "renewed")),
            Contract.start_date <= at,
            Contract.end_date >= at,
        )
        .order_by(Contract.start_date.desc())
        .limit(1)
    ).first()
    answer = None
    if row is not None:
        used = session.scalar(
            select(func.coalesce(func.sum(EntitlementUsage.amount), 0)).where(
                EntitlementUsage.entitlement_id == row[4],
                EntitlementUsage.used_on >= row[2],
                EntitlementUsage.used_on <= at,
            )
        )
        answer = {"contract": row[1], "level": row[3], "remaining": str(row[5] - used)}
    json.dumps(answer)
    session.rollback()
    return answer


def run(contracts: int, page_sizes: list[int], repeat: int, database_url: str | None) -> list[dict]:
    """Generate ``contracts`` contracts, then time the list API per page size and the
    coverage check (API, service, bare SQLAlchemy) over random serial numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(database_url, Path(tmp))
        results = []
        with app.app_context():
            from plugins.contracts import services
            from plugins.contracts.models import Contract

            if (db.session.scalar(select(func.count()).select_from(Contract)) or 0) == 0:
                generate_contracts(db.session, contracts)
            client = app.test_client()
            headers = admin_headers(app, client)
            engine = db.engine
            for size in page_sizes:
                query = json.dumps(
                    {
                        "page": 3,
                        "page_size": size,
                        "order_column": "number",
                        "order_direction": "desc",
                    }
                )

                def list_call(query: str = query, size: int = size) -> None:
                    get_page(client, f"/api/v1/contract/?q={query}", headers, size)

                api = measure(list_call, engine, repeat)
                bare = measure(lambda size=size: bare_list_page(3, size), engine, repeat)
                results.append(figures(f"contract list, page of {size}", api, bare))
            rng = random.Random(3)
            serials = [f"SN-{rng.randint(1, contracts):07d}" for _ in range(repeat + 3)]
            cycle = iter(serials * 3)

            def coverage_call() -> None:
                response = client.get(
                    f"/api/v1/contracts/coverage?serial={next(cycle)}&at={AT}&kind=parts",
                    headers=headers,
                )
                assert response.status_code == 200, response.text
                db.session.remove()

            def coverage_service() -> None:
                services.coverage(db.session, next(cycle), AT, "parts").as_dict()
                db.session.rollback()

            api = measure(coverage_call, engine, repeat)
            bare = measure(lambda: bare_coverage(next(cycle), AT), engine, repeat)
            service = measure(coverage_service, engine, repeat)
            results.append(figures("coverage check (API)", api, bare))
            results.append(figures("coverage check (service call)", service, bare))
        return results
