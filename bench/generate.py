"""Bulk data generators for benchmarks, in the spirit of ``aftersales demo --scale N``."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.audit.models import AuditLog

CHUNK = 10_000
TABLES = [
    "contracts_contract",
    "maintenance_work_order",
    "inventory_stock_move",
    "billing_invoice",
    "feedback_survey",
    "legal_dispute",
]


def audit_rows(count: int, seed: int = 7) -> Iterator[dict]:
    """``count`` plausible audit entries spread over the last year, newest last."""
    rng = random.Random(seed)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for number in range(count):
        table = rng.choice(TABLES)
        yield {
            "at": start + datetime.timedelta(seconds=number * 300),
            "user_id": rng.randint(1, 40),
            "username": f"user{rng.randint(1, 40)}",
            "action": rng.choice(("create", "update", "update", "delete")),
            "table_name": table,
            "record_id": str(rng.randint(1, count // 3 + 1)),
            "record_label": f"{table} #{number}",
            "changes": {"state": ["draft", "active"], "amount": [str(number), str(number + 1)]},
        }


def generate_audit_log(session: Session, count: int) -> int:
    """Insert ``count`` audit entries with bulk inserts of 10,000; returns the count."""
    batch: list[dict] = []
    for row in audit_rows(count):
        batch.append(row)
        if len(batch) == CHUNK:
            session.execute(insert(AuditLog), batch)
            batch = []
    if batch:
        session.execute(insert(AuditLog), batch)
    session.commit()
    return count
