"""Roles across plugins: each plugin's roles with and without the plugins that depend on it.

Every plugin names only its own roles. What a role needs of a dependency comes through the
dependency's permission sets (``contracts.read``, ``inventory.stock_read``...), and the glue
plugin reaches both sides' roles through ``granted_with``; so enabling or leaving out a
plugin changes exactly the grants that plugin brings.
"""

import pytest

from plugins.contracts.tests.helpers import active, world

INVENTORY_ROLES = ("Storekeeper", "Purchaser", "Inventory Manager")
MAINTENANCE_ROLES = ("Technician", "Dispatcher", "Service Manager")
CONTRACT_READS = {("can_read", "contracts_contract"), ("can_read", "contracts_equipment")}
READ_LINKS = ("can_read", "parts_compatibility_link")
WRITE_LINKS = ("can_write", "parts_compatibility_link")


def grants(app, role_name):
    role = app.appbuilder.sm.find_role(role_name)
    assert role is not None, f"no role {role_name!r}"
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def views_of(plugin, granted):
    return {view for _permission, view in granted if view.startswith(f"{plugin}_")}


@pytest.mark.plugins("inventory")
def test_inventory_alone_has_its_roles_and_nothing_of_contracts_or_maintenance(app):
    assert app.appbuilder.sm.find_role("Technician") is None
    for name in INVENTORY_ROLES:
        assert not views_of("contracts", grants(app, name)), name
    manager = grants(app, "Inventory Manager")
    assert grants(app, "Storekeeper") | grants(app, "Purchaser") <= manager
    assert ("can_approve", "inventory_stocktake") in manager
    assert ("can_write", "inventory_supplier") not in grants(app, "Storekeeper")
    assert ("can_write", "inventory_stock") not in grants(app, "Purchaser")


@pytest.mark.plugins("contracts", "maintenance")
def test_maintenance_roles_read_contracts_and_no_stock_without_inventory(
    app, client, api_headers, session
):
    for name in MAINTENANCE_ROLES:
        granted = grants(app, name)
        assert granted >= CONTRACT_READS, name
        assert ("can_write", "contracts_contract") not in granted, name
        assert not views_of("inventory", granted), name
    assert app.appbuilder.sm.find_role("Van Keeper") is None
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    headers = api_headers("Technician")
    assert client.get(f"/api/v1/contract/{made.id}", headers=headers).status_code == 200
    assert client.get("/api/v1/equipment/", headers=headers).status_code == 200
    edit = client.put(f"/api/v1/contract/{made.id}", json={"title": "X"}, headers=headers)
    assert edit.status_code == 403


@pytest.mark.plugins("contracts", "maintenance")
def test_a_technician_opens_the_contract_screens_but_cannot_write(client, login_as, session):
    customer, unit, level = world(session)
    made = active(session, customer, level, unit)
    session.commit()
    login_as("Technician")
    assert client.get(f"/contracts/contracts/show/{made.id}").status_code == 200
    assert client.get("/contracts/equipment/list/").status_code == 200
    assert client.get("/contracts/customers/add").status_code == 403


@pytest.mark.plugins("contracts", "inventory", "maintenance")
def test_with_inventory_technicians_read_stock_and_every_reader_reads_the_links(app):
    technician = grants(app, "Technician")
    assert {("can_read", "inventory_part"), ("can_read", "inventory_stock")} <= technician
    assert ("can_write", "inventory_stock") not in technician
    assert ("can_keep_van", "inventory_warehouse") in technician
    assert ("can_read", "inventory_stock") not in grants(app, "Dispatcher")
    for name in ("Contract Manager", "Sales", "Staff Read-only", *MAINTENANCE_ROLES):
        granted = grants(app, name)
        assert READ_LINKS in granted, name
        assert WRITE_LINKS not in granted, name
    for name in INVENTORY_ROLES:
        granted = grants(app, name)
        assert {READ_LINKS, WRITE_LINKS} <= granted, name
        # Keeping the links means picking the contracts' products they fit.
        assert granted >= CONTRACT_READS, name
        assert ("can_write", "contracts_contract") not in granted, name


@pytest.mark.plugins("contracts", "inventory")
def test_without_maintenance_there_is_no_technician_role_anywhere(app):
    sm = app.appbuilder.sm
    for name in MAINTENANCE_ROLES:
        assert sm.find_role(name) is None, name
    assert grants(app, "Storekeeper") >= CONTRACT_READS


@pytest.mark.plugins("contracts", "inventory", "maintenance")
def test_a_technician_reads_stock_on_the_api_but_cannot_move_it(client, api_headers):
    headers = api_headers("Technician")
    assert client.get("/api/v1/inventory_part/", headers=headers).status_code == 200
    refused = client.post(
        "/api/v1/inventory_part/", json={"sku": "X-1", "name": "X"}, headers=headers
    )
    assert refused.status_code == 403


@pytest.mark.plugins("contracts", "inventory", "maintenance")
def test_a_technician_keeps_a_van_through_the_set_inventory_offers(app, session):
    from core.testing import create_user
    from plugins.inventory.models import Warehouse
    from plugins.inventory.services import prepare_warehouse

    technician = create_user(app, ["Technician"], username="wang")
    dispatcher = create_user(app, ["Dispatcher"], username="li")
    prepare_warehouse(
        session, Warehouse(code="VAN1", name="Van 1", kind="van", technician=technician)
    )
    from plugins.inventory.services import InventoryError

    with pytest.raises(InventoryError) as refused:
        prepare_warehouse(
            session, Warehouse(code="VAN2", name="Van 2", kind="van", technician=dispatcher)
        )
    assert refused.value.field == "technician" and "li" in refused.value.message
