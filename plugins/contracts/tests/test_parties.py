"""Contracts: the customer services other plugins call (create, get by id, find by text)."""

import pytest

from plugins.contracts import services as s
from plugins.contracts.tests.helpers import refused, uscc

pytestmark = pytest.mark.plugins("contracts")


def names(customers):
    return [customer.name for customer in customers]


def test_a_company_needs_a_valid_tax_id_and_a_person_does_not(session):
    refused(lambda: s.create_customer(session, name="Pump Works"), "tax_id")
    refused(lambda: s.create_customer(session, name="Pump Works", tax_id="123"), "tax_id")
    refused(lambda: s.create_customer(session, kind="person", name=" "), "name")
    company = s.create_customer(session, name="Pump Works", tax_id=uscc(1).lower())
    person = s.create_customer(session, kind="person", name="Wang Fang")
    assert (company.kind, company.tax_id) == ("company", uscc(1))
    assert (person.kind, person.tax_id) == ("person", None)
    refused(lambda: s.create_customer(session, name="Copy", tax_id=uscc(1)), "tax_id", 409)


def test_find_customers_by_part_of_the_name_or_the_tax_id(session):
    for n, name in enumerate(["Shanghai Pump Works", "上海电梯有限公司", "100% Valves", "A_B Ltd"]):
        s.create_customer(session, name=name, tax_id=uscc(n + 1))
    s.create_customer(session, kind="person", name="pump fan")
    assert names(s.find_customers(session, "PUMP")) == ["Shanghai Pump Works", "pump fan"]
    assert names(s.find_customers(session, "电梯")) == ["上海电梯有限公司"]
    assert names(s.find_customers(session, uscc(3).lower())) == ["100% Valves"]
    assert names(s.find_customers(session, "%")) == ["100% Valves"]  # not a wildcard
    assert names(s.find_customers(session, "_")) == ["A_B Ltd"]
    assert s.find_customers(session, "  ") == []
    assert len(s.find_customers(session, "a", limit=2)) == 2


def test_get_customer_names_the_field_when_there_is_none(session):
    customer = s.create_customer(session, kind="person", name="Li Lei")
    assert s.get_customer(session, customer.id) is customer
    refused(lambda: s.get_customer(session, customer.id + 1), "customer", 404)
