"""Importing customers, equipment and contracts from CSV/XLSX files.

Each kind declares its columns (headers in English or the translated labels) and a row
builder that calls the same services as the screens and the API, so a row is refused for
exactly the reasons a form would be. Imported contracts are drafts: they go through review
and activation like any other. References: a customer by its tax ID or exact name, a
product by manufacturer and model, covered units by serial numbers of the contract's
customer (separated by ``;``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.tabular import Column, Row, RowError, match_choice, parse_date, parse_whole
from plugins.contracts import services
from plugins.contracts.models import Customer, Equipment, Product, ServiceLevel
from plugins.contracts.services.labels import CHOICES, LABELS

_SERIALS = re.compile(r"[;；,，\n]+")


@dataclass(frozen=True)
class ImportKind:
    """One kind of record a file may hold: its label, its columns (a function: labels follow
    the current language), its row builder and the object whose ``can_write`` permission
    importing it needs."""

    name: str
    label: Any
    columns: Callable[[], list[Column]]
    build: Callable[[Session, Row], Any]
    permission: str


def _labels() -> dict[str, Any]:
    return LABELS


def _choices(name: str) -> list[tuple[str, Any]]:
    return [c for c in CHOICES[name] if c[0]]


def _column(key: str, required: bool = False, help: Any = "", label: Any = None) -> Column:
    return Column(key, label or _labels()[key], required=required, help=help)


def customer_by_reference(session: Session, text: str, column: str = "customer") -> Customer:
    """The customer whose tax ID (USCC) or exact name is ``text``; :class:`RowError` when
    none or several match."""
    text = (text or "").strip()
    if not text:
        raise RowError(gettext("customer: is required"), column)
    found = session.scalar(select(Customer).where(Customer.tax_id == text.upper()))
    if found is not None:
        return found
    named = session.scalars(select(Customer).where(Customer.name == text).limit(2)).all()
    if len(named) == 1:
        return named[0]
    if named:
        raise RowError(
            gettext(
                "customer: %(value)s names several customers; give the tax ID instead",
                value=text,
            ),
            column,
        )
    raise RowError(
        gettext("customer: no customer has the tax ID or name %(value)s", value=text), column
    )


# --- customers -------------------------------------------------------------------------------


def customer_columns() -> list[Column]:
    """Columns of a customer file (one contact per row, optional)."""
    return [
        _column("kind", help=_("company or person (default company)")),
        _column("name", required=True),
        _column("tax_id", help=_("required for a company; 18-character USCC or tax ID")),
        _column("address"),
        _column("phone"),
        _column("email"),
        Column("contact_name", _("Contact name"), help=_("optional: creates a contact")),
        Column("contact_phone", _("Contact phone")),
        Column("contact_email", _("Contact e-mail")),
        Column("contact_wechat_id", _("Contact WeChat ID")),
    ]


def build_customer(session: Session, row: Row) -> Customer:
    """A customer (and its contact) from one row."""
    customer = services.create_customer(
        session,
        kind=match_choice(row.get("kind"), _choices("kind"), "kind", _labels()["kind"], "company"),
        name=row.get("name"),
        tax_id=row.get("tax_id") or None,
        address=row.get("address"),
        phone=row.get("phone"),
        email=row.get("email"),
    )
    contact = {k: row.get(f"contact_{k}") for k in ("name", "phone", "email", "wechat_id")}
    if any(contact.values()):
        try:
            services.create_contact(session, customer_id=customer.id, **contact)
        except services.ContractError as exc:
            raise RowError(str(exc), f"contact_{exc.field}") from exc
    return customer


# --- equipment -------------------------------------------------------------------------------


def equipment_columns() -> list[Column]:
    """Columns of an equipment file."""
    return [
        _column("manufacturer", required=True, help=_("with the model, names a product")),
        _column("model", required=True),
        _column("serial_number", required=True, help=_("unique per product")),
        _column("customer", required=True, help=_("tax ID or exact name of the customer")),
        _column("site_address"),
        _column("installed_on", help=_("YYYY-MM-DD")),
        _column("warranty_end", help=_("YYYY-MM-DD")),
        _column("status", help=_("in service (default), out of service or scrapped")),
    ]


def build_equipment(session: Session, row: Row) -> Equipment:
    """A unit from one row; its product and customer must exist."""
    labels = _labels()
    maker, model = row.get("manufacturer"), row.get("model")
    product = session.scalar(
        select(Product).where(Product.manufacturer == maker, Product.model == model)
    )
    if product is None:
        raise RowError(
            gettext(
                "product: no product %(maker)s %(model)s; create it under Products first",
                maker=maker,
                model=model,
            ),
            "model",
        )
    customer = customer_by_reference(session, row.get("customer"))
    return services.create_equipment(
        session,
        product_id=product.id,
        customer_id=customer.id,
        serial_number=row.get("serial_number"),
        site_address=row.get("site_address"),
        installed_on=parse_date(row.get("installed_on"), "installed_on", labels["installed_on"]),
        warranty_end=parse_date(row.get("warranty_end"), "warranty_end", labels["warranty_end"]),
        status=match_choice(
            row.get("status"), _choices("status"), "status", labels["status"], "in_service"
        ),
    )


# --- contracts -------------------------------------------------------------------------------


def contract_columns() -> list[Column]:
    """Columns of a contract file."""
    return [
        _column("customer", required=True, help=_("tax ID or exact name of the customer")),
        _column("title", required=True),
        _column("start_date", required=True, help=_("YYYY-MM-DD")),
        _column("end_date", required=True, help=_("YYYY-MM-DD")),
        _column("service_level", help=_("name of existing service-level terms")),
        _column("fee", required=True, help=_("amount, like 48000.00")),
        _column("currency", help=_("ISO code (default: the company currency)")),
        _column("billing_cycle", help=_("monthly, quarterly, yearly (default) or one-off")),
        _column("payment_terms"),
        _column("renewal", help=_("express (default) or auto (tacit renewal)")),
        _column("renewal_months"),
        _column("notice_days"),
        _column("confidentiality_clause"),
        _column("liability_clause"),
        _column("dispute_resolution", help=_("arbitration or litigation")),
        _column("dispute_venue"),
        _column(
            "equipment",
            label=_("Covered Equipment"),
            help=_("serial numbers of the customer's units, separated by ;"),
        ),
    ]


def _service_level(session: Session, name: str) -> int | None:
    if not name:
        return None
    level_id = session.scalar(select(ServiceLevel.id).where(ServiceLevel.name == name))
    if level_id is None:
        raise RowError(
            gettext("service level: no service-level terms are named %(name)s", name=name),
            "service_level",
        )
    return level_id


def _units(session: Session, customer: Customer, text: str) -> list[Equipment]:
    units = []
    for serial in [s.strip() for s in _SERIALS.split(text or "") if s.strip()]:
        found = session.scalars(
            select(Equipment).where(
                Equipment.serial_number == serial, Equipment.customer_id == customer.id
            )
        ).all()
        if not found:
            raise RowError(
                gettext(
                    "equipment: no unit with serial number %(serial)s belongs to %(customer)s",
                    serial=serial,
                    customer=customer.name,
                ),
                "equipment",
            )
        if len(found) > 1:
            raise RowError(
                gettext(
                    "equipment: several units of %(customer)s have serial number %(serial)s",
                    serial=serial,
                    customer=customer.name,
                ),
                "equipment",
            )
        units.append(found[0])
    return units


def build_contract(session: Session, row: Row) -> Any:
    """A draft contract (with its covered units) from one row."""
    labels = _labels()
    customer = customer_by_reference(session, row.get("customer"))
    units = _units(session, customer, row.get("equipment"))
    values: dict[str, Any] = {
        "customer_id": customer.id,
        "title": row.get("title"),
        "start_date": parse_date(row.get("start_date"), "start_date", labels["start_date"]),
        "end_date": parse_date(row.get("end_date"), "end_date", labels["end_date"]),
        "service_level_id": _service_level(session, row.get("service_level")),
        "fee": row.get("fee") or None,
        "currency": row.get("currency") or None,
        "billing_cycle": match_choice(
            row.get("billing_cycle"),
            _choices("billing_cycle"),
            "billing_cycle",
            labels["billing_cycle"],
            "yearly",
        ),
        "payment_terms": row.get("payment_terms"),
        "renewal": match_choice(
            row.get("renewal"), _choices("renewal"), "renewal", labels["renewal"], "express"
        ),
        "renewal_months": parse_whole(
            row.get("renewal_months"), "renewal_months", labels["renewal_months"]
        ),
        "notice_days": parse_whole(row.get("notice_days"), "notice_days", labels["notice_days"]),
        "confidentiality_clause": row.get("confidentiality_clause"),
        "liability_clause": row.get("liability_clause"),
        "dispute_resolution": match_choice(
            row.get("dispute_resolution"),
            _choices("dispute_resolution"),
            "dispute_resolution",
            labels["dispute_resolution"],
        ),
        "dispute_venue": row.get("dispute_venue"),
    }
    if values["fee"] is None:
        raise RowError(gettext("fee: is required"), "fee")
    contract = services.create_contract(session, **values)
    for unit in units:
        services.cover_equipment(session, contract, unit)
    return contract


KINDS: dict[str, ImportKind] = {
    "customers": ImportKind(
        "customers", _("Customers"), customer_columns, build_customer, "contracts_customer"
    ),
    "equipment": ImportKind(
        "equipment", _("Equipment"), equipment_columns, build_equipment, "contracts_equipment"
    ),
    "contracts": ImportKind(
        "contracts",
        _("Service Contracts"),
        contract_columns,
        build_contract,
        "contracts_contract",
    ),
}
