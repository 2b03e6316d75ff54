"""core.declare: models, menu, screens, APIs and roles declared as data become the hooks."""

import pytest

from core.declare import Menu, Screen, declare, role_permissions

MENU = Menu("Loans", "Loans")
SCREENS = [
    (Screen("pkg.views:LoanView", "Loans", name="Loan List"), "loans_loan"),
    (Screen("pkg.views:UnitView", "Units"), "loans_unit"),
    (Screen("pkg.views:LoanPrintView", "Print", menu=False), "loans_loan"),
]


def test_a_role_gets_its_permissions_and_the_menu_entries_of_what_it_may_read():
    clerk = role_permissions({"loans_loan": "write", "loans_unit": "read"}, SCREENS, MENU)
    assert clerk == [
        ("can_read", "loans_loan"),
        ("can_write", "loans_loan"),
        ("can_read", "loans_unit"),
        ("menu_access", "Loans"),
        ("menu_access", "Loan List"),
        ("menu_access", "UnitView"),  # the key defaults to the class name
    ]
    approver = role_permissions({"loans_loan": ["can_approve"]}, SCREENS, MENU)
    assert approver == [("can_approve", "loans_loan")]  # no read: no menu entry


def test_a_wrong_access_or_a_hook_defined_twice_is_refused():
    with pytest.raises(ValueError, match="'read', 'write' or a list"):
        role_permissions({"loans_loan": "all"}, SCREENS, MENU)
    namespace = {"__name__": "pkg.plugin", "aftersales_models": lambda: []}
    with pytest.raises(ValueError, match="already defines aftersales_models"):
        declare(namespace, models=["pkg.models:Loan"])
    with pytest.raises(ValueError, match="'package.module:Class'"):
        from core.declare import load

        load("pkg.models.Loan")


def test_declare_writes_hook_implementations_into_the_module():
    namespace = {"__name__": "pkg.plugin"}
    declare(
        namespace,
        models=["core.company.models:Company"],
        roles={"Reader": {"core_company": "read"}},
        includes={"Reader": ["contracts.read"]},
    )
    assert set(namespace) - {"__name__"} == {"aftersales_models", "aftersales_roles"}
    from core.company.models import Company

    assert namespace["aftersales_models"]() == [Company]
    (role,) = namespace["aftersales_roles"]()
    assert (role.name, list(role.permissions), list(role.includes)) == (
        "Reader",
        [("can_read", "core_company")],
        ["contracts.read"],
    )
    assert hasattr(namespace["aftersales_roles"], "aftersales_impl")


def test_declared_row_rules_load_the_model_and_the_function():
    from core.contributions import RowRule
    from core.declare import Rows

    namespace = {"__name__": "pkg.plugin"}
    declare(
        namespace,
        row_rules=[
            Rows("core.company.models:Company", visible="core.company.service:company_today"),
            Rows("core.company.models:Company", parent="owner"),
        ],
    )
    from core.company.models import Company
    from core.company.service import company_today

    assert namespace["aftersales_row_rules"]() == [
        RowRule(Company, visible=company_today),
        RowRule(Company, parent="owner"),
    ]
    for wrong in ({}, {"visible": "a:b", "parent": "owner"}):
        with pytest.raises(ValueError, match="give visible or parent"):
            Rows("core.company.models:Company", **wrong)
