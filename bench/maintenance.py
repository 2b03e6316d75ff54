"""Maintenance benchmark: inspection generation, SLA deadlines, the work-order list API.

``python -m bench maintenance [--contracts 10000] [--orders 1000000] [--quick]`` builds a
fresh database with contracts and maintenance, then in the same run:

* **generation**: ``--contracts`` active contracts with 3 covered printers each (bulk
  inserts) and one plan (every ``--interval-months`` months, a year's horizon, 3 checklist
  items); the generation job's service (:func:`plugins.maintenance.services.generation.generate`:
  coverage check, number, SLA terms, checklist copy, clock step per order, a savepoint per
  order, commits every 200) is timed; then the rows it wrote (orders, results, clock steps)
  are read back, deleted, and inserted again with bare SQLAlchemy Core in the same batches:
  the ratio is what the rules cost over bare inserts;
* **SLA deadlines**: response and resolution deadlines of ``--deadlines`` orders opened at
  random moments of 2026, on the 5x8 calendar (nights, weekends, Chinese holidays) and 7x24,
  per second;
* **list API**: ``--orders`` work orders inserted in bulk; ``GET /api/v1/work_order/`` (page
  3, by number descending) as a dispatcher (every order) and as a technician (own orders
  only), against the same page fetched with bare SQLAlchemy.

``--quick`` runs 300 contracts, 2,000 deadlines and 20,000 orders.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from bench.common import auth_headers, company_customers, figures, get_page, insert_rows, schema_app
from bench.measure import StatementCounter, measure
from core.extensions import db

QUICK = {"contracts": 300, "orders": 20_000, "deadlines": 2_000}
UNITS_PER_CONTRACT = 3
TODAY = datetime.date(2026, 1, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def add_parser(sub: Any) -> None:
    """The ``maintenance`` sub-command of ``python -m bench``."""
    parser = sub.add_parser(
        "maintenance", help="inspection generation, SLA deadlines, work-order list API"
    )
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument(
        "--interval-months", type=int, default=3, help="plan interval (default quarterly)"
    )
    parser.add_argument("--deadlines", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
    parser.add_argument("--quick", action="store_true", help="300 contracts, 20,000 orders")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to skip: generation, sla, list",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("AFTERSALES_BENCH_DATABASE_URL"),
        help="database URL of an empty database (default: a temporary SQLite file)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def build_app(database_url: str | None, workdir: Path) -> Any:
    """An app with contracts and maintenance on a fresh schema (SQLite in ``workdir``)."""
    return schema_app(database_url, workdir, ["contracts", "maintenance"])


def seed_contracts(session: Session, count: int) -> None:
    """``count`` active contracts (2026-2027) with 3 printers each, one per customer."""
    from plugins.contracts.models import (
        Contract,
        ContractEquipment,
        Customer,
        Entitlement,
        Equipment,
        Product,
        ServiceLevel,
        ServiceLevelTarget,
    )

    session.execute(insert(ServiceLevel), [{"id": 1, "name": "Bench Gold", "calendar_code": "5x8"}])
    session.execute(
        insert(ServiceLevelTarget),
        [
            {"service_level_id": 1, "priority": p, "response_hours": r, "resolution_hours": r * 4}
            for p, r in (("P1", 4), ("P2", 8), ("P3", 16), ("P4", 40))
        ],
    )
    session.execute(
        insert(Product),
        [{"id": 1, "product_type": "Printer", "model": "M1", "manufacturer": "HP"}],
    )
    insert_rows(session, Customer.__table__, company_customers(count))
    units = count * UNITS_PER_CONTRACT
    insert_rows(
        session,
        Equipment.__table__,
        (
            {
                "id": n,
                "product_id": 1,
                "serial_number": f"SN-{n:07d}",
                "customer_id": 1 + (n - 1) // UNITS_PER_CONTRACT,
            }
            for n in range(1, units + 1)
        ),
    )
    insert_rows(
        session,
        Contract.__table__,
        (
            {
                "id": n,
                "number": f"CT-B-{n:07d}",
                "customer_id": n,
                "title": f"全保服务合同 {n}",
                "start_date": datetime.date(2026, 1, 1),
                "end_date": datetime.date(2027, 12, 31),
                "cancel_by": datetime.date(2027, 12, 1),
                "service_level_id": 1,
                "fee": Decimal("48000.00"),
                "state": "active",
                "dispute_resolution": "arbitration",
            }
            for n in range(1, count + 1)
        ),
    )
    insert_rows(
        session,
        ContractEquipment.__table__,
        (
            {"contract_id": 1 + (n - 1) // UNITS_PER_CONTRACT, "equipment_id": n}
            for n in range(1, units + 1)
        ),
    )
    insert_rows(
        session,
        Entitlement.__table__,
        ({"contract_id": n, "kind": "labour", "coverage": "all"} for n in range(1, count + 1)),
    )
    _fix_sequences(
        session,
        [
            "contracts_service_level",
            "contracts_product",
            "contracts_customer",
            "contracts_equipment",
            "contracts_contract",
        ],
    )
    session.commit()
    _analyze(session)


def _fix_sequences(session: Session, tables: list[str]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        )


def _analyze(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()


def _rows_of(session: Session, model: Any) -> list[dict]:
    table = model.__table__
    return [dict(r._mapping) for r in session.execute(select(table).order_by(table.c.id))]


def run_generation(session: Session, contracts: int, interval_months: int) -> dict[str, Any]:
    """Generate a year of inspections through the service, then insert the same rows with
    bare SQLAlchemy Core; both timed with commits every 200 orders."""
    from plugins.maintenance.models import ClockEvent, InspectionResult, WorkOrder
    from plugins.maintenance.services import generation, plans

    seed_contracts(session, contracts)
    plan = plans.create_plan(
        session,
        name="Bench printers",
        product_type="Printer",
        interval_count=interval_months,
        interval_unit="months",
        horizon_days=365,
        skill="printer",
        duration_minutes=45,
        items=[
            {"name": "Fuser temperature", "unit": "°C", "min_value": "180", "max_value": "200"},
            {"name": "Paper path clean", "standard": "No dust"},
            {"name": "Firmware", "standard": "Current release"},
        ],
    )
    session.commit()
    counter = StatementCounter(db.engine)
    started = time.perf_counter()
    with counter.active():
        result = generation.generate(session, plan, TODAY, commit=session.commit)
    service_seconds = time.perf_counter() - started
    service_statements = counter.count
    orders = _rows_of(session, WorkOrder)
    results = _rows_of(session, InspectionResult)
    steps = _rows_of(session, ClockEvent)
    session.execute(delete(ClockEvent.__table__))
    session.execute(delete(InspectionResult.__table__))
    session.execute(delete(WorkOrder.__table__))
    session.commit()
    per_order_results: dict[int, list[dict]] = {}
    for row in results:
        per_order_results.setdefault(row["work_order_id"], []).append(row)
    per_order_steps: dict[int, list[dict]] = {}
    for row in steps:
        per_order_steps.setdefault(row["work_order_id"], []).append(row)
    counter = StatementCounter(db.engine)
    started = time.perf_counter()
    with counter.active():
        for start in range(0, len(orders), generation.DEFAULT_BATCH):
            batch = orders[start : start + generation.DEFAULT_BATCH]
            session.execute(insert(WorkOrder.__table__), batch)
            children = [r for o in batch for r in per_order_results.get(o["id"], [])]
            if children:
                session.execute(insert(InspectionResult.__table__), children)
            clock = [r for o in batch for r in per_order_steps.get(o["id"], [])]
            if clock:
                session.execute(insert(ClockEvent.__table__), clock)
            session.commit()
    bare_seconds = time.perf_counter() - started
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == len(orders)
    return {
        "contracts": contracts,
        "units": contracts * UNITS_PER_CONTRACT,
        "orders": result.created,
        "result_rows": len(results),
        "clock_rows": len(steps),
        "seconds": round(service_seconds, 2),
        "orders_per_second": round(result.created / service_seconds, 1),
        "statements": service_statements,
        "bare_seconds": round(bare_seconds, 2),
        "bare_statements": counter.count,
        "ratio": round(service_seconds / bare_seconds, 1) if bare_seconds else None,
    }


def run_deadlines(session: Session, count: int) -> list[dict[str, Any]]:
    """Deadlines per second of :func:`plugins.maintenance.services.sla.set_deadlines` (response and
    resolution) for orders opened at random moments of 2026."""
    from plugins.maintenance.models import WorkOrder
    from plugins.maintenance.services import sla

    rng = random.Random(5)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(minutes=rng.randint(0, 525_000)) for _ in range(count)]
    found = []
    for code in ("5x8", "7x24"):
        sla.site_calendar(session, code, "Asia/Shanghai")  # made on first use, not timed
        orders = [
            WorkOrder(
                calendar_code=code,
                site_time_zone="Asia/Shanghai",
                opened_at=moment,
                response_hours=4,
                resolution_hours=16,
            )
            for moment in moments
        ]
        counter = StatementCounter(db.engine)
        started = time.perf_counter()
        with counter.active():
            for order in orders:
                sla.set_deadlines(session, order)
        seconds = time.perf_counter() - started
        assert all(o.resolution_due > o.response_due for o in orders)
        found.append(
            {
                "calendar": code,
                "orders": count,
                "seconds": round(seconds, 3),
                "deadlines_per_second": round(2 * count / seconds),
                "statements_per_order": round(counter.count / count, 2),
            }
        )
        session.rollback()
    return found


def seed_orders(session: Session, count: int) -> None:
    """``count`` work orders (mixed states and priorities) on the seeded units, a tenth of
    them assigned to the bench technician, in bulk."""
    from plugins.contracts.models import Equipment
    from plugins.maintenance.models import Technician, WorkOrder

    units = session.scalar(select(func.max(Equipment.id))) or 0
    if not units:
        seed_contracts(session, 1_000)
        units = 1_000 * UNITS_PER_CONTRACT
    user = db.session.scalar(text("SELECT id FROM ab_user WHERE username = 'tech'"))
    session.execute(
        insert(Technician),
        [{"id": 1, "user_id": user, "name": "Bench technician", "region": "Shanghai"}],
    )
    rng = random.Random(9)
    states = ["new", "assigned", "in_progress", "done", "closed", "closed", "closed", "cancelled"]
    base = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

    def rows() -> Iterator[dict]:
        for n in range(1, count + 1):
            opened = base + datetime.timedelta(minutes=n)
            yield {
                "id": n,
                "number": f"WO-B-{n:08d}",
                "kind": "corrective",
                "state": rng.choice(states),
                "title": f"打印机卡纸 {n}",
                "priority": rng.choice(("P1", "P2", "P3", "P4")),
                "equipment_id": 1 + n % units,
                "technician_id": 1 if n % 10 == 0 else None,
                "contract_id": 1 + (n % units) // UNITS_PER_CONTRACT,
                "required_skill": "printer",
                "region": "Shanghai",
                "planned_minutes": 120,
                "chargeable": False,
                "site_time_zone": "Asia/Shanghai",
                "opened_at": opened,
                "response_hours": 4,
                "resolution_hours": 16,
                "response_due": opened + datetime.timedelta(hours=4),
                "resolution_due": opened + datetime.timedelta(hours=16),
                "paused_minutes": 0,
                "response_breached": False,
                "resolution_breached": n % 17 == 0,
                "labour_minutes": 0,
            }

    insert_rows(session, WorkOrder.__table__, rows())
    _fix_sequences(session, ["maintenance_technician", "maintenance_work_order"])
    session.commit()
    _analyze(session)


def bare_page(page: int, size: int, user_id: int | None) -> list[dict[str, Any]]:
    """The work-order list page (count + page joined to unit, technician and contract) with
    bare SQLAlchemy; only the user's own orders when ``user_id`` is given."""
    from plugins.contracts.models import Contract, Equipment
    from plugins.maintenance.models import Technician, WorkOrder

    session = db.session
    where = []
    if user_id is not None:
        mine = select(Technician.id).where(Technician.user_id == user_id).scalar_subquery()
        where.append(WorkOrder.technician_id.in_(mine))
    session.scalar(select(func.count()).select_from(WorkOrder).where(*where))
    w = WorkOrder
    rows = session.execute(
        select(
            w.id,
            w.number,
            w.kind,
            w.state,
            w.title,
            w.priority,
            Equipment.serial_number,
            Technician.name,
            Contract.number,
            w.chargeable,
            w.opened_at,
            w.response_due,
            w.resolution_due,
            w.response_breached,
            w.resolution_breached,
            w.scheduled_start,
            w.scheduled_end,
        )
        .join(Equipment, Equipment.id == w.equipment_id)
        .outerjoin(Technician, Technician.id == w.technician_id)
        .outerjoin(Contract, Contract.id == w.contract_id)
        .where(*where)
        .order_by(w.number.desc())
        .limit(size)
        .offset(page * size)
    ).all()
    payload = [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in rows]
    json.dumps(payload, default=str)
    session.rollback()
    return payload


def run_list(app: Any, session: Session, orders: int, size: int, repeat: int) -> list[dict]:
    """The work-order list API as a dispatcher and as a technician, against bare pages."""
    sm = app.appbuilder.sm
    from core.runtime import hooks

    for spec in hooks().roles():  # the plugin roles, as ``aftersales setup`` makes them
        role = sm.find_role(spec.name) or sm.add_role(spec.name)
        for permission, view in spec.permissions:
            pv = sm.add_permission_view_menu(permission, view)
            sm.add_permission_role(role, pv)
    for name, role in (("dispatch", "Dispatcher"), ("tech", "Technician")):
        if not sm.find_user(name):
            sm.add_user(name, name, "Bench", f"{name}@localhost", sm.find_role(role), "bench-pass")
    seed_orders(session, orders)
    client = app.test_client()
    found = []
    tech_id = session.scalar(text("SELECT id FROM ab_user WHERE username = 'tech'"))
    for name, user_id, expected in (("dispatcher", None, size), ("technician", tech_id, size)):
        headers = auth_headers(client, "dispatch" if user_id is None else "tech", "bench-pass")
        query = json.dumps(
            {"page": 3, "page_size": size, "order_column": "number", "order_direction": "desc"}
        )

        def call(headers: dict = headers, query: str = query, expected: int = expected) -> None:
            get_page(client, f"/api/v1/work_order/?q={query}", headers, expected)

        api = measure(call, db.engine, repeat)
        bare = measure(lambda user_id=user_id: bare_page(3, size, user_id), db.engine, repeat)
        found.append(figures(f"work-order list as {name}, page of {size}", api, bare))
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen parts, each on its own fresh database (unless ``--database``)."""
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(args.database, Path(tmp) / "a")
        with app.app_context():
            result["database"] = db.engine.dialect.name
            if "generation" not in skip:
                result["generation"] = run_generation(
                    db.session, args.contracts, args.interval_months
                )
            if "sla" not in skip:
                result["deadlines"] = run_deadlines(db.session, args.deadlines)
            if "list" not in skip:
                from plugins.maintenance.models import ClockEvent, InspectionResult, WorkOrder

                for model in (ClockEvent, InspectionResult, WorkOrder):  # a clean order table
                    db.session.execute(delete(model.__table__))
                db.session.commit()
                result["list"] = run_list(app, db.session, args.orders, args.page_size, args.repeat)
    return result


def main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the benchmark with the parsed options and print its figures."""
    if args.quick:
        args.contracts, args.orders = QUICK["contracts"], QUICK["orders"]
        args.deadlines = QUICK["deadlines"]
    if args.contracts < 1 or args.interval_months < 1 or args.deadlines < 1:
        parser.error("--contracts, --interval-months and --deadlines must be at least 1")
    if not 1 <= args.page_size <= 100:
        parser.error("--page-size: between 1 and 100 (FAB_API_MAX_PAGE_SIZE)")
    if args.orders < args.page_size * 40:
        parser.error("--orders: at least 40 pages (the technician sees a tenth of them)")
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"maintenance benchmark, {result['database']}")
    gen = result.get("generation")
    if gen:
        print(
            f"generation: {gen['contracts']:,} contracts x {UNITS_PER_CONTRACT} units, a year "
            f"every {args.interval_months} months: {gen['orders']:,} orders "
            f"(+{gen['result_rows']:,} results, {gen['clock_rows']:,} clock steps)"
        )
        print(
            f"  service {gen['seconds']:.2f} s ({gen['orders_per_second']:,} orders/s, "
            f"{gen['statements']:,} SQL); bare Core {gen['bare_seconds']:.2f} s "
            f"({gen['bare_statements']:,} SQL); ratio {gen['ratio']}"
        )
    for row in result.get("deadlines", []):
        print(
            f"SLA deadlines on {row['calendar']:>4}: {row['deadlines_per_second']:,}/s "
            f"({row['orders']:,} orders in {row['seconds']} s, "
            f"{row['statements_per_order']} SQL/order)"
        )
    if result.get("list"):
        print(f"work-order list API at {args.orders:,} orders, {args.repeat} requests per figure")
        print(
            f"{'measurement':<44} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8} "
            f"{'bare ms':>8} {'bare SQL':>9} {'ratio':>6}"
        )
        for row in result["list"]:
            print(
                f"{row['measurement']:<44} {row['median_ms']:>10.2f} {row['p95_ms']:>8.2f} "
                f"{row['statements_per_request']:>8.1f} {row['bare_median_ms']:>8.2f} "
                f"{row['bare_statements']:>9.1f} {row['ratio']:>6}"
            )
    return 0
