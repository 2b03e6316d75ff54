"""Meta-test: no model API of any plugin lets a nested object in a relation field create a row.

Walks every registered ``ModelRestApi`` of an app with every built-in plugin (and the sample
plugins) on demo data, and every relation column of its add and edit schemas: a JSON object
there is refused with 422 naming the field, and no row of any table appears. A new API, or a
third-party one built on core's base classes, cannot bring the hole back.
"""

import pytest
from flask_appbuilder import ModelRestApi
from sqlalchemy import func, inspect, select

from core.extensions import db
from core.security.permissions import BusinessModelApi
from core.testing import module_app, token_headers

SAMPLES = ["sample_alpha", "sample_rows"]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    with module_app(
        tmp_path_factory.mktemp("relations"), SAMPLES, demo=True, admin="meta-admin"
    ) as app:
        yield app


def model_apis(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ModelRestApi)]


def relation_columns(api, columns):
    return [name for name in columns or [] if api.datamodel.is_relation(name)]


def row_counts():
    """Rows per table of this app's database (the metadata may also hold tables of sample
    plugins that other tests in the same process loaded)."""
    present = set(inspect(db.session.connection()).get_table_names())
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in present:
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    db.session.rollback()
    return counts


def serves(api, method):
    if api.include_route_methods is not None and method not in api.include_route_methods:
        return False
    return method not in (api.exclude_route_methods or set())


def cases(app):
    for api in model_apis(app):
        for method, columns in (("post", api.add_columns), ("put", api.edit_columns)):
            if serves(api, method):
                for column in relation_columns(api, columns):
                    yield api, method, column


def test_every_model_api_that_writes_is_built_on_core_base_classes(demo_app):
    apis = model_apis(demo_app)
    assert len(apis) > 20
    writers = [api for api in apis if serves(api, "post") or serves(api, "put")]
    strays = [type(api).__name__ for api in writers if not isinstance(api, BusinessModelApi)]
    assert strays == []


def test_a_nested_object_in_any_relation_field_is_refused_and_creates_no_row(demo_app):
    client = demo_app.test_client()
    headers = token_headers(client, "meta-admin")
    checked = []
    for api, method, column in cases(demo_app):
        related = api.datamodel.get_related_model(column)
        nested = {"id": 10**9, "name": "made up", "username": "intruder", "title": "made up"}
        datamodel = api.datamodel
        many = datamodel.is_relation_many_to_many(column) or datamodel.is_relation_one_to_many(
            column
        )
        body = {column: [nested] if many else nested}
        before = row_counts()
        url = f"/api/v1/{api.resource_name}/"
        if method == "put":
            first = db.session.scalar(select(api.datamodel.obj).limit(1))
            db.session.rollback()
            if first is None:
                continue
            url += str(api.datamodel.get_pk_value(first))
        answer = getattr(client, method)(url, json=body, headers=headers)
        label = f"{method.upper()} {url} {column} -> {related.__name__}"
        assert answer.status_code == 422, f"{label}: {answer.status_code} {answer.text}"
        named = answer.json.get("field") == column or column in answer.json.get("errors", {})
        assert named, f"{label}: {answer.text}"
        assert row_counts() == before, f"{label} wrote rows"
        checked.append(label)
    assert len(checked) > 40, checked
