"""List API benchmark: the audit log API at N records against bare SQLAlchemy.

Prints, per page size: median and p95 latency of ``GET /api/v1/audit_log/`` through the whole
Flask stack (test client, JWT auth, FAB's ModelRestApi), SQL statements per request, and the
same page (count + ordered page) fetched with bare SQLAlchemy in the same run as the baseline.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import admin_headers, figures, get_page, migrated_app
from bench.generate import generate_audit_log
from bench.measure import Timing, measure
from core.audit.models import AuditLog
from core.extensions import db


def build_app(database_url: str | None, workdir: Path) -> Any:
    """An app on a migrated database (SQLite in ``workdir`` unless a URL is given)."""
    return migrated_app(database_url, workdir, [])


def bare_page(page: int, page_size: int) -> list[dict[str, Any]]:
    """The page the API returns, fetched and serialised with bare SQLAlchemy."""
    session = db.session
    session.scalar(select(func.count()).select_from(AuditLog))
    columns = [c for c in AuditLog.__table__.columns]
    rows = session.execute(
        select(*columns).order_by(AuditLog.at.desc()).limit(page_size).offset(page * page_size)
    ).all()
    payload = [
        {
            key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in row._mapping.items()
        }
        for row in rows
    ]
    json.dumps(payload)
    session.rollback()
    return payload


def run(records: int, page_sizes: list[int], repeat: int, database_url: str | None) -> list[dict]:
    """Generate ``records`` audit rows, then time the API and the baseline per page size."""
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(database_url, Path(tmp))
        results = []
        with app.app_context():
            existing = db.session.scalar(select(func.count()).select_from(AuditLog)) or 0
            if existing < records:
                generate_audit_log(db.session, records - existing)
            client = app.test_client()
            headers = admin_headers(app, client)
            engine = db.engine
            for size in page_sizes:
                query = json.dumps(
                    {"page": 3, "page_size": size, "order_column": "at", "order_direction": "desc"}
                )

                def api_call(query: str = query, size: int = size) -> None:
                    get_page(client, f"/api/v1/audit_log/?q={query}", headers, size)

                api = measure(api_call, engine, repeat)
                bare = measure(lambda size=size: bare_page(3, size), engine, repeat)
                results.append(_row(size, api, bare))
        return results


def _row(size: int, api: Timing, bare: Timing) -> dict:
    """The figures of one page size, the API's latencies named as such."""
    row = figures(f"page of {size}", api, bare)
    return {
        "page_size": size,
        "api_median_ms": row["median_ms"],
        "api_p95_ms": row["p95_ms"],
        **{
            key: row[key]
            for key in ("statements_per_request", "bare_median_ms", "bare_statements", "ratio")
        },
    }
