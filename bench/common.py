"""What every benchmark shares: the app on a fresh database, bulk inserts, a signed-in API
client, a timed page request and the row of figures it prints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bench.measure import Timing
from core.extensions import db

CHUNK = 10_000


def settings(database_url: str | None, workdir: Path, plugins: list[str], **extra: Any) -> dict:
    """The app settings of a benchmark run: ``plugins`` on ``database_url`` (a SQLite file in
    ``workdir`` by default), without rate limits or the scheduler."""
    return {
        "INSTANCE_PATH": str(workdir),
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.db'}",
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_ENABLED": False,
        "SECRET_KEY": "bench-secret-key-long-enough-for-hs256-signing",
        "ENABLED_PLUGINS": plugins,
        **extra,
    }


def migrated_app(database_url: str | None, workdir: Path, plugins: list[str]) -> Any:
    """An app with ``plugins`` on a database the migrations built."""
    from core.app import create_app
    from core.migrate import upgrade

    overrides = settings(database_url, workdir, plugins)
    app = create_app(overrides)
    with app.app_context():
        upgrade(app)
    return create_app(overrides)


def schema_app(database_url: str | None, workdir: Path, plugins: list[str]) -> Any:
    """An app with ``plugins`` on a schema created from the models the way the tests do
    (``core.testing``'s ``create_schema``; ``tests/test_migrations.py`` proves the migrations
    build the same one), so a benchmark also runs while a migration is being written."""
    from core.app import create_app
    from core.testing import create_schema

    app = create_app(settings(database_url, workdir, plugins, SYNC_PERMISSIONS_ON_START=False))
    create_schema(app)
    return app


def chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    """``rows`` in lists of ``size``."""
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(session: Session, target: Any, rows: Iterator[dict]) -> None:
    """Bulk-insert ``rows`` into ``target`` a chunk at a time: an ORM model (rows by attribute
    name, rows with other keys in statements of their own) or a table (Core, every row with
    the columns of the first)."""
    for batch in chunks(rows):
        session.execute(insert(target), batch)


def company_customers(count: int) -> Iterator[dict]:
    """Rows of ``count`` company customers (ids 1..count) with valid tax ids."""
    from core.company.service import uscc_check_character

    for n in range(1, count + 1):
        first17 = f"91310000{n:09d}"
        yield {
            "id": n,
            "kind": "company",
            "name": f"客户 {n:06d} 有限公司",
            "tax_id": first17 + uscc_check_character(first17),
        }


def auth_headers(client: Any, username: str, password: str) -> dict[str, str]:
    """The Authorization header of ``username`` signed in through the API."""
    token = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db"},
    ).json["access_token"]
    return {"Authorization": f"Bearer {token}"}


def admin_headers(app: Any, client: Any) -> dict[str, str]:
    """The Authorization header of the benchmark's Admin user (made when missing)."""
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
    return auth_headers(client, "bench", "bench-password")


def get_page(client: Any, url: str, headers: dict, expected: int) -> None:
    """GET a list page, check it answered ``expected`` rows, and end the session."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json["result"]) == expected
    db.session.remove()


def figures(name: str, measured: Timing, bare: Timing) -> dict:
    """One printed row: ``measured`` against the ``bare`` baseline."""
    return {
        "measurement": name,
        "median_ms": round(measured.median_ms, 2),
        "p95_ms": round(measured.p95_ms, 2),
        "statements_per_request": measured.statements,
        "bare_median_ms": round(bare.median_ms, 2),
        "bare_statements": bare.statements,
        "ratio": round(measured.median_ms / bare.median_ms, 1) if bare.median_ms else None,
    }
