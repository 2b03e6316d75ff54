"""Contracts: technicians and the other staff roles read contracts, customers and equipment."""

import pytest

from plugins.contracts.models import Customer
from plugins.contracts.plugin import STAFF_ROLES
from plugins.contracts.tests.helpers import active, world


def grants(app, role_name):
    role = app.appbuilder.sm.find_role(role_name)
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


@pytest.mark.plugins("contracts")
@pytest.mark.parametrize("role", ["Technician", "Dispatcher", "Storekeeper"])
def test_staff_roles_read_contracts_customers_and_equipment(client, api_headers, session, role):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    headers = api_headers(role)
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


@pytest.mark.plugins("contracts")
def test_a_technician_reads_the_contract_screens_but_cannot_write(client, login_as, session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    login_as("Technician")
    assert client.get(f"/contracts/contracts/show/{made.id}").status_code == 200
    assert client.get("/contracts/equipment/list/").status_code == 200
    assert client.get("/contracts/customers/list/").status_code == 200
    assert client.get("/contracts/customers/add").status_code == 403
    assert client.get(f"/contracts/amendments/add?contract={made.id}").status_code == 403


@pytest.mark.plugins("contracts", "inventory")
def test_technician_grants_of_several_plugins_merge(app):
    technician = grants(app, "Technician")
    assert ("can_read", "contracts_contract") in technician
    assert ("can_read", "contracts_equipment") in technician
    assert ("can_write", "contracts_contract") not in technician
    assert any(view.startswith("inventory_") for _perm, view in technician)
    for role in STAFF_ROLES:
        assert ("can_read", "contracts_customer") in grants(app, role)
