"""Customers, their contacts and their addresses (registered, billing, site, mailing): checks,
creation, default address per kind and address removal; the tax ID (USCC) check.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.company.service import uscc_check_character
from core.records import add_prepared, is_taken
from plugins.contracts.models import (
    ADDRESS_KINDS,
    COMPANY,
    CUSTOMER_KINDS,
    REGISTERED,
    SITE,
    Contact,
    Customer,
    CustomerAddress,
    Equipment,
)
from plugins.contracts.services.common import (
    checked_email,
    checked_option,
    required_text,
    strip_fields,
)
from plugins.contracts.services.errors import ContractError

_TAX_ID = re.compile(r"^[0-9A-Z][0-9A-Z./-]{4,39}$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def check_tax_id(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code / tax ID, or ``None``.

    An 18-character code of the USCC alphabet must carry the right check character
    (GB 32100-2015); other tax IDs are 5-40 capital letters, digits, ``-``, ``.``, ``/``.
    """
    if len(code) == 18 and all(c in _USCC_ALPHABET for c in code):
        expected = uscc_check_character(code[:17])
        if expected != code[17]:
            return gettext(
                "tax ID: %(value)s is not a valid unified social credit code (its check "
                "character should be %(check)s)",
                value=code,
                check=expected,
            )
        return None
    if not _TAX_ID.match(code):
        return gettext(
            "tax ID: %(value)s is not a unified social credit code or tax ID (5-40 capital "
            "letters, digits, '-', '.', '/')",
            value=code,
        )
    return None


def prepare_customer(session: Session, customer: Customer) -> Customer:
    """Check a new or edited customer (nothing is flushed).

    Name required; kind company or person; a company needs a valid tax ID (USCC), which
    must not belong to another customer (409); e-mail must look like one. ``address`` is
    the registered address: it is kept as the customer's default registered address.
    """
    _check_customer(session, customer)
    _sync_registered_address(session, customer)
    return customer


def _check_customer(session: Session, customer: Customer) -> Customer:
    required_text(customer, "name", gettext("name"))
    customer.kind = customer.kind or COMPANY
    checked_option(customer, "kind", gettext("kind"), CUSTOMER_KINDS)
    strip_fields(customer, "address", "phone")
    checked_email(customer)
    tax_id = (customer.tax_id or "").strip().upper() or None
    customer.tax_id = tax_id
    if tax_id is None:
        if customer.kind == COMPANY:
            raise ContractError(gettext("tax ID: is required for a company"), "tax_id")
        return customer
    problem = check_tax_id(tax_id)
    if problem:
        raise ContractError(problem, "tax_id")
    if is_taken(session, select(Customer.id).where(Customer.tax_id == tax_id), customer, Customer):
        raise ContractError(
            gettext("tax ID: %(value)s belongs to another customer", value=tax_id),
            "tax_id",
            409,
        )
    return customer


def _sync_registered_address(session: Session, customer: Customer) -> None:
    """``Customer.address`` mirrors the default registered address (created on first use)."""
    text_value = (customer.address or "").strip()
    if not text_value:
        return
    with session.no_autoflush:
        registered = next(
            (a for a in customer.addresses if a.kind == REGISTERED and a.is_default), None
        )
        if registered is None:
            customer.addresses.append(
                CustomerAddress(kind=REGISTERED, address=text_value, is_default=True)
            )
        elif registered.address != text_value:
            registered.address = text_value


def prepare_address(session: Session, address: CustomerAddress) -> CustomerAddress:
    """Check a customer's address and keep one default per kind.

    Customer, kind (registered, billing, site, mailing) and address required; the first
    address of a kind becomes its default and a new default replaces the old one. An address
    that units are installed at stays a site address (409). The default registered address
    is mirrored into ``Customer.address``; a site address's text into its units.
    """
    customer = address.customer or (
        session.get(Customer, address.customer_id) if address.customer_id else None
    )
    if customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    checked_option(address, "kind", gettext("kind"), ADDRESS_KINDS)
    required_text(address, "address", gettext("address"))
    strip_fields(address, "name", "postal_code")
    if address.postal_code and not re.fullmatch(r"[0-9A-Za-z -]{3,12}", address.postal_code):
        raise ContractError(
            gettext("postal code: %(value)r is not a postal code", value=address.postal_code),
            "postal_code",
        )
    with session.no_autoflush:
        units = (
            session.scalars(select(Equipment).where(Equipment.site_address_id == address.id)).all()
            if address.id is not None
            else []
        )
        if units and address.kind != SITE:
            raise ContractError(
                gettext(
                    "kind: units %(serials)s are installed at this address; it stays a site "
                    "address",
                    serials=", ".join(u.serial_number for u in units),
                ),
                "kind",
                409,
            )
        same_kind = [
            a
            for a in session.scalars(
                select(CustomerAddress).where(
                    CustomerAddress.customer_id == customer.id,
                    CustomerAddress.kind == address.kind,
                )
            )
            if a is not address
        ]
    if not any(a.is_default for a in same_kind):
        address.is_default = True
    address.is_default = bool(address.is_default)
    if address.is_default:
        others = [a for a in same_kind if a.is_default]
        if others:
            # Clear the old default first: the database allows one default per kind.
            address.is_default = False
            for other in others:
                other.is_default = False
            session.flush()
            address.is_default = True
    if address.kind == REGISTERED and address.is_default:
        customer.address = address.address
    for unit in units:
        unit.site_address = address.address
    return address


def create_address(session: Session, **values: Any) -> CustomerAddress:
    """Add an address to a customer (see :func:`prepare_address`); returns it flushed."""
    return add_prepared(session, CustomerAddress(**values), prepare_address, no_autoflush=True)


def check_address_removal(session: Session, address: CustomerAddress) -> None:
    """Refuse (409) to remove an address units are installed at; a removed default hands
    the default to the oldest other address of its kind."""
    serials = session.scalars(
        select(Equipment.serial_number).where(Equipment.site_address_id == address.id)
    ).all()
    if serials:
        raise ContractError(
            gettext(
                "address: units %(serials)s are installed at this address",
                serials=", ".join(serials),
            ),
            "address",
            409,
        )
    if address.is_default:
        successor = session.scalar(
            select(CustomerAddress)
            .where(
                CustomerAddress.customer_id == address.customer_id,
                CustomerAddress.kind == address.kind,
                CustomerAddress.id != address.id,
            )
            .order_by(CustomerAddress.id)
            .limit(1)
        )
        address.is_default = False
        session.flush()
        if successor is not None:
            successor.is_default = True
        if address.kind == REGISTERED:
            customer = session.get(Customer, address.customer_id)
            customer.address = successor.address if successor is not None else ""


def remove_address(session: Session, address: CustomerAddress) -> None:
    """Delete an address (see :func:`check_address_removal`)."""
    check_address_removal(session, address)
    session.delete(address)
    session.flush()


def default_address(session: Session, customer_id: int, kind: str) -> CustomerAddress | None:
    """The customer's default address of ``kind``, or ``None``."""
    return session.scalar(
        select(CustomerAddress).where(
            CustomerAddress.customer_id == customer_id,
            CustomerAddress.kind == kind,
            CustomerAddress.is_default.is_(True),
        )
    )


def create_customer(session: Session, **values: Any) -> Customer:
    """Create a customer (see :func:`prepare_customer`); returns it flushed.

    ``name`` is required. ``kind`` is ``"company"`` (the default: then ``tax_id``, a valid
    unified social credit code, is required and unique) or ``"person"``. ``address``,
    ``phone`` and ``email`` are optional; the address becomes the default registered one.
    """
    return add_prepared(session, Customer(**values), prepare_customer)


def get_customer(session: Session, customer_id: int) -> Customer:
    """A customer by id; :class:`ContractError` 404 naming ``customer`` when there is none."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ContractError(
            gettext("customer: %(id)s does not exist", id=customer_id), "customer", 404
        )
    return customer


def find_customers(session: Session, text: str, limit: int = 20) -> list[Customer]:
    """Customers whose tax ID is ``text`` or whose name contains it (any case), by name.

    For pickers and lookups; at most ``limit``; empty for blank ``text``.
    """
    text = (text or "").strip()
    if not text:
        return []
    query = (
        select(Customer)
        .where(or_(Customer.tax_id == text.upper(), Customer.name.icontains(text, autoescape=True)))
        .order_by(Customer.name, Customer.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def prepare_contact(session: Session, contact: Contact) -> Contact:
    """Check a contact: customer and name required, e-mail well formed."""
    if contact.customer_id is None and contact.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    required_text(contact, "name", gettext("name"))
    strip_fields(contact, "phone", "wechat_id")
    checked_email(contact)
    return contact


def create_contact(session: Session, **values: Any) -> Contact:
    """Create a contact of a customer; returns it flushed."""
    return add_prepared(session, Contact(**values), prepare_contact)
