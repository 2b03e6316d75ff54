"""Contracts' roles, alone: no role of a plugin that depends on contracts is made here.

How the roles of maintenance, inventory and parts_compatibility read contracts (through the
``contracts.read`` set) is in ``tests/test_roles_across_plugins.py``.
"""

import pytest

from plugins.contracts.models import Customer
from plugins.contracts.tests.helpers import active, world

pytestmark = pytest.mark.plugins("contracts")


def grants(app, role_name):
    role = app.appbuilder.sm.find_role(role_name)
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_contracts_alone_makes_its_own_roles_and_none_of_its_dependants(app):
    sm = app.appbuilder.sm
    for name in ("Contract Manager", "Sales", "Staff Read-only"):
        assert sm.find_role(name) is not None, name
    for name in ("Technician", "Dispatcher", "Service Manager", "Storekeeper", "Purchaser"):
        assert sm.find_role(name) is None, name
    reader = grants(app, "Staff Read-only")
    assert {("can_read", "contracts_contract"), ("can_read", "contracts_equipment")} <= reader
    assert ("can_write", "contracts_contract") not in reader
    manager = grants(app, "Contract Manager")
    assert {("can_write", "contracts_contract"), ("can_approve", "contracts_contract")} <= manager
    assert ("can_read", "contracts_coverage") in manager


def test_staff_read_only_reads_contracts_customers_and_equipment(client, api_headers, session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    headers = api_headers("Staff Read-only")
    for url in (
        f"/api/v1/contract/{made.id}",
        "/api/v1/customer/",
        "/api/v1/equipment/",
        "/api/v1/contract_amendment/",
        "/api/v1/contracts/coverage?serial=SN-1&at=2026-06-01",
        "/api/v1/contracts/calendar",
    ):
        assert client.get(url, headers=headers).status_code == 200, url
    refused = client.post(
        "/api/v1/customer/", json={"kind": "person", "name": "X"}, headers=headers
    )
    assert refused.status_code == 403
    edit = client.put(f"/api/v1/contract/{made.id}", json={"title": "X"}, headers=headers)
    assert edit.status_code == 403
    assert session.query(Customer).count() == 1


def test_staff_read_only_reads_the_contract_screens_but_cannot_write(client, login_as, session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    login_as("Staff Read-only")
    assert client.get(f"/contracts/contracts/show/{made.id}").status_code == 200
    assert client.get("/contracts/equipment/list/").status_code == 200
    assert client.get("/contracts/customers/list/").status_code == 200
    assert client.get("/contracts/customers/add").status_code == 403
    assert client.get(f"/contracts/amendments/add?contract={made.id}").status_code == 403
