"""Inventory ledger benchmark: posting stock moves and reading on-hand, against bare SQL.

``python -m bench inventory [--moves 1000000] [--parts 10000] [--quick]`` builds a migrated
database with the inventory plugin, then in the same run:

* **posting**: ``--moves`` moves (receipts, issues, transfers in a fixed random mix) through
  :mod:`plugins.inventory.services` (savepoint, conditional quant UPDATE, moving-average cost
  on receipts, event; the moves themselves are the audit trail, the cost changes of parts are
  audited), committed every ``--batch`` moves, with progress on standard error; then the same
  move list posted with bare SQL into two look-alike tables (INSERT the move; the same conditional
  UPDATE of the quant, INSERT when missing), committed in the same batches;
* **reading on-hand** for every part: the service :func:`~plugins.inventory.services.
  on_hand_by_part` (one grouped query over the quants) against the same bare SQL query, and
  what on-hand would cost without quants (a SUM over the ledger); then one
  :func:`~plugins.inventory.services.stock_level` call per part against one bare SELECT per
  part.

Finally :func:`~plugins.inventory.services.verify_ledger` checks that every quant equals the
sum of its moves. ``--quick`` runs 20,000 moves over 1,000 parts.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
    text,
)

from bench.common import migrated_app
from bench.measure import StatementCounter
from core.extensions import db
from core.timeutil import utcnow

QUICK = {"moves": 20_000, "parts": 1_000}
LOCATIONS = 10
RECEIPT, ISSUE, TRANSFER = "receipt", "issue", "transfer"
PROGRESS_EVERY = 100_000

bare_metadata = MetaData()
bare_move = Table(
    "bench_inventory_move",
    bare_metadata,
    Column("id", Integer, primary_key=True),
    Column("part_id", Integer, nullable=False, index=True),
    Column("from_location_id", Integer, index=True),
    Column("to_location_id", Integer, index=True),
    Column("quantity", BigInteger, nullable=False),
    Column("reason", String(12), nullable=False),
    Column("reference", String(100)),
    Column("unit_cost", BigInteger, nullable=False),
    Column("created_on", DateTime(timezone=True), nullable=False),
    CheckConstraint("quantity > 0"),
)
bare_quant = Table(
    "bench_inventory_quant",
    bare_metadata,
    Column("id", Integer, primary_key=True),
    Column("part_id", Integer, nullable=False, index=True),
    Column("location_id", Integer, nullable=False, index=True),
    Column("on_hand", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    UniqueConstraint("part_id", "location_id"),
    CheckConstraint("on_hand >= 0"),
)


def add_parser(sub: Any) -> None:
    """The ``inventory`` sub-command of ``python -m bench``."""
    parser = sub.add_parser(
        "inventory", help="posting stock moves and reading on-hand, against bare SQL"
    )
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000, help="moves per commit")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 moves over 1,000 parts (a quick run)"
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("AFTERSALES_BENCH_DATABASE_URL"),
        help="database URL of an empty database (default: a temporary SQLite file)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the benchmark with the parsed options and print its figures."""
    import json

    if args.quick:
        args.moves, args.parts = QUICK["moves"], QUICK["parts"]
    if args.parts < 1 or args.moves < args.parts:
        parser.error("--moves must be at least --parts, and --parts at least 1")
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    result = run(args.moves, args.parts, args.batch, args.database)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"inventory ledger, {args.moves:,} moves over {args.parts:,} parts and "
        f"{LOCATIONS} locations, {result['database']}"
    )
    print(
        f"{'measurement':<34} {'ops':>9} {'seconds':>9} {'per op µs':>10} {'SQL':>9} "
        f"{'bare s':>8} {'bare µs':>8} {'bare SQL':>9} {'ratio':>6}"
    )
    for row in result["rows"]:
        print(
            f"{row['measurement']:<34} {row['operations']:>9,} {row['seconds']:>9.2f} "
            f"{row['per_op_us']:>10.1f} {row['statements']:>9,} {row['bare_seconds']:>8.2f} "
            f"{row['bare_per_op_us']:>8.1f} {row['bare_statements']:>9,} {row['ratio']:>6}"
        )
    print(f"ledger verified (quants = sum of moves): {result['ledger_verified']}")
    return 0


def build_app(database_url: str | None, workdir: Path) -> Any:
    """An app with inventory on a migrated database (SQLite in ``workdir`` by default)."""
    return migrated_app(database_url, workdir, ["inventory"])


def plan_moves(count: int, parts: list[int], locations: list[int], seed: int = 5) -> list[tuple]:
    """A fixed mix of ``count`` moves that never asks for more than is there: every part is
    first received somewhere, then issues (45%), transfers (25%) and receipts (30%)."""
    rng = random.Random(seed)
    level: dict[tuple[int, int], int] = {}
    moves: list[tuple] = []
    for part in parts:
        where = rng.choice(locations)
        moves.append((RECEIPT, part, None, where, 20))
        level[(part, where)] = 20
    stocked = list(level)
    while len(moves) < count:
        roll = rng.random()
        part, where = stocked[rng.randrange(len(stocked))]
        have = level[(part, where)]
        quantity = rng.randint(1, 3)
        if roll < 0.45 and have >= quantity:
            moves.append((ISSUE, part, where, None, quantity))
            level[(part, where)] = have - quantity
        elif roll < 0.70 and have >= quantity:
            target = rng.choice(locations)
            if target == where:
                continue
            moves.append((TRANSFER, part, where, target, quantity))
            level[(part, where)] = have - quantity
            if (part, target) not in level:
                stocked.append((part, target))
            level[(part, target)] = level.get((part, target), 0) + quantity
        else:
            moves.append((RECEIPT, part, None, where, rng.randint(5, 20)))
            level[(part, where)] = have + moves[-1][4]
    return moves[:count]


def _timed(engine: Any, work: Callable[[], Any]) -> tuple[float, int, Any]:
    counter = StatementCounter(engine)
    with counter.active():
        started = time.perf_counter()
        value = work()
        seconds = time.perf_counter() - started
    return seconds, counter.count, value


def post_with_services(session: Any, moves: list[tuple], batch: int) -> None:
    """Post the moves through the inventory services, committing every ``batch``."""
    from core.audit.service import audit_actor
    from plugins.inventory import services

    with audit_actor("bench"):
        for index, (reason, part, source, target, quantity) in enumerate(moves, 1):
            if reason == RECEIPT:
                services.receive(session, part, target, quantity, "12.50", reference="PO-B")
            elif reason == ISSUE:
                services.issue(session, part, source, quantity, f"WO-{index}")
            else:
                services.transfer(session, part, source, target, quantity)
            if index % batch == 0:
                session.commit()
            if index % PROGRESS_EVERY == 0:
                print(f"  {index:,} moves posted", file=sys.stderr, flush=True)
        session.commit()


def post_with_bare_sql(connection: Any, moves: list[tuple], batch: int) -> None:
    """The same moves with bare SQL: INSERT the move, conditional UPDATE of the quant(s)."""
    take = text(
        "UPDATE bench_inventory_quant SET on_hand = on_hand - :n "
        "WHERE part_id = :p AND location_id = :l AND on_hand - reserved >= :n"
    )
    put = text(
        "UPDATE bench_inventory_quant SET on_hand = on_hand + :n "
        "WHERE part_id = :p AND location_id = :l"
    )
    new = text(
        "INSERT INTO bench_inventory_quant (part_id, location_id, on_hand, reserved) "
        "VALUES (:p, :l, :n, 0)"
    )
    add = bare_move.insert()
    transaction = connection.begin()
    for index, (reason, part, source, target, quantity) in enumerate(moves, 1):
        units = quantity * 1000
        if (
            source is not None
            and connection.execute(take, {"n": units, "p": part, "l": source}).rowcount != 1
        ):
            raise RuntimeError(f"bare SQL: not enough stock for move {index}")
        if (
            target is not None
            and not connection.execute(put, {"n": units, "p": part, "l": target}).rowcount
        ):
            connection.execute(new, {"n": units, "p": part, "l": target})
        connection.execute(
            add,
            {
                "part_id": part,
                "from_location_id": source,
                "to_location_id": target,
                "quantity": units,
                "reason": reason,
                "reference": f"WO-{index}" if reason == ISSUE else None,
                "unit_cost": 125000,
                "created_on": utcnow(),
            },
        )
        if index % batch == 0:
            transaction.commit()
            transaction = connection.begin()
    transaction.commit()


def _row(name: str, ops: int, mine: tuple, bare: tuple) -> dict[str, Any]:
    seconds, statements, _ = mine
    bare_seconds, bare_statements, _ = bare
    return {
        "measurement": name,
        "operations": ops,
        "seconds": round(seconds, 3),
        "per_op_us": round(seconds / ops * 1e6, 1),
        "statements": statements,
        "statements_per_op": round(statements / ops, 2),
        "bare_seconds": round(bare_seconds, 3),
        "bare_per_op_us": round(bare_seconds / ops * 1e6, 1),
        "bare_statements": bare_statements,
        "bare_statements_per_op": round(bare_statements / ops, 2),
        "ratio": round(seconds / bare_seconds, 1) if bare_seconds else None,
    }


def run(moves: int, parts: int, batch: int, database_url: str | None) -> dict[str, Any]:
    """Generate the parts and locations, post ``moves`` both ways, read on-hand both ways."""
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(database_url, Path(tmp))
        with app.app_context():
            return _run(app, moves, parts, batch)


def _run(app: Any, moves: int, parts: int, batch: int) -> dict[str, Any]:
    from core.audit.service import without_audit
    from plugins.inventory import services
    from plugins.inventory.models import Location, Part, StockQuant, Warehouse

    session, engine = db.session, db.engine
    with without_audit():
        stores = [Warehouse(code=f"B{n}", name=f"Bench store {n}") for n in range(2)]
        places = [Location(warehouse=stores[n % 2], code=f"L{n:02d}") for n in range(LOCATIONS)]
        session.add_all([*stores, *places])
        session.flush()
        session.execute(
            Part.__table__.insert(),
            [
                {
                    "sku": f"B-{n:06d}",
                    "name": f"Bench part {n}",
                    "unit": "pcs",
                    "standard_cost": Decimal("12.50"),
                    "sale_price": Decimal("20.00"),
                    "average_cost": 0,
                    "active": True,
                }
                for n in range(parts)
            ],
        )
        session.commit()
    part_ids = list(session.scalars(select(Part.id).order_by(Part.id)))
    location_ids = [place.id for place in places]
    session.rollback()  # SQLite: no transaction left open while another connection writes
    planned = plan_moves(moves, part_ids, location_ids)
    bare_metadata.create_all(engine)
    posted = _timed(engine, lambda: post_with_services(session, planned, batch))
    with engine.connect() as connection:
        bare = _timed(engine, lambda: post_with_bare_sql(connection, planned, batch))
    rows = [_row("post moves (services)", moves, posted, bare)]

    def grouped() -> dict[int, Decimal]:
        found = services.on_hand_by_part(session)
        session.rollback()
        return found

    def bare_grouped() -> dict[int, int]:
        with engine.connect() as connection:
            return dict(
                connection.execute(
                    text("SELECT part_id, SUM(on_hand) FROM bench_inventory_quant GROUP BY part_id")
                ).all()
            )

    def bare_ledger() -> dict[int, int]:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT part_id, SUM(CASE WHEN to_location_id IS NOT NULL THEN quantity "
                    "ELSE 0 END) - SUM(CASE WHEN from_location_id IS NOT NULL THEN quantity "
                    "ELSE 0 END) FROM bench_inventory_move GROUP BY part_id"
                )
            ).all()
            return dict(rows)

    mine_read = _median(engine, grouped)
    bare_read = _median(engine, bare_grouped)
    ledger_read = _median(engine, bare_ledger)
    expected = {p: Decimal(v).scaleb(-3) for p, v in bare_grouped().items()}
    assert {p: v for p, v in grouped().items()} == expected, "on-hand differs from bare SQL"
    assert bare_ledger() == bare_grouped(), "bare quants differ from the bare ledger"
    rows.append(_row("on-hand of all parts (1 query)", parts, mine_read, bare_read))
    rows.append(_row("  bare SQL summing the ledger", parts, ledger_read, bare_read))

    def per_part() -> None:
        for part in part_ids:
            services.stock_level(session, part, location_ids[part % LOCATIONS])
        session.rollback()

    def bare_per_part() -> None:
        query = text(
            "SELECT on_hand, reserved FROM bench_inventory_quant "
            "WHERE part_id = :p AND location_id = :l"
        )
        with engine.connect() as connection:
            for part in part_ids:
                connection.execute(query, {"p": part, "l": location_ids[part % LOCATIONS]}).first()

    rows.append(
        _row(
            "stock level, one call per part",
            parts,
            _median(engine, per_part),
            _median(engine, bare_per_part),
        )
    )
    verified = services.verify_ledger(session) == []
    quants = session.scalar(select(func.count()).select_from(StockQuant))
    session.rollback()
    return {
        "database": engine.dialect.name,
        "moves": moves,
        "parts": parts,
        "quants": quants,
        "rows": rows,
        "ledger_verified": verified,
    }


def _median(engine: Any, work: Callable[[], Any], repeat: int = 3) -> tuple[float, int, Any]:
    """The median of ``repeat`` timed runs (after one untimed warm-up)."""
    work()
    runs = [_timed(engine, work) for _ in range(repeat)]
    seconds = statistics.median(r[0] for r in runs)
    return seconds, runs[0][1], None
