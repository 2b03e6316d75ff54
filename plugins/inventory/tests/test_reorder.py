"""Reorder planning: rules (fixed and computed from demand), the expected-demand hook other
plugins implement, suggestions, drafting purchase orders per supplier, the job re-run, the
below-minimum filter and the dashboard tile."""

import datetime
from decimal import Decimal

import pytest

from core.hooks import hookimpl
from plugins.inventory import services
from plugins.inventory.hookspecs import ExpectedDemand
from plugins.inventory.models import Location, PurchaseOrder, ReorderRule, Warehouse
from plugins.inventory.services import InventoryError, purchasing, reorder, suppliers

pytestmark = pytest.mark.plugins("inventory")
D = Decimal


@pytest.fixture
def plan(session):
    """Two parts with a preferred supplier, one without; a shelf and a van (ids)."""
    shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
    van = Location(warehouse=Warehouse(code="VAN1", name="Van", kind="van"), code="VAN")
    session.add_all([shelf, van])
    session.flush()
    supplier = suppliers.create_supplier(session, name="Yintong", lead_time_days=5)
    other = suppliers.create_supplier(session, name="HVAC Parts", lead_time_days=10)
    fuser = services.create_part(
        session,
        sku="FUS-220",
        name="Fuser",
        standard_cost="300.00",
        preferred_supplier_id=supplier.id,
    )
    filt = services.create_part(
        session,
        sku="FLT-AIR",
        name="Air filter",
        standard_cost="35.00",
        preferred_supplier_id=other.id,
    )
    loose = services.create_part(session, sku="ROPE-8", name="Rope", standard_cost="22.50")
    session.commit()
    return type(
        "Plan",
        (),
        {
            "shelf": shelf.id,
            "van": van.id,
            "supplier": supplier.id,
            "other": other.id,
            "fuser": fuser.id,
            "filter": filt.id,
            "loose": loose.id,
        },
    )


def rows(html):
    """The SKUs in the cells of a list page, linked to their part or not (the search form
    lists every part too)."""
    import re

    return set(re.findall(r"<td>\s*(?:<a [^>]*>)?([A-Z0-9-]+)(?:</a>)?\s*</td>", html))


def by_part(found):
    return {s.sku: s for s in found}


def test_fixed_rule_suggests_up_to_max_counting_on_order_and_reserved(session, plan):
    services.receive(session, plan.fuser, plan.shelf, 5, "300.00")
    services.reserve(session, plan.fuser, plan.shelf, 2, "WO-1")
    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=6, max_quantity=12
    )
    draft = purchasing.create_order(session, plan.supplier)
    purchasing.add_line(session, draft, plan.fuser, 1, plan.shelf)
    session.commit()
    found = by_part(reorder.suggestions(session))["FUS-220"]
    assert (found.on_hand, found.reserved, found.on_order) == (D("5"), D("2"), D("1"))
    assert found.position == D("4") and found.reorder_point == D("6")
    assert found.quantity == D("8")  # up to 12
    assert (found.supplier, found.lead_time_days) == ("Yintong", 5)


def test_no_suggestion_at_or_above_the_reorder_point(session, plan):
    services.receive(session, plan.fuser, plan.shelf, 6, "300.00")
    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=6, max_quantity=12
    )
    session.commit()
    assert by_part(reorder.suggestions(session))["FUS-220"].quantity == 0


class ExpectedFromMaintenance:
    """A stand-in for the maintenance plugin: 3 filters expected at the shelf."""

    def __init__(self, shelf, part):
        self.shelf, self.part, self.asked = shelf, part, []

    @hookimpl(optionalhook=True)
    def inventory_expected_demand(self, session, start, end):
        self.asked.append((start, end))
        return [
            ExpectedDemand(part_id=self.part, location_id=self.shelf, quantity=D("2")),
            (self.part, self.shelf, "1"),
            (self.part, self.shelf, "not a number"),  # skipped, logged
        ]


def test_demand_rule_uses_usage_lead_time_safety_stock_and_the_hook(make_app):
    contributor = ExpectedFromMaintenance(None, None)
    app = make_app(plugins=["inventory"], config={"EXTRA_HOOK_MODULES": [contributor]})
    with app.app_context():
        from core.extensions import db

        session = db.session
        shelf = Location(warehouse=Warehouse(code="CEN", name="Central"), code="A-01")
        session.add(shelf)
        session.flush()
        supplier = suppliers.create_supplier(session, name="HVAC", lead_time_days=5)
        part = services.create_part(
            session, sku="FLT-AIR", name="Air filter", preferred_supplier_id=supplier.id
        )
        contributor.shelf, contributor.part = shelf.id, part.id
        services.receive(session, part.id, shelf.id, 40, "35.00")
        for index in range(3):
            services.issue(session, part.id, shelf.id, 10, f"WO-{index}")
        wrong = services.issue(session, part.id, shelf.id, 6, "WO-X")
        services.reverse_move(session, wrong.id)  # a reversed issue is no usage
        rule = reorder.create_rule(
            session,
            part_id=part.id,
            location_id=shelf.id,
            method="demand",
            safety_stock=2,
            usage_days=30,
            max_quantity=0,
        )
        session.commit()
        found = reorder.suggestions(session)[0]
        # 30 issued in 30 days = 1/day; x 5 days lead + 2 safety + 3 expected = 10
        assert (found.daily_usage, found.expected_demand) == (D("1"), D("3"))
        assert found.reorder_point == D("10") == rule.reorder_point
        assert (found.on_hand, found.quantity) == (D("10"), D("0"))
        services.issue(session, part.id, shelf.id, 1, "WO-9")
        session.commit()
        found = reorder.suggestions(session)[0]
        assert found.reorder_point == D("11")  # usage 31/30 a day -> 5.17, rounded up
        assert found.quantity == D("2")  # position 9 up to the reorder point 11
        today = purchasing.company_today()
        assert contributor.asked[-1] == (today, today + datetime.timedelta(days=4))


def test_hook_is_offered_through_add_hookspecs(session):
    from core.runtime import hooks

    assert hasattr(hooks().pm.hook, "inventory_expected_demand")
    today = datetime.date.today()
    assert services.expected_demand(session, today, today) == {}  # nobody implements it here


def test_drafting_orders_per_supplier_twice_drafts_once(session, plan):
    for part in (plan.fuser, plan.filter, plan.loose):
        reorder.create_rule(
            session, part_id=part, location_id=plan.shelf, min_quantity=2, max_quantity=5
        )
    session.commit()
    first = reorder.draft_purchase_orders(session)
    session.commit()
    assert first.lines == 2 and [s.sku for s in first.without_supplier] == ["ROPE-8"]
    orders = session.query(PurchaseOrder).order_by(PurchaseOrder.id).all()
    assert [(o.supplier_id, o.state, len(o.lines)) for o in orders] == [
        (plan.supplier, "draft", 1),
        (plan.other, "draft", 1),
    ]
    assert orders[0].lines[0].quantity == D("5")
    again = reorder.draft_purchase_orders(session)
    session.commit()
    assert again.lines == 0 and session.query(PurchaseOrder).count() == 2
    # Once ordered, the order still covers the need.
    purchasing.place_order(session, orders[0])
    session.commit()
    assert reorder.draft_purchase_orders(session).lines == 0


def test_a_new_need_is_added_to_the_open_draft_of_the_supplier(session, plan):
    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=1, max_quantity=3
    )
    reorder.draft_purchase_orders(session)
    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.van, min_quantity=1, max_quantity=2
    )
    reorder.draft_purchase_orders(session)
    session.commit()
    order = session.query(PurchaseOrder).one()
    assert sorted((line.location_id, line.quantity) for line in order.lines) == [
        (plan.shelf, D("3")),
        (plan.van, D("2")),
    ]


def test_reorder_job_run_twice_drafts_one_order(app, session, plan):
    from core.jobs.service import run_job

    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=1, max_quantity=4
    )
    session.commit()
    first = run_job("inventory.reorder")
    second = run_job("inventory.reorder")
    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert session.query(PurchaseOrder).count() == 1
    assert "lines drafted: 0" in (second.message or "")


def test_rule_rules(session, plan):
    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=1, max_quantity=2
    )
    with pytest.raises(InventoryError) as twice:
        reorder.create_rule(session, part_id=plan.fuser, location_id=plan.shelf)
    assert (twice.value.field, twice.value.status) == ("part", 409)
    with pytest.raises(InventoryError) as upside:
        reorder.create_rule(
            session, part_id=plan.filter, location_id=plan.shelf, min_quantity=5, max_quantity=2
        )
    assert upside.value.field == "max_quantity"
    with pytest.raises(InventoryError) as method:
        reorder.create_rule(session, part_id=plan.filter, location_id=plan.shelf, method="guess")
    assert method.value.field == "method"
    with pytest.raises(InventoryError) as window:
        reorder.create_rule(
            session, part_id=plan.filter, location_id=plan.shelf, method="demand", usage_days=0
        )
    assert window.value.field == "usage_days"


def test_below_minimum_filter_dashboard_and_api(client, login_as, api_headers, session, plan):
    services.receive(session, plan.fuser, plan.shelf, 1, "300.00")
    services.receive(session, plan.filter, plan.shelf, 9, "35.00")
    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=2, max_quantity=4
    )
    reorder.create_rule(
        session, part_id=plan.filter, location_id=plan.shelf, min_quantity=2, max_quantity=4
    )
    reorder.create_rule(
        session, part_id=plan.loose, location_id=plan.van, min_quantity=1, max_quantity=1
    )  # nothing there at all: below minimum too
    session.commit()
    assert reorder.count_parts_below_minimum(session) == 2
    login_as("Storekeeper")
    below = rows(client.get("/inventory/stock/list/?below_minimum=1").text)
    assert "FUS-220" in below and "ROPE-8" in below and "FLT-AIR" not in below
    assert "FLT-AIR" in rows(client.get("/inventory/stock/list/").text)
    dashboard = client.get("/").text
    assert "Parts below minimum" in dashboard
    headers = api_headers("Storekeeper")
    rison = "(filters:!((col:id,opr:below_minimum,value:1)))"
    quants = client.get(f"/api/v1/inventory_quant/?q={rison}", headers=headers)
    assert quants.status_code == 200, quants.text
    assert sorted(q["part"]["sku"] for q in quants.json["result"]) == ["FUS-220", "ROPE-8"]


def test_suggestion_screen_drafts_orders_and_purchaser_uses_the_api(
    client, login_as, api_headers, session, plan
):
    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=2, max_quantity=6
    )
    session.commit()
    login_as("Purchaser")
    page = client.get("/inventory/reorder/")
    assert (
        page.status_code == 200 and "FUS-220" in page.text and "Draft purchase orders" in page.text
    )
    done = client.post("/inventory/reorder/draft", follow_redirects=True)
    assert "1 line drafted on PO-" in done.text
    headers = api_headers("Purchaser")
    listed = client.get("/api/v1/inventory_reorder/suggestions", headers=headers).json["result"]
    assert listed[0]["on_order"] == "6.000" and listed[0]["quantity"] == "0.000"
    again = client.post("/api/v1/inventory_reorder/draft", headers=headers).json
    assert again["lines"] == 0


def test_storekeeper_reads_suggestions_but_cannot_draft(client, login_as, session, plan):
    login_as("Storekeeper")
    assert client.get("/inventory/reorder/").status_code == 200
    client.post("/inventory/reorder/draft")
    assert session.query(PurchaseOrder).count() == 0


def test_rule_api_takes_decimal_quantities_and_refuses_max_below_min(client, api_headers, plan):
    headers = api_headers("Purchaser")
    body = {
        "part": plan.fuser,
        "location": plan.shelf,
        "method": "fixed",
        "min_quantity": "2.5",
        "max_quantity": "1",
    }
    bad = client.post("/api/v1/inventory_reorder_rule/", json=body, headers=headers)
    assert (bad.status_code, bad.json.get("field")) == (422, "max_quantity"), bad.text
    created = client.post(
        "/api/v1/inventory_reorder_rule/", json={**body, "max_quantity": "7.5"}, headers=headers
    )
    assert created.status_code == 201, created.text
    shown = client.get(f"/api/v1/inventory_reorder_rule/{created.json['id']}", headers=headers)
    assert shown.json["result"]["reorder_point"] in ("2.500", 2.5, "2.5")


def test_rule_screen_adds_a_rule(client, login_as, session, plan):
    login_as("Purchaser")
    form = client.get("/inventory/reorder-rules/add")
    assert form.status_code == 200
    done = client.post(
        "/inventory/reorder-rules/add",
        data={
            "part": plan.fuser,
            "location": plan.shelf,
            "method": "fixed",
            "min_quantity": "2",
            "max_quantity": "5",
            "safety_stock": "0",
            "usage_days": "90",
            "active": "y",
        },
    )
    assert done.status_code == 302, done.text
    rule = session.query(ReorderRule).one()
    assert (rule.min_quantity, rule.reorder_point) == (D("2"), D("2"))
    # the rule's quant exists, so the stock list can show the part below minimum
    assert services.stock_level(session, plan.fuser, plan.shelf).on_hand == 0
    assert "FUS-220" in rows(client.get("/inventory/stock/list/?below_minimum=1").text)


def test_drafting_from_two_sessions_at_once_drafts_each_need_once(app, session, plan):
    """The job and a purchaser on the screen draft at the same moment: the second waits for
    the first to commit, then finds the need on order."""
    import threading

    from sqlalchemy.orm import Session

    from core.extensions import db

    reorder.create_rule(
        session, part_id=plan.fuser, location_id=plan.shelf, min_quantity=2, max_quantity=5
    )
    session.commit()
    second_drafted = []
    first = Session(db.engine)
    try:
        assert reorder.draft_purchase_orders(first).lines == 1  # not committed yet

        def second_purchaser():
            with app.app_context(), Session(db.engine) as other:
                second_drafted.append(reorder.draft_purchase_orders(other).lines)
                other.commit()

        thread = threading.Thread(target=second_purchaser)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the second drafting must wait for the first transaction"
        first.commit()
        thread.join(timeout=30)
    finally:
        first.close()
    assert second_drafted == [0]
    session.expire_all()
    order = session.query(PurchaseOrder).one()
    assert [(line.part_id, line.quantity) for line in order.lines] == [(plan.fuser, D("5"))]
