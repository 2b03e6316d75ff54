"""The OpenAPI document describes every endpoint fully enough for integrators and fuzzers:
every ``POST``/``PUT`` has a request body and every ``{param}`` of a path is declared."""

import re

import pytest

from core.testing import module_app, token_headers


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    with module_app(tmp_path_factory.mktemp("openapi"), admin="openapi-admin") as app:
        client = app.test_client()
        answer = client.get("/api/v1/_openapi", headers=token_headers(client, "openapi-admin"))
        assert answer.status_code == 200, answer.text
        yield answer.json


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_post_and_put_documents_its_request_body(document):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        if method in ("post", "put")
        and "requestBody" not in operation
        and not path.startswith("/api/v1/security/")
    ]
    assert missing == [], "\n".join(missing)


def test_every_path_parameter_is_declared(document):
    missing = []
    for path, method, operation in operations(document):
        declared = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "path"}
        declared |= {
            p.get("name")
            for p in document["paths"][path].get("parameters", [])
            if p.get("in") == "path"
        }
        for name in re.findall(r"{(\w+)}", path):
            if name not in declared:
                missing.append(f"{method.upper()} {path}: {name}")
    assert missing == [], "\n".join(missing)


def test_stock_actions_document_their_fields(document):
    body = document["paths"]["/api/v1/inventory_stock/receive"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = document["components"]["schemas"][ref]
    assert {"part_id", "location_id", "quantity", "unit_cost"} <= set(schema["required"])
    assert schema["properties"]["part_id"]["type"] == "integer"


def test_reliability_documents_its_query_parameters(document):
    operation = document["paths"]["/api/v1/maintenance_reliability/equipment"]["get"]
    assert {"from", "to", "product_id"} <= {p["name"] for p in operation["parameters"]}


def test_custom_endpoints_document_their_query_parameters(document):
    coverage = document["paths"]["/api/v1/contracts/coverage"]["get"]
    assert {"serial", "at", "kind", "part"} <= {p["name"] for p in coverage["parameters"]}
    action = document["paths"]["/api/v1/work_order/{pk}/{action}"]["post"]
    (parameter,) = [p for p in action["parameters"] if p["name"] == "action"]
    assert "assign" in parameter["schema"]["enum"]
