"""Permission sets: a role names what it needs of a dependency, never another plugin's role."""

import pytest

from core.contributions import PermissionSet, RoleSpec
from core.manifest import Manifest
from core.plugins import PluginConfigError
from core.security.permission_sets import expand_roles
from core.testing import create_user

READ_CONTRACTS = [("can_read", "contracts_contract"), ("menu_access", "Contracts")]
READ_STOCK = [("can_read", "inventory_stock")]
CONTRACTS = PermissionSet("contracts.read", READ_CONTRACTS)
STOCK = PermissionSet("inventory.stock_read", READ_STOCK)
KEEPING = PermissionSet("inventory.storekeeping", [("can_write", "inventory_stock")])
LINKS_READ = PermissionSet(
    "glue.links_read",
    [("can_read", "glue_link")],
    granted_with=["contracts.read", "inventory.stock_read"],
)
LINKS_WRITE = PermissionSet(
    "glue.links_write",
    [("can_write", "glue_link")],
    includes=["glue.links_read", "contracts.read"],
    granted_with=["inventory.storekeeping"],
)
SETS = [
    ("contracts", CONTRACTS),
    ("inventory", STOCK),
    ("inventory", KEEPING),
    ("glue", LINKS_READ),
    ("glue", LINKS_WRITE),
]


def manifests(*names):
    """Enabled plugins: maintenance needs contracts (inventory optional), glue needs both."""
    known = {
        "contracts": Manifest(name="contracts", version="0.1.0", label="C"),
        "inventory": Manifest(name="inventory", version="0.1.0", label="I"),
        "maintenance": Manifest(
            name="maintenance",
            version="0.1.0",
            label="M",
            depends=["contracts"],
            optional=["inventory"],
        ),
        "glue": Manifest(
            name="glue", version="0.1.0", label="G", depends=["contracts", "inventory"]
        ),
    }
    return {name: known[name] for name in names}


def by_name(roles):
    return {role.name: role for role in roles}


def test_a_role_holds_the_permissions_of_the_sets_it_includes():
    technician = RoleSpec("Technician", [("can_write", "wo")], ["contracts.read"])
    [role] = expand_roles(
        [("maintenance", technician)], SETS[:1], manifests("contracts", "maintenance")
    )
    assert set(role.permissions) == {("can_write", "wo"), *READ_CONTRACTS}
    assert role.includes == ("contracts.read",)


def test_a_set_of_an_optional_plugin_that_is_not_enabled_is_left_out():
    technician = RoleSpec("Technician", [], ["contracts.read", "inventory.stock_read"])
    [role] = expand_roles(
        [("maintenance", technician)], SETS[:1], manifests("contracts", "maintenance")
    )
    assert set(role.permissions) == set(READ_CONTRACTS)
    [with_stock] = expand_roles(
        [("maintenance", technician)],
        SETS[:2],
        manifests("contracts", "inventory", "maintenance"),
    )
    assert set(with_stock.permissions) == {*READ_CONTRACTS, *READ_STOCK}


def test_a_set_granted_with_a_dependency_set_reaches_that_dependency_roles():
    roles = [
        ("contracts", RoleSpec("Sales", [], ["contracts.read"])),
        ("inventory", RoleSpec("Storekeeper", [], ["inventory.storekeeping"])),
        ("inventory", RoleSpec("Purchaser", [("can_write", "po")])),
    ]
    expanded = by_name(expand_roles(roles, SETS, manifests("contracts", "inventory", "glue")))
    assert ("can_read", "glue_link") in expanded["Sales"].permissions
    assert ("can_write", "glue_link") not in expanded["Sales"].permissions
    storekeeper = set(expanded["Storekeeper"].permissions)
    # links_write comes with storekeeping and brings links_read and contracts.read along.
    assert {("can_write", "glue_link"), ("can_read", "glue_link"), *READ_CONTRACTS} <= storekeeper
    assert expanded["Storekeeper"].includes == (
        "contracts.read",
        "glue.links_read",
        "glue.links_write",
        "inventory.storekeeping",
    )
    assert expanded["Purchaser"].permissions == [("can_write", "po")]
    without_glue = by_name(expand_roles(roles, SETS[:3], manifests("contracts", "inventory")))
    assert not any("glue" in view for _p, view in without_glue["Storekeeper"].permissions)
    assert ("can_read", "contracts_contract") not in without_glue["Storekeeper"].permissions


def test_a_plugin_may_not_name_the_sets_of_a_plugin_it_does_not_depend_on():
    spy = RoleSpec("Storekeeper", [], ["contracts.read"])
    with pytest.raises(PluginConfigError) as refused:
        expand_roles([("inventory", spy)], SETS, manifests("contracts", "inventory"))
    assert refused.value.problems == [
        "the role 'Storekeeper' of plugin 'inventory' names the permission set "
        "'contracts.read', but 'inventory' neither is nor depends on plugin 'contracts'"
    ]


def test_an_unknown_set_of_an_enabled_plugin_stops_start_up_with_what_it_offers():
    typo = RoleSpec("Technician", [], ["contracts.reader"])
    with pytest.raises(PluginConfigError) as refused:
        expand_roles([("maintenance", typo)], SETS[:1], manifests("contracts", "maintenance"))
    assert "'contracts.reader', which plugin 'contracts' does not offer" in str(refused.value)
    assert "(it offers: contracts.read)" in str(refused.value)


def test_a_set_is_named_after_the_plugin_that_offers_it():
    with pytest.raises(PluginConfigError, match="a set is named after its plugin"):
        expand_roles([], [("inventory", PermissionSet("contracts.read"))], manifests("inventory"))
    with pytest.raises(PluginConfigError, match="offered twice"):
        expand_roles([], [("contracts", CONTRACTS)] * 2, manifests("contracts"))


SAMPLES = ["sample_alpha", "sample_beta"]


def grants(app, role_name):
    role = app.appbuilder.sm.find_role(role_name)
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_a_dependant_role_reads_a_dependency_through_its_set_in_a_real_app(make_app):
    app = make_app(plugins=["sample_beta"], packages=SAMPLES)
    with app.app_context():
        beta_reader = grants(app, "Beta Reader")
        user = create_user(app, ["Beta Reader"])
    assert ("can_read", "sample_alpha_note") in beta_reader
    assert ("can_write", "sample_alpha_note") not in beta_reader
    client = app.test_client()
    login = client.post("/login/", data={"username": user.username, "password": "s3cret-pass"})
    assert login.status_code == 302
    assert client.get("/beta/").status_code == 200
    assert client.get("/alphanoteview/list/").status_code == 200
    assert client.get("/alphanoteview/add").status_code == 403
