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

from bench.generate import generate_audit_log
from bench.measure import Timing, measure
from core.audit.models import AuditLog
from core.extensions import db


def build_app(database_url: str | None, workdir: Path) -> Any:
    """An app on a migrated database (SQLite in ``workdir`` unless a URL is given)."""
    from core.app import create_app
    from core.migrate import upgrade

    overrides = {
        "INSTANCE_PATH": str(workdir),
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.db'}",
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_ENABLED": False,
        "SECRET_KEY": "bench-secret-key-long-enough-for-hs256-signing",
        "ENABLED_PLUGINS": [],
    }
    app = create_app(overrides)
    with app.app_context():
        upgrade(app)
    return create_app(overrides)


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
            sm = app.appbuilder.sm
            if not sm.find_user("bench"):
                sm.add_user(
                    "bench",
                    "Bench",
                    "User",
                    "bench@localhost",
                    sm.find_role("Admin"),
                    password="bench-password",
                )
            client = app.test_client()
            token = client.post(
                "/api/v1/security/login",
                json={"username": "bench", "password": "bench-password", "provider": "db"},
            ).json["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            engine = db.engine
            for size in page_sizes:
                query = json.dumps(
                    {"page": 3, "page_size": size, "order_column": "at", "order_direction": "desc"}
                )

                def api_call(query: str = query, size: int = size) -> None:
                    response = client.get(f"/api/v1/audit_log/?q={query}", headers=headers)
                    assert response.status_code == 200, response.text
                    assert len(response.json["result"]) == size
                    db.session.remove()

                api = measure(api_call, engine, repeat)
                bare = measure(lambda size=size: bare_page(3, size), engine, repeat)
                results.append(_row(size, api, bare))
        return results


def _row(size: int, api: Timing, bare: Timing) -> dict:
    return {
        "page_size": size,
        "api_median_ms": round(api.median_ms, 2),
        "api_p95_ms": round(api.p95_ms, 2),
        "statements_per_request": api.statements,
        "bare_median_ms": round(bare.median_ms, 2),
        "bare_statements": bare.statements,
        "ratio": round(api.median_ms / bare.median_ms, 1) if bare.median_ms else None,
    }
