"""Parts compatibility: the glue plugin that tells which inventory parts fit which contracts
products, enabled automatically when both plugins are; links and their refusals, the parts
that fit a unit with what is available where, screens, API, roles and demo data."""

import datetime
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.plugins import installed_from_package, resolve
from core.testing import builtin_plugin_packages, count_statements
from plugins.contracts import services as contracts
from plugins.inventory import services as inventory
from plugins.inventory.models import QUARANTINE, Location, Part, Warehouse
from plugins.parts_compatibility import services
from plugins.parts_compatibility.models import PartProduct
from plugins.parts_compatibility.services import CompatibilityError

pytestmark = pytest.mark.plugins("inventory", "contracts")

API = "/api/v1/parts_compatibility/"
SCREEN = "/parts-compatibility/links"


@pytest.fixture
def world(session):
    """A printer and an HVAC unit, a customer's printer, three parts, a central store with a
    quarantine and a van."""
    printer = contracts.create_product(
        session, product_type="Printer", model="LaserJet M507", manufacturer="HP"
    )
    hvac = contracts.create_product(
        session, product_type="HVAC", model="VRV X-12", manufacturer="Daikin"
    )
    customer = contracts.create_customer(
        session, kind="company", name="上海明远医疗设备有限公司", tax_id="91310000MA1FL3XK2T"
    )
    unit = contracts.create_equipment(
        session,
        product_id=printer.id,
        customer_id=customer.id,
        serial_number="SN-0001",
        installed_on=datetime.date(2025, 1, 1),
    )
    central = Warehouse(code="CEN", name="Central store")
    shelf = Location(warehouse=central, code="A-01")
    quarantine = Location(warehouse=central, code="QUAR", kind=QUARANTINE)
    van = Location(warehouse=Warehouse(code="VAN1", name="Van 1", kind="van"), code="VAN")
    fuser = Part(sku="FUS-220", name="Fuser unit", sale_price=Decimal("520.00"))
    belt = Part(sku="BELT-TR", name="Transfer belt")
    filt = Part(sku="FLT-AIR", name="Air filter")
    session.add_all([central, shelf, quarantine, van, fuser, belt, filt])
    session.commit()
    return {
        "printer": printer.id,
        "hvac": hvac.id,
        "unit": unit.id,
        "shelf": shelf.id,
        "quarantine": quarantine.id,
        "van": van.id,
        "fuser": fuser.id,
        "belt": belt.id,
        "filter": filt.id,
    }


# --- the glue joins on its own ----------------------------------------------------------------


def _manifests():
    found = {}
    for package in builtin_plugin_packages():
        manifest = installed_from_package(package).manifest
        found[manifest.name] = manifest
    return found


@pytest.mark.parametrize(
    ("requested", "joins"),
    [
        (["inventory", "contracts"], True),
        (["inventory"], False),
        (["contracts"], False),
    ],
)
def test_glue_is_enabled_automatically_only_with_both_inventory_and_contracts(requested, joins):
    enabled = [m.name for m in resolve(_manifests(), requested, "0.1.0")]
    assert ("parts_compatibility" in enabled) is joins
    if joins:
        assert enabled.index("parts_compatibility") > enabled.index("inventory")
        assert enabled.index("parts_compatibility") > enabled.index("contracts")


@pytest.mark.plugins("inventory")
def test_inventory_alone_has_no_compatible_products_screen_or_api(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert not any(r.startswith(("/parts-compatibility", API)) for r in rules)
    assert "/inventory/parts/list/" in rules


def test_both_plugins_bring_the_screen_and_the_api(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert f"{SCREEN}/list/" in rules
    assert f"{API}equipment/<int:equipment_id>/parts" in rules


# --- links and refusals -----------------------------------------------------------------------


def test_a_part_fits_several_products_and_a_product_takes_several_parts(session, world):
    services.link_part(session, world["fuser"], world["printer"], note="OEM")
    services.link_part(session, world["belt"], world["printer"])
    services.link_part(session, world["filter"], world["hvac"])
    services.link_part(session, world["filter"], world["printer"])
    session.commit()
    assert [p.model for p in services.compatible_products(session, world["filter"])] == [
        "VRV X-12",
        "LaserJet M507",
    ]
    assert [p.sku for p in services.compatible_parts(session, world["printer"])] == [
        "BELT-TR",
        "FLT-AIR",
        "FUS-220",
    ]


def test_linking_a_pair_twice_is_refused_with_409(session, world):
    services.link_part(session, world["fuser"], world["printer"])
    with pytest.raises(CompatibilityError) as refused:
        services.link_part(session, world["fuser"], world["printer"])
    assert (refused.value.status, refused.value.field) == (409, "product_id")
    assert "FUS-220 is already linked to HP LaserJet M507" in str(refused.value)


@pytest.mark.parametrize(
    ("part", "product", "status", "field"),
    [
        (999, "printer", 404, "part_id"),
        ("fuser", 999, 404, "product_id"),
        ("x", "printer", 422, "part_id"),
        ("fuser", None, 422, "product_id"),
    ],
)
def test_unknown_or_missing_part_or_product_is_refused(
    session, world, part, product, status, field
):
    part_id = world.get(part, part) if isinstance(part, str) else part
    product_id = world.get(product, product) if isinstance(product, str) else product
    with pytest.raises(CompatibilityError) as refused:
        services.link_part(session, part_id, product_id)
    assert (refused.value.status, refused.value.field) == (status, field)
    assert session.scalar(select(func.count()).select_from(PartProduct)) == 0


def test_a_note_longer_than_200_characters_is_refused(session, world):
    with pytest.raises(CompatibilityError) as refused:
        services.link_part(session, world["fuser"], world["printer"], note="x" * 201)
    assert (refused.value.status, refused.value.field) == (422, "note")


def test_unlinking_removes_the_pair_and_an_unlinked_pair_is_refused(session, world):
    services.link_part(session, world["fuser"], world["printer"])
    services.unlink_part(session, world["fuser"], world["printer"])
    assert services.compatible_products(session, world["fuser"]) == []
    with pytest.raises(CompatibilityError) as refused:
        services.unlink_part(session, world["fuser"], world["printer"])
    assert (refused.value.status, refused.value.field) == (404, "product_id")


def test_links_are_in_the_audit_log(session, world):
    from core.audit.models import AuditLog

    link = services.link_part(session, world["fuser"], world["printer"], note="OEM")
    session.commit()
    logged = session.scalars(
        select(AuditLog).where(AuditLog.table_name == "parts_compatibility_part_product")
    ).all()
    assert [entry.record_id for entry in logged] == [str(link.id)]


# --- the parts that fit a unit ----------------------------------------------------------------


def test_parts_for_a_unit_show_what_is_available_at_each_usable_location(session, world):
    services.link_part(session, world["fuser"], world["printer"], note="OEM")
    services.link_part(session, world["belt"], world["printer"])
    services.link_part(session, world["filter"], world["hvac"])  # fits another product
    inventory.receive(session, world["fuser"], world["shelf"], 5, "310.00")
    inventory.transfer(session, world["fuser"], world["shelf"], world["van"], 2)
    inventory.reserve(session, world["fuser"], world["shelf"], 1, "WO-1")
    inventory.receive(session, world["fuser"], world["quarantine"], 1, "310.00")
    session.commit()

    fitting = services.parts_for_equipment(session, world["unit"])

    assert [f.part.sku for f in fitting] == ["BELT-TR", "FUS-220"]
    belt, fuser = fitting
    assert belt.locations == [] and belt.available == 0
    assert fuser.note == "OEM"
    assert [(s.location, s.on_hand, s.reserved, s.available) for s in fuser.locations] == [
        ("CEN/A-01", Decimal("3.000"), Decimal("1.000"), Decimal("2.000")),
        ("VAN1/VAN", Decimal("2.000"), Decimal("0.000"), Decimal("2.000")),
    ]
    assert fuser.available == Decimal("4.000")


def test_inactive_parts_are_not_offered_for_a_unit(session, world):
    services.link_part(session, world["fuser"], world["printer"])
    session.get(Part, world["fuser"]).active = False
    session.commit()
    assert services.parts_for_equipment(session, world["unit"]) == []


def test_parts_for_an_unknown_unit_are_refused(session, world):
    with pytest.raises(CompatibilityError) as refused:
        services.parts_for_equipment(session, 999)
    assert (refused.value.status, refused.value.field) == (404, "equipment_id")


# --- REST API ---------------------------------------------------------------------------------


def test_storekeeper_links_over_the_api_and_a_duplicate_or_unknown_is_refused(
    client, api_headers, world, session
):
    headers = api_headers("Storekeeper")
    body = {"part": world["fuser"], "product": world["printer"], "note": "OEM"}
    created = client.post(API, json=body, headers=headers)
    assert created.status_code == 201, created.json
    again = client.post(API, json=body, headers=headers)
    assert (again.status_code, again.json["field"]) == (409, "product")
    unknown = client.post(API, json={**body, "part": 999}, headers=headers)
    assert (unknown.status_code, unknown.json["field"]) == (404, "part")
    unknown = client.post(API, json={**body, "product": 999}, headers=headers)
    assert (unknown.status_code, unknown.json["field"]) == (404, "product")

    listed = client.get(API, headers=headers).json["result"]
    assert [(r["part"]["sku"], r["product"]["model"], r["note"]) for r in listed] == [
        ("FUS-220", "LaserJet M507", "OEM")
    ]
    link_id = created.json["id"]
    moved = client.put(f"{API}{link_id}", json={"product": world["hvac"]}, headers=headers)
    assert moved.status_code == 200, moved.json
    assert client.delete(f"{API}{link_id}", headers=headers).status_code == 200
    assert session.scalar(select(func.count()).select_from(PartProduct)) == 0


def test_changing_a_link_into_an_existing_pair_is_refused(client, api_headers, world, session):
    services.link_part(session, world["fuser"], world["printer"])
    other = services.link_part(session, world["fuser"], world["hvac"])
    session.commit()
    answer = client.put(
        f"{API}{other.id}", json={"product": world["printer"]}, headers=api_headers("Purchaser")
    )
    assert (answer.status_code, answer.json["field"]) == (409, "product")
    session.expire_all()
    assert session.get(PartProduct, other.id).product_id == world["hvac"]


@pytest.mark.parametrize("role", ["Inventory Read-only", "Contract Manager", "Staff Read-only"])
def test_readers_read_links_and_unit_parts_but_cannot_write(
    client, api_headers, world, role, session
):
    services.link_part(session, world["fuser"], world["printer"])
    inventory.receive(session, world["fuser"], world["van"], 2, "310.00")
    session.commit()
    headers = api_headers(role)
    assert client.get(API, headers=headers).status_code == 200
    parts = client.get(f"{API}equipment/{world['unit']}/parts", headers=headers)
    assert parts.status_code == 200
    assert parts.json["result"][0]["sku"] == "FUS-220"
    assert parts.json["result"][0]["available"] == "2"
    assert parts.json["result"][0]["locations"][0]["location"] == "VAN1/VAN"
    body = {"part": world["belt"], "product": world["printer"]}
    assert client.post(API, json=body, headers=headers).status_code == 403


@pytest.mark.parametrize("role", ["Storekeeper", "Purchaser", "Inventory Manager"])
def test_inventory_roles_may_write_links(client, api_headers, world, role):
    body = {"part": world["belt"], "product": world["printer"]}
    assert client.post(API, json=body, headers=api_headers(role)).status_code == 201


def test_unit_parts_of_an_unknown_unit_answer_404(client, api_headers, world):
    answer = client.get(f"{API}equipment/999/parts", headers=api_headers("Inventory Read-only"))
    assert (answer.status_code, answer.json["field"]) == (404, "equipment_id")


# --- screens ----------------------------------------------------------------------------------


def test_storekeeper_adds_a_link_on_the_screen_and_a_duplicate_is_flashed(
    client, login_as, world, session
):
    login_as("Storekeeper")
    form = {"part": str(world["fuser"]), "product": str(world["printer"]), "note": "OEM"}
    client.post(f"{SCREEN}/add", data=form)
    assert services.compatible_parts(session, world["printer"])[0].sku == "FUS-220"
    again = client.post(f"{SCREEN}/add", data=form, follow_redirects=True)
    assert "already linked" in again.text
    assert session.scalar(select(func.count()).select_from(PartProduct)) == 1
    listed = client.get(f"{SCREEN}/list/?_flt_0_part={world['fuser']}")
    assert listed.status_code == 200
    assert "FUS-220" in listed.text and "LaserJet M507" in listed.text and "Printer" in listed.text


def test_list_filters_by_part_and_by_product(client, login_as, world, session):
    services.link_part(session, world["fuser"], world["printer"])
    services.link_part(session, world["filter"], world["hvac"])
    session.commit()
    login_as("Inventory Read-only")
    by_part = client.get(f"{SCREEN}/list/?_flt_0_part={world['filter']}").text
    assert cells(by_part) >= {"FLT-AIR", "Daikin"} and "FUS-220" not in cells(by_part)
    by_product = client.get(f"{SCREEN}/list/?_flt_0_product={world['printer']}").text
    assert cells(by_product) >= {"FUS-220", "HP"} and "FLT-AIR" not in cells(by_product)


def cells(html):
    """The texts of the table cells, linked to their record or not (the search form's
    drop-downs list every record)."""
    found = re.findall(r"<td[^>]*>\s*(?:<a [^>]*>)?([^<]*)(?:</a>)?\s*</td>", html)
    return {text.strip() for text in found}


def test_technician_reads_the_screen_but_cannot_add(client, login_as, world, session):
    login_as("Inventory Read-only")
    assert client.get(f"{SCREEN}/list/").status_code == 200
    assert client.get(f"{SCREEN}/add").status_code == 403
    form = {"part": str(world["fuser"]), "product": str(world["printer"])}
    client.post(f"{SCREEN}/add", data=form)
    assert session.scalar(select(func.count()).select_from(PartProduct)) == 0


def test_contract_manager_reads_the_screen_without_an_inventory_role(client, login_as, world):
    login_as("Contract Manager")
    assert client.get(f"{SCREEN}/list/").status_code == 200
    assert client.get(f"{SCREEN}/add").status_code == 403


def test_the_screen_is_in_the_inventory_menu(app):
    inventory_menu = next(m for m in app.appbuilder.menu.get_list() if m.name == "Inventory")
    assert "Compatible Products" in [child.name for child in inventory_menu.childs]


def test_part_page_lists_its_products_and_product_page_its_parts(client, login_as, world, session):
    services.link_part(session, world["fuser"], world["printer"], note="OEM fuser")
    session.commit()
    login_as("Storekeeper", "Contract Manager")
    part_page = client.get(f"/inventory/parts/show/{world['fuser']}")
    assert part_page.status_code == 200
    assert "LaserJet M507" in part_page.text and "OEM fuser" in part_page.text
    product_page = client.get(f"/contracts/products/show/{world['printer']}")
    assert product_page.status_code == 200
    assert "FUS-220" in product_page.text


@pytest.mark.plugins("inventory")
def test_part_page_without_contracts_has_no_compatible_products(client, login_as, session):
    part = Part(sku="FUS-220", name="Fuser unit")
    session.add(part)
    session.commit()
    login_as("Storekeeper")
    page = client.get(f"/inventory/parts/show/{part.id}")
    assert page.status_code == 200
    assert "Compatible Products" not in page.text


@pytest.mark.parametrize("url", [f"{SCREEN}/list/", API])
def test_lists_cost_the_same_queries_for_2_or_12_rows(client, login_as, session, url):
    from core.extensions import db
    from core.testing import create_user

    login_as("Storekeeper")
    headers = {}
    if url.startswith("/api"):
        user = create_user(client.application, ["Storekeeper"])
        token = client.post(
            "/api/v1/security/login",
            json={"username": user.username, "password": "s3cret-pass", "provider": "db"},
        ).json
        headers = {"Authorization": f"Bearer {token['access_token']}"}

    def add_rows(count):
        # Every row has its own part and product, so a per-row load of either would show.
        for i in range(count):
            tag = f"{count}-{i}"
            part = Part(sku=f"P-{tag}", name="Part")
            product = contracts.create_product(
                session, product_type="Printer", model=f"M-{tag}", manufacturer="HP"
            )
            session.add(part)
            session.flush()
            services.link_part(session, part.id, product.id)
        session.commit()
        session.expire_all()

    def fetch():
        assert client.get(url, headers=headers).status_code == 200

    add_rows(2)
    few = min(count_statements(db.engine, fetch) for _ in range(2))
    add_rows(10)
    many = min(count_statements(db.engine, fetch) for _ in range(2))
    assert many == few


# --- demo data --------------------------------------------------------------------------------


def test_demo_links_parts_to_their_products_and_loads_twice(session):
    from core.demo.service import load_demo

    load_demo(session, 1)
    fits = {(link.part.sku, link.product.model) for link in session.scalars(select(PartProduct))}
    assert {
        ("FUS-220", "LaserJet M507"),
        ("CMP-R32", "VRV X-12"),
        ("REF-R32", "VRV X-12"),
        ("FLT-AIR", "VRV X-12"),
        ("PRB-C5", "EPIQ 7"),
    } <= fits
    assert not any(sku.startswith("ROPE") for sku, _model in fits)
    first = len(fits)
    load_demo(session, 1)
    pairs = session.execute(select(PartProduct.part_id, PartProduct.product_id)).all()
    assert len(pairs) == len(set(pairs)) > first
