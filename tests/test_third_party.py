"""A third-party plugin, installed with pip, is found, enabled, shown and served.

The example ``examples/aftersales-warranty-cards`` is built and installed the way an
integrator would (``pip install``), but into a temporary folder put on ``sys.path`` for these
tests only, so neither the project's environment nor other tests ever see it. Its catalogs are
compiled first, as its release process does before building the wheel.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.extensions import db
from core.i18n import compile_catalogs
from core.plugins import discover
from core.testing import ROOT, create_user, pip_install_offline

EXAMPLE = ROOT / "examples" / "aftersales-warranty-cards"
PACKAGE = "aftersales_warranty_cards"
PLUGIN = "warranty_cards"
BUILD_LEFTOVERS = ("build", "*.egg-info", "__pycache__", ".pytest_cache", "*.mo", "instance")


def _forget_example_modules() -> None:
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example, pip-installed (offline, no build isolation) into a folder on sys.path."""
    work = tmp_path_factory.mktemp("third_party")
    source = work / "source"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns(*BUILD_LEFTOVERS))
    assert compile_catalogs([source / PACKAGE / "translations"]) == 2
    site = work / "site"
    pip_install_offline(source, site)
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        _forget_example_modules()
        importlib.invalidate_caches()
        table = db.metadata.tables.get(f"{PLUGIN}_card")
        if table is not None:  # keep later tests' metadata free of a plugin they do not know
            db.metadata.remove(table)


@pytest.fixture
def third_party_app(installed: Path, make_app):
    """An app that finds plugins through entry points and enables only the example.

    No app context stays pushed: requests then get their own, as in production (Flask-Babel
    caches the locale on ``g``, which a pushed context would share between requests).
    """
    return make_app(plugins=[PLUGIN], config={"DISCOVER_ENTRY_POINTS": True})


def new_user(app, role: str):
    with app.app_context():
        return create_user(app, [role]).username


def login(app, role: str):
    client = app.test_client()
    username = new_user(app, role)
    response = client.post("/login/", data={"username": username, "password": "s3cret-pass"})
    assert response.status_code == 302, response.text
    return client


def test_entry_point_leads_to_the_installed_plugin_and_its_manifest(installed):
    registry = discover()
    plugin = registry.plugins[PLUGIN]
    assert plugin.hook_module == f"{PACKAGE}.plugin"
    assert plugin.manifest.version == "1.0.0"
    assert plugin.manifest.label == "Warranty Cards"
    assert Path(plugin.manifest.path) == installed / PACKAGE  # the installed copy is used
    assert plugin.manifest.migrations_path == installed / PACKAGE / "migrations"
    assert not [p for p in registry.problems if PLUGIN in p]


def test_admin_sees_the_plugin_enabled_on_the_modules_screen(third_party_app):
    client = login(third_party_app, "Admin")
    page = client.get("/modules/")
    assert page.status_code == 200
    row = page.text.split(f'data-module="{PLUGIN}"', 1)[1].split("</tr>", 1)[0]
    assert "Warranty Cards" in row
    assert "1.0.0" in row
    assert "Manufacturer warranty cards: card and serial numbers" in row
    assert "Enabled" in row


def test_clerk_uses_the_plugins_screen_and_api(third_party_app):
    from aftersales_warranty_cards.services import company_today, register_card

    with third_party_app.app_context():
        register_card(
            db.session,
            card_number="WC-777001",
            serial_number="VRV-X12-000042",
            customer_name="广州恒温空调服务中心",
            purchase_date=company_today(),
            warranty_months=24,
            today=company_today(),
        )
        db.session.commit()
    client = login(third_party_app, "Warranty Clerk")

    screen = client.get("/warranty-cards/cards/list/")
    assert screen.status_code == 200
    assert "WC-777001" in screen.text
    check = client.get("/warranty-cards/check/?serial=VRV-X12-000042")
    assert "is under warranty until" in check.text

    token = client.post(
        "/api/v1/security/login",
        json={
            "username": new_user(third_party_app, "Warranty Clerk"),
            "password": "s3cret-pass",
            "provider": "db",
        },
    ).json["access_token"]
    listed = client.get("/api/v1/warranty_card/", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert [c["serial_number"] for c in listed.json["result"]] == ["VRV-X12-000042"]


def test_installed_catalogs_translate_the_plugins_screen(third_party_app):
    client = login(third_party_app, "Warranty Clerk")
    assert "保修卡" in client.get("/warranty-cards/cards/list/?_l_=zh").text
    assert "保固卡" in client.get("/warranty-cards/cards/list/?_l_=zh_TW").text


@pytest.mark.parametrize(
    ("example", "package"),
    [
        (EXAMPLE, PACKAGE),
        (ROOT / "examples" / "aftersales-loaner-units", "aftersales_loaner_units"),
    ],
    ids=["warranty_cards", "loaner_units"],
)
def test_example_passes_its_own_tests(tmp_path, example, package):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{package}/tests"],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
