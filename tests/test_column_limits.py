"""Every text column has a length limit, enforced on screens, the API and every other path;
currency codes are ISO 4217 codes.

The meta-tests walk every table of an app with every built-in plugin (and the sample
plugins) and every model API's add and edit schemas, so a new column or API cannot come
without a limit.
"""

import pytest
from flask_appbuilder import ModelRestApi
from sqlalchemy import String, func, inspect, select
from sqlalchemy.types import TypeDecorator

from core.column_limits import ColumnValueError, LongText, column_limit
from core.company.models import Company
from core.company.service import company_settings
from core.extensions import db
from core.jobs.models import JobRun
from core.money import currency_refusal
from core.testing import module_app, token_headers
from core.timeutil import utcnow
from plugins.contracts.models import Contract, Customer
from plugins.contracts.services.importing import KINDS
from plugins.contracts.tests.helpers import uscc
from plugins.contracts.views.importing import import_file
from plugins.inventory.models import Part
from plugins.maintenance.tests.world import ON_WORLD_DAY, build_world, open_order, sh

SAMPLES = ["sample_alpha", "sample_rows"]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    with module_app(
        tmp_path_factory.mktemp("limits"), SAMPLES, demo=True, admin="limits-admin"
    ) as app:
        yield app


@pytest.fixture(scope="module")
def admin_headers(demo_app):
    return token_headers(demo_app.test_client(), "limits-admin")


def is_text(column):
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return isinstance(kind, String)  # String, Text, Unicode, Enum...


def row_counts():
    """Rows per table of this app's database (the metadata may also hold tables of sample
    plugins that other tests in the same process loaded)."""
    present = set(inspect(db.session.connection()).get_table_names())
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name in present
    }
    db.session.rollback()
    return counts


def test_every_text_column_of_every_table_has_a_length_limit(demo_app):
    # Flask-AppBuilder's own tables (ab_*) are its business; every other table is ours.
    columns = [
        (table.name, column)
        for table in db.metadata.sorted_tables
        if not table.name.startswith("ab_")
        for column in table.columns
        if is_text(column)
    ]
    assert len(columns) > 150
    unbounded = [f"{name}.{column.name}" for name, column in columns if not column_limit(column)]
    assert unbounded == []
    free_text = [c for _, c in columns if isinstance(c.type, LongText)]
    assert len(free_text) > 20 and all(c.type.length <= 100_000 for c in free_text)


def model_apis(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ModelRestApi)]


def serves(api, method):
    if api.include_route_methods is not None and method not in api.include_route_methods:
        return False
    return method not in (api.exclude_route_methods or set())


def text_fields(api, columns):
    datamodel = api.datamodel
    for name in columns or []:
        column = datamodel.list_columns.get(name)
        if column is not None and is_text(column) and column_limit(column):
            yield name, column_limit(column)


def cases(app):
    for api in model_apis(app):
        for method, columns in (("post", api.add_columns), ("put", api.edit_columns)):
            if serves(api, method):
                for name, limit in text_fields(api, columns):
                    yield api, method, name, limit


def first_id(model):
    row = db.session.scalar(select(model).limit(1))
    db.session.rollback()
    return None if row is None else db.inspect(row).identity[0]


# Bodies an API checks itself before its schema (amendments are drafted by a service).
OTHER_VALUES = {"contract_amendment": {"changes": {"payment_terms": "Net 30"}}}


def refuse(client, api, url, method, name, limit, headers):
    """Send ``name`` one character too long; when the API first refuses a missing
    relation (an amendment needs its contract), give it an existing row and send again."""
    body = {**OTHER_VALUES.get(api.resource_name, {}), name: "x" * (limit + 1)}
    for _ in range(4):
        answer = getattr(client, method)(url, json=body, headers=headers)
        if answer.status_code != 422:
            return answer, {}
        errors = answer.json.get("errors") or {answer.json.get("field"): [answer.json["message"]]}
        other = answer.json.get("field")
        if name in errors or other in body or not api.datamodel.is_relation(other or ""):
            return answer, errors
        body[other] = first_id(api.datamodel.get_related_model(other))
    return answer, errors


def test_every_model_api_refuses_a_value_longer_than_its_column(demo_app, admin_headers):
    client = demo_app.test_client()
    before = row_counts()
    checked = []
    for api, method, name, limit in cases(demo_app):
        url = f"/api/v1/{api.resource_name}/"
        if method == "put":
            pk = first_id(api.datamodel.obj)
            if pk is None:
                continue
            url += str(pk)
        answer, errors = refuse(client, api, url, method, name, limit, admin_headers)
        label = f"{method.upper()} {url} {name}"
        assert answer.status_code == 422, f"{label}: {answer.status_code} {answer.text[:300]}"
        assert name in errors, f"{label}: {answer.text[:300]}"
        assert f"Longer than maximum length {limit}" in " ".join(errors[name]), label
        checked.append(label)
    assert row_counts() == before, "a refused write left rows behind"
    assert len([c for c in checked if c.startswith("POST")]) > 60, checked
    assert any(c.endswith(" symptom") for c in checked)  # a LongText column
    assert any("/contract/" in c and c.endswith(" title") for c in checked)


def test_a_flush_refuses_a_value_longer_than_its_column_naming_the_attribute(session):
    session.add(Customer(kind="company", name="x" * 20_000, tax_id=uscc(7)))
    with pytest.raises(ColumnValueError) as refused:
        session.flush()
    assert refused.value.field == "name" and refused.value.status == 422
    assert str(refused.value) == "name: Longer than maximum length 200."
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_changed_value_is_checked_an_unchanged_one_is_not(session):
    customer = Customer(kind="company", name="Acme", tax_id=uscc(8))
    session.add(customer)
    session.commit()
    customer.tax_id = "9" * 3000
    with pytest.raises(ColumnValueError, match="tax_id: Longer than maximum length 40"):
        session.flush()
    session.rollback()
    assert session.get(Customer, customer.id).tax_id == uscc(8)


def test_system_written_logs_are_cut_to_fit_instead_of_refused(session):
    run = JobRun(job_name="core.test", trigger="manual", started_on=utcnow(), log="L" * 60_000)
    run.traceback = "T" * 200_000
    session.add(run)
    session.commit()
    session.expire_all()
    stored = session.get(JobRun, run.id)
    assert len(stored.log) == 50_000 and stored.log.endswith("…")
    assert len(stored.traceback) == 100_000


def test_an_import_row_with_a_too_long_value_is_reported_and_nothing_written(session):
    text = f"kind,name,tax_id\ncompany,{'名' * 20_000},{uscc(3)}\ncompany,短名,{uscc(4)}\n"
    report = import_file(KINDS["customers"], text.encode(), "c.csv", "valid_rows", None)
    assert report.imported == 1
    assert [(p.row, p.message) for p in report.errors] == [
        (2, "name: Longer than maximum length 200.")
    ]
    assert session.scalars(select(Customer.name)).all() == ["短名"]


@pytest.mark.plugins("inventory")
def test_the_part_form_shows_a_field_error_for_a_too_long_specification(client, login_as, session):
    login_as("Admin")
    answer = client.post(
        "/inventory/parts/add",
        data={"sku": "FLT-1", "name": "Filter", "unit": "pcs", "specification": "s" * 10_001},
    )
    assert answer.status_code == 200
    assert "Field cannot be longer than 10000 characters." in answer.text
    assert session.scalar(select(func.count()).select_from(Part)) == 0
    saved = client.post(
        "/inventory/parts/add",
        data={
            "sku": "FLT-1",
            "name": "Filter",
            "unit": "pcs",
            "specification": "s" * 10_000,
            "active": "y",
        },
    )
    assert saved.status_code == 302
    assert len(session.scalars(select(Part.specification)).one()) == 10_000


@pytest.mark.plugins("contracts")
def test_the_customer_form_refuses_a_20000_character_name(client, login_as, session):
    login_as("Admin")
    answer = client.post(
        "/contracts/customers/add",
        data={"kind": "company", "name": "x" * 20_000, "tax_id": uscc(5)},
    )
    assert answer.status_code == 200
    assert "Field cannot be longer than 200 characters." in answer.text
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def contract_body(session, **values):
    customer = Customer(kind="company", name="Acme", tax_id=uscc(6))
    session.add(customer)
    session.commit()
    body = {
        "customer": customer.id,
        "title": "Service",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "fee": "1000.00",
    }
    return {**body, **values}


@pytest.mark.plugins("contracts")
@pytest.mark.parametrize("code", ["XYZ", "RMB", "xyz", "12"])
def test_the_contract_api_refuses_a_currency_that_is_not_iso_4217(
    client, api_headers, session, code
):
    answer = client.post(
        "/api/v1/contract/",
        json=contract_body(session, currency=code),
        headers=api_headers("Admin"),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json["field"] == "currency"
    assert f"{code.upper()!r} is not an ISO 4217 currency code" in answer.json["message"]
    assert session.scalar(select(func.count()).select_from(Contract)) == 0


@pytest.mark.plugins("contracts")
def test_a_lower_case_currency_code_is_stored_upper_case(client, api_headers, session):
    answer = client.post(
        "/api/v1/contract/",
        json=contract_body(session, currency="usd"),
        headers=api_headers("Admin"),
    )
    assert answer.status_code == 201, answer.text
    assert session.scalars(select(Contract.currency)).one() == "USD"


def test_no_path_stores_a_currency_that_is_not_iso_4217(session):
    company_settings(session)
    session.commit()
    row = session.get(Company, 1)
    row.currency = "ABC"
    with pytest.raises(ColumnValueError, match="currency: 'ABC' is not an ISO 4217 currency code"):
        session.flush()
    session.rollback()
    row.currency = "eur"
    session.commit()
    session.expire_all()
    assert session.get(Company, 1).currency == "EUR"


def test_the_company_screen_names_a_currency_that_is_not_iso_4217(client, login_as, session):
    login_as("Admin")
    page = client.get("/company/form").text
    assert "currency" in page
    answer = client.post(
        "/company/form",
        data={"name": "Acme", "time_zone": "Asia/Shanghai", "currency": "XYZ", "language": "en"},
    )
    assert "&#39;XYZ&#39; is not an ISO 4217 currency code" in answer.text
    assert company_settings(session).currency == "CNY"


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def opened_order(session, world):
    order = open_order(session, world.unit, sh(2026, 11, 23, 9, 0))
    session.commit()
    return order


@pytest.mark.plugins("maintenance")
@ON_WORLD_DAY
def test_an_action_form_with_a_too_long_reason_shows_the_form_again_not_a_500(
    client, login_as, session, world
):
    from plugins.maintenance.models import WorkOrder

    login_as("Dispatcher")
    order = opened_order(session, world)
    url = f"/maintenance/work-orders/act/{order.id}/cancel"
    answer = client.post(url, data={"reason": "r" * 10_001})
    assert answer.status_code == 302 and answer.location.endswith(url)
    page = client.get(answer.location).text
    assert "cancel_reason: Longer than maximum length 10000." in page
    session.expire_all()
    assert session.get(WorkOrder, order.id).state == "new"


@pytest.mark.plugins("maintenance")
@ON_WORLD_DAY
def test_an_action_endpoint_with_a_too_long_reason_answers_422_naming_it(
    client, api_headers, session, world
):
    from plugins.maintenance.models import WorkOrder

    order = opened_order(session, world)
    answer = client.post(
        f"/api/v1/work_order/{order.id}/cancel",
        json={"reason": "r" * 10_001},
        headers=api_headers("Dispatcher"),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json == {
        "message": "cancel_reason: Longer than maximum length 10000.",
        "field": "cancel_reason",
    }
    session.expire_all()
    assert session.get(WorkOrder, order.id).state == "new"


def test_the_refusals_speak_chinese(app, session):
    from flask_babel import force_locale

    expected = {
        "zh": ("超过最大长度 200。", "'XYZ' 不是 ISO 4217 货币代码"),
        "zh_TW": ("超過最大長度 200。", "'XYZ' 不是 ISO 4217 貨幣代碼"),
    }
    for locale, (too_long, not_a_currency) in expected.items():
        session.add(Customer(kind="company", name="x" * 201, tax_id=uscc(9)))
        with app.test_request_context(), force_locale(locale):
            with pytest.raises(ColumnValueError) as refused:
                session.flush()
            session.rollback()
            assert str(refused.value) == f"name: {too_long}"
            assert currency_refusal("XYZ") == not_a_currency


@pytest.mark.plugins("contracts")
def test_an_amendment_with_a_clause_too_long_is_refused_when_drafted(session):
    from plugins.contracts import services as s
    from plugins.contracts.models import ContractAmendment
    from plugins.contracts.tests.helpers import refused
    from plugins.contracts.tests.test_amendments import in_force

    made, _unit, _level = in_force(session)
    message = refused(
        lambda: s.create_amendment(session, made, {"liability_clause": "c" * 20_001}, "longer"),
        "liability_clause",
    )
    assert message == "liability_clause: Longer than maximum length 20000."
    assert session.query(ContractAmendment).count() == 0
    assert s.create_amendment(session, made, {"liability_clause": "c" * 20_000}, "long").id


@pytest.mark.plugins("contracts")
def test_an_endpoint_that_does_not_catch_the_refusal_answers_422_json_not_500(app, session):
    def careless_endpoint():
        db.session.add(Customer(kind="company", name="x" * 201, tax_id=uscc(11)))
        db.session.commit()
        return "saved"

    app.add_url_rule("/api/v1/careless", view_func=careless_endpoint, methods=["POST"])
    answer = app.test_client().post("/api/v1/careless", json={})
    assert answer.status_code == 422
    assert answer.json == {"message": "name: Longer than maximum length 200.", "field": "name"}
    assert session.scalar(select(func.count()).select_from(Customer)) == 0
