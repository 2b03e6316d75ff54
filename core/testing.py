"""pytest plugin with the fixtures core and plugin tests share (loaded by ``-p core.testing``).

* ``make_app(plugins=[...], config={...}, packages=[...])`` builds an app on a fresh database
  (SQLite in ``tmp_path``, or ``$AFTERSALES_TEST_DATABASE_URL``) with only those plugins
  and their dependencies. Entry points are not read: what happens to be installed does not
  leak into tests. ``packages`` adds throwaway plugin packages.
* ``app``, ``client``, ``session``: the default app (all built-in plugins, or the ones named
  by ``@pytest.mark.plugins("contracts")``), its test client and its database session.
* A plugin's own project names its plugins and packages once, in ``pyproject.toml``::

      [tool.pytest.ini_options]
      addopts = "-p core.testing"
      aftersales_plugins = ["loaner_units"]
      aftersales_packages = ["aftersales_loaner_units"]

  ``make_app`` then knows those packages and ``app`` enables those plugins (and their
  dependencies); :class:`core.plugin_checks.PluginChecks` adds core's checks of them.
* ``login_as(role)`` logs the client in as a new user holding ``role``;
  ``api_headers(role)`` returns a JWT ``Authorization`` header for the REST API.
* ``@pytest.mark.postgres`` tests run only against PostgreSQL.
* ``@pytest.mark.clock("2026-11-27T09:00+08:00")`` runs a test (or a module, through
  ``pytestmark``) on that moment, the clock ticking from there: for tests built on a world
  of fixed dates (a contract that runs through 2027, orders opened on given days).
* ``AFTERSALES_TEST_CLOCK_SHIFT_DAYS=N`` (or ``--clock-shift-days N``) runs the whole suite
  with the clock moved N days ahead (time-machine, ticking): CI runs it once far in the
  future to prove that no test depends on today's date.
* ``module_app(folder, packages, demo, admin)``: an app for a module-scoped fixture;
  ``token_headers(client, username)``: the JWT header of a user's REST login.
* ``run_in_threads(app, count, work)``: ``work(session, index)`` in ``count`` threads that
  start together, each in its own session: for races on stock, numbering and payments.
* ``recorded_statements(engine)`` / ``count_statements(engine, work)``: the SQL a block sends,
  to check that a list costs the same number of queries for few or many rows.
"""

from __future__ import annotations

import datetime
import itertools
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text

TEST_DATABASE_ENV = "AFTERSALES_TEST_DATABASE_URL"
CLOCK_SHIFT_ENV = "AFTERSALES_TEST_CLOCK_SHIFT_DAYS"
_MOVED_TO = pytest.StashKey[datetime.datetime]()
ROOT = Path(__file__).resolve().parent.parent
_user_numbers = itertools.count(1)


def test_database_url() -> str | None:
    """The database tests run on, from ``AFTERSALES_TEST_DATABASE_URL`` (``None``: SQLite).

    Under pytest-xdist each worker gets its own PostgreSQL database (``test_gw0``...),
    created on first use, so parallel workers never drop each other's schema.
    """
    url = os.environ.get(TEST_DATABASE_ENV) or None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker and url.startswith("postgresql"):
        return _worker_database(url, worker)
    return url


_created_databases: dict[str, str] = {}


def _worker_database(url: str, worker: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    if url in _created_databases:
        return _created_databases[url]
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    _created_databases[url] = base.set(database=name).render_as_string(hide_password=False)
    return _created_databases[url]


def on_postgres() -> bool:
    """Whether the suite runs against PostgreSQL."""
    return (test_database_url() or "").startswith("postgresql")


def builtin_plugin_packages() -> list[str]:
    """The packages of the plugins in this tree's ``plugins/`` folder."""
    return sorted(
        f"plugins.{p.parent.name}"
        for p in (ROOT / "plugins").glob("*/__init__.py")
        if (p.parent / "plugin.py").exists()
    )


def reset_database(url: str) -> None:
    """Drop everything in the test database (PostgreSQL: the ``public`` schema)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def create_schema(app: Flask) -> None:
    """Create the tables of core and the enabled plugins, then roles and permissions.

    Tests take this fast path; ``tests/test_migrations.py`` proves the migrations build the
    same schema.
    """
    from core.database import owned_tables
    from core.extensions import db
    from core.runtime import runtime
    from core.security.roles import sync_roles_and_permissions

    rt = runtime(app)
    with app.app_context():
        tables = owned_tables("core")
        for name in rt.enabled_names:
            tables += owned_tables(name, rt.registry.plugins)
        db.metadata.create_all(db.engine, tables=tables)
        sync_roles_and_permissions(app.appbuilder, rt.hooks.roles())
        db.session.commit()


def base_overrides(tmp_path: Path) -> dict[str, Any]:
    """Settings every test app starts from."""
    instance = tmp_path / "instance"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": test_database_url() or f"sqlite:///{instance / 'test.db'}",
        "DISCOVER_ENTRY_POINTS": False,
        "PLUGIN_PACKAGES": builtin_plugin_packages(),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SYNC_PERMISSIONS_ON_START": False,
        "SCHEDULER_ENABLED": False,
        "MODULE_CHECK_INTERVAL": 0,
        "MIGRATE_ON_ENABLE": False,
    }


@contextmanager
def module_app(
    folder: Path,
    packages: list[str] | None = None,
    demo: bool = False,
    admin: str | None = None,
) -> Iterator[Flask]:
    """An app on a fresh database, for a module-scoped fixture (``make_app`` is per test):
    every built-in plugin plus ``packages``, the demo data when ``demo``, an Admin user
    named ``admin``. Yields inside a pushed app context; closes its connections after."""
    from core.app import create_app
    from core.extensions import db

    overrides = base_overrides(folder)
    overrides["PLUGIN_PACKAGES"] = builtin_plugin_packages() + list(packages or [])
    if test_database_url():
        reset_database(overrides["DATABASE_URL"])
    app = create_app(overrides)
    create_schema(app)
    with app.app_context():
        if demo:
            from core.demo.service import load_demo

            load_demo(db.session)
        if admin:
            create_user(app, ["Admin"], admin)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def token_headers(client: FlaskClient, username: str, password: str = "s3cret-pass") -> dict:
    """``Authorization`` headers from the REST login of ``username``."""
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db"},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def configured_plugins(config: pytest.Config) -> tuple[list[str], list[str]]:
    """The ``aftersales_plugins`` and ``aftersales_packages`` the test run's ini names."""
    return list(config.getini("aftersales_plugins")), list(config.getini("aftersales_packages"))


@pytest.fixture
def make_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Flask]]:
    """Factory of apps sharing one fresh database per test (with the ini's packages)."""
    ini_packages = configured_plugins(request.config)[1]
    fresh = {"done": False}
    built: list[Flask] = []

    def factory(
        plugins: list[str] | None = None,
        config: dict[str, Any] | None = None,
        packages: list[str] | None = None,
        schema: bool = True,
    ) -> Flask:
        from core.app import create_app

        overrides = base_overrides(tmp_path)
        extra = list(dict.fromkeys([*ini_packages, *(packages or [])]))
        overrides["PLUGIN_PACKAGES"] = overrides["PLUGIN_PACKAGES"] + extra
        if plugins is not None:
            overrides["ENABLED_PLUGINS"] = list(plugins)
        overrides.update(config or {})
        if not fresh["done"] and overrides["DATABASE_URL"] == test_database_url():
            reset_database(overrides["DATABASE_URL"])
        fresh["done"] = True
        app = create_app(overrides)
        built.append(app)
        if schema:
            create_schema(app)
        return app

    yield factory
    from core.extensions import db

    for built_app in built:  # close pooled connections, or PostgreSQL cannot drop the schema
        with built_app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The test app: all built-in plugins, or those of the ``plugins`` marker, else those the
    ini's ``aftersales_plugins`` names."""
    marker = request.node.get_closest_marker("plugins")
    plugins = list(marker.args) if marker else configured_plugins(request.config)[0] or None
    flask_app = make_app(plugins=plugins)
    with flask_app.app_context():
        yield flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Any:
    """The database session of ``app``."""
    from core.extensions import db

    return db.session


def create_user(
    app: Flask, roles: list[str], username: str | None = None, password: str = "s3cret-pass"
) -> Any:
    """Create a user holding ``roles`` (creating missing roles empty)."""
    sm = app.appbuilder.sm
    found = [sm.find_role(r) or sm.add_role(r) for r in roles]
    username = username or f"user{next(_user_numbers)}"
    user = sm.add_user(
        username, username, "Test", f"{username}@example.com", found, password=password
    )
    assert user, f"could not create user {username}"
    return user


@pytest.fixture
def login_as(app: Flask, client: FlaskClient) -> Callable[..., Any]:
    """Log ``client`` in as a new user with the given role(s); returns the user."""

    def login(*roles: str, username: str | None = None) -> Any:
        user = create_user(app, list(roles), username)
        response = client.post(
            "/login/", data={"username": user.username, "password": "s3cret-pass"}
        )
        assert response.status_code == 302, response.text
        return user

    return login


@pytest.fixture
def api_headers(app: Flask, client: FlaskClient) -> Callable[..., dict[str, str]]:
    """``Authorization`` headers of a new user with the given role(s), from the JWT login."""

    def headers(*roles: str) -> dict[str, str]:
        return token_headers(client, create_user(app, list(roles)).username)

    return headers


def pip_install_offline(project: Path, target: Path) -> None:
    """Install the plugin project ``project`` into folder ``target`` as a user would, without
    the network or the project's venv (``--no-deps --no-index``); fails the test on error."""
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(project),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token in the page"
    return match.group(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--clock-shift-days N``: run the suite with the clock moved N days ahead; the ini's
    ``aftersales_plugins`` and ``aftersales_packages``: a plugin project's own plugins."""
    parser.addini("aftersales_plugins", "plugins the app fixture enables", type="args")
    parser.addini("aftersales_packages", "plugin packages the apps find", type="args")
    parser.addoption(
        "--clock-shift-days",
        type=int,
        default=None,
        help=f"move the clock N days ahead for the whole run (or set {CLOCK_SHIFT_ENV})",
    )


def clock_shift_days(config: pytest.Config) -> int:
    """The days the clock is moved for this run: the option, else the variable, else 0."""
    option = config.getoption("--clock-shift-days")
    if option is not None:
        return option
    raw = os.environ.get(CLOCK_SHIFT_ENV, "").strip()
    if not raw:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise pytest.UsageError(f"{CLOCK_SHIFT_ENV} must be a whole number of days") from None


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers; move the clock when the run asks for it."""
    config.addinivalue_line("markers", "plugins(*names): enable only these plugins")
    config.addinivalue_line("markers", "postgres: runs only on PostgreSQL")
    config.addinivalue_line("markers", "clock(moment): run the test from that moment on")
    days = clock_shift_days(config)
    if days:
        import time_machine

        moved_to = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)
        traveller = time_machine.travel(moved_to, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)
        config.stash[_MOVED_TO] = moved_to


@pytest.fixture(autouse=True)
def _clock_from_marker(request: pytest.FixtureRequest) -> Iterator[None]:
    """Travel to the moment a ``clock`` marker names, for the test and its fixtures."""
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield
        return
    import time_machine

    with time_machine.travel(marker.args[0], tick=True):
        yield


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say when the clock is moved, and to which day."""
    moved_to = config.stash.get(_MOVED_TO, None)
    if moved_to is None:
        return None
    return f"clock moved {clock_shift_days(config)} days ahead: today is {moved_to.date()}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogs when a ``.mo`` is missing or stale (fresh clone)."""
    from core.i18n import ensure_compiled

    ensure_compiled()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite, with the reason."""
    if on_postgres():
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL: set {TEST_DATABASE_ENV}")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent through ``engine`` inside the block, in order.

    For example::

        with recorded_statements(db.engine) as statements:
            client.get("/api/v1/work_order/")
        assert len(statements) <= 6
    """
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count_statements(engine: Engine, work: Callable[[], Any]) -> int:
    """How many SQL statements ``work()`` sends through ``engine`` (a list page should cost
    the same for 2 rows as for 12)."""
    with recorded_statements(engine) as statements:
        work()
    return len(statements)


def run_in_threads(
    app: Flask, count: int, work: Callable[[Any, int], Any]
) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(session, index)`` in ``count`` threads released together by a barrier.

    Each thread has its own app context and database session, committed when ``work``
    returns and rolled back when it raises. Returns ``(results, errors)``: the values the
    successful calls returned and the exceptions of the others, for the test to check.
    """
    from sqlalchemy.orm import Session

    from core.extensions import db

    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def worker(index: int) -> None:
        with app.app_context(), Session(db.engine) as session:
            start.wait()
            try:
                value = work(session, index)
                session.commit()
                with lock:
                    results.append(value)
            except Exception as exc:  # collected and checked by the test
                session.rollback()
                with lock:
                    errors.append(exc)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results, errors
