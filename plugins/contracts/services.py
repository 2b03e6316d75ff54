"""Rules of contracts: parties, equipment, contracts' lifecycle and the coverage engine.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Refusals raise :class:`ContractError`, whose message names the field and the
rule, and whose ``status`` is the HTTP status an API answers (422 invalid, 409 conflict).
Other plugins may call everything here.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from core.company.service import company_currency, company_zone, uscc_check_character
from core.events import publish
from core.money import MoneyError, check_currency, parse_amount
from core.sequences.service import define_sequence, next_number
from core.timeutil import utcnow
from plugins.contracts import events
from plugins.contracts.models import (
    ACTIVE,
    ADDRESS_KINDS,
    AMENDMENT_APPLIED,
    AMENDMENT_CONFIRMED,
    AMENDMENT_DRAFT,
    AMENDMENT_WITHDRAWN,
    AUTO_RENEWAL,
    BILLING_CYCLES,
    CALENDAR_CODES,
    COMPANY,
    CONTRACT_STATES,
    COVER_ALL,
    COVER_AMOUNT,
    COVER_COUNT,
    COVER_LIST,
    COVERAGES,
    COVERING,
    CUSTOMER_KINDS,
    DISPUTE_KINDS,
    DRAFT,
    ENTITLEMENT_KINDS,
    EQUIPMENT_STATUSES,
    EXPIRED,
    EXPIRING,
    IN_FORCE,
    PARTS,
    PRIORITIES,
    REGISTERED,
    RENEWAL_KINDS,
    RENEWED,
    SERVICE_MODES,
    SITE,
    TERMINATED,
    UNDER_REVIEW,
    Contact,
    Contract,
    ContractAmendment,
    ContractEquipment,
    ContractExpiryNotice,
    ContractRange,
    ContractVersion,
    Customer,
    CustomerAddress,
    Entitlement,
    EntitlementPart,
    EntitlementUsage,
    Equipment,
    Product,
    ServiceLevel,
    ServiceLevelTarget,
)

SEQUENCE = "contracts.contract"  # prefix CT: CT-2026-00001
EDITABLE_STATES = (DRAFT, UNDER_REVIEW)
# The fields a user sets on a contract (screen form and API), editable in EDITABLE_STATES.
CONTRACT_FIELDS = [
    "customer",
    "title",
    "manager",
    "start_date",
    "end_date",
    "service_level",
    "fee",
    "currency",
    "billing_cycle",
    "payment_terms",
    "renewal",
    "renewal_months",
    "notice_days",
    "confidentiality_clause",
    "liability_clause",
    "dispute_resolution",
    "dispute_venue",
]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAX_ID = re.compile(r"^[0-9A-Z][0-9A-Z./-]{4,39}$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_MAX_DISCOUNT = Decimal("100")


class ContractError(ValueError):
    """A record that breaks a rule; ``field`` names the offending field.

    ``status`` is the HTTP status an API answers with (422 invalid, 409 conflict, 404).
    """

    def __init__(self, message: str, field: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def company_today() -> datetime.date:
    """Today's date in the company's time zone (Admin > Company)."""
    return utcnow().astimezone(company_zone()).date()


def ensure_sequence(session: Session) -> None:
    """Define the contract number sequence (prefix CT: CT-2026-00001) unless it exists."""
    define_sequence(session, SEQUENCE, "CT", 5, True, name="Service contracts")


# --- small checks ----------------------------------------------------------------------------


def _required(obj: Any, attr: str, label: str) -> str:
    value = (getattr(obj, attr) or "").strip()
    if not value:
        raise ContractError(gettext("%(field)s: is required", field=label), attr)
    setattr(obj, attr, value)
    return value


def _choice(obj: Any, attr: str, label: str, choices: tuple[str, ...]) -> str:
    value = getattr(obj, attr)
    if value not in choices:
        raise ContractError(
            gettext(
                "%(field)s: %(value)r is not one of %(choices)s",
                field=label,
                value=value,
                choices=", ".join(choices),
            ),
            attr,
        )
    return value


def _email(obj: Any, attr: str = "email") -> None:
    value = (getattr(obj, attr) or "").strip()
    setattr(obj, attr, value)
    if value and not _EMAIL.match(value):
        raise ContractError(
            gettext("e-mail: %(value)r is not an e-mail address", value=value), attr
        )


def _strip(obj: Any, *attrs: str) -> None:
    for attr in attrs:
        setattr(obj, attr, (getattr(obj, attr) or "").strip())


def _taken(session: Session, query: Any, obj: Any, model: type) -> bool:
    if obj.id is not None:
        query = query.where(model.id != obj.id)
    with session.no_autoflush:
        return session.scalar(query.limit(1)) is not None


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


# --- parties and equipment -------------------------------------------------------------------


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
    _required(customer, "name", gettext("name"))
    customer.kind = customer.kind or COMPANY
    _choice(customer, "kind", gettext("kind"), CUSTOMER_KINDS)
    _strip(customer, "address", "phone")
    _email(customer)
    tax_id = (customer.tax_id or "").strip().upper() or None
    customer.tax_id = tax_id
    if tax_id is None:
        if customer.kind == COMPANY:
            raise ContractError(gettext("tax ID: is required for a company"), "tax_id")
        return customer
    problem = check_tax_id(tax_id)
    if problem:
        raise ContractError(problem, "tax_id")
    if _taken(session, select(Customer.id).where(Customer.tax_id == tax_id), customer, Customer):
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
    _choice(address, "kind", gettext("kind"), ADDRESS_KINDS)
    _required(address, "address", gettext("address"))
    _strip(address, "name", "postal_code")
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
    address = CustomerAddress(**values)
    with session.no_autoflush:
        prepare_address(session, address)
    session.add(address)
    session.flush()
    return address


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
    """Create a customer (see :func:`prepare_customer`); returns it flushed."""
    customer = Customer(**values)
    prepare_customer(session, customer)
    session.add(customer)
    session.flush()
    return customer


def prepare_contact(session: Session, contact: Contact) -> Contact:
    """Check a contact: customer and name required, e-mail well formed."""
    if contact.customer_id is None and contact.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    _required(contact, "name", gettext("name"))
    _strip(contact, "phone", "wechat_id")
    _email(contact)
    return contact


def create_contact(session: Session, **values: Any) -> Contact:
    """Create a contact of a customer; returns it flushed."""
    contact = Contact(**values)
    prepare_contact(session, contact)
    session.add(contact)
    session.flush()
    return contact


def prepare_product(session: Session, product: Product) -> Product:
    """Check a product: type, model and manufacturer required; model unique per maker."""
    _required(product, "product_type", gettext("type"))
    _required(product, "model", gettext("model"))
    _required(product, "manufacturer", gettext("manufacturer"))
    _strip(product, "specification")
    query = select(Product.id).where(
        Product.manufacturer == product.manufacturer, Product.model == product.model
    )
    if _taken(session, query, product, Product):
        raise ContractError(
            gettext(
                "model: %(maker)s %(model)s already exists",
                maker=product.manufacturer,
                model=product.model,
            ),
            "model",
            409,
        )
    return product


def create_product(session: Session, **values: Any) -> Product:
    """Create a product; returns it flushed."""
    product = Product(**values)
    prepare_product(session, product)
    session.add(product)
    session.flush()
    return product


def prepare_equipment(session: Session, equipment: Equipment) -> Equipment:
    """Check a unit: product, customer and serial number required; the serial number is
    unique per product (409); warranty end not before installation; status known."""
    product_id = equipment.product_id or (equipment.product.id if equipment.product else None)
    if product_id is None:
        raise ContractError(gettext("product: is required"), "product")
    if equipment.customer_id is None and equipment.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    _required(equipment, "serial_number", gettext("serial number"))
    _strip(equipment, "site_address")
    _place_equipment(session, equipment)
    equipment.status = equipment.status or "in_service"
    _choice(equipment, "status", gettext("status"), EQUIPMENT_STATUSES)
    if (
        equipment.installed_on
        and equipment.warranty_end
        and equipment.warranty_end < equipment.installed_on
    ):
        raise ContractError(
            gettext("warranty end: must not be before the installation date"), "warranty_end"
        )
    query = select(Equipment.id).where(
        Equipment.product_id == product_id, Equipment.serial_number == equipment.serial_number
    )
    if _taken(session, query, equipment, Equipment):
        raise ContractError(
            gettext(
                "serial number: %(serial)s is already registered for this product",
                serial=equipment.serial_number,
            ),
            "serial_number",
            409,
        )
    return equipment


def _place_equipment(session: Session, equipment: Equipment) -> None:
    """A unit's site address is one of its customer's site addresses: the one chosen, the
    one whose text was given, or else the customer's default site address. A text matching
    none of them is kept as typed (older records, imports)."""
    customer_id = equipment.customer_id or equipment.customer.id
    with session.no_autoflush:
        site = equipment.site or (
            session.get(CustomerAddress, equipment.site_address_id)
            if equipment.site_address_id
            else None
        )
        if site is not None:
            if site.kind != SITE or site.customer_id != customer_id:
                raise ContractError(
                    gettext(
                        "site address: %(address)s is not a site address of the unit's customer",
                        address=site.address,
                    ),
                    "site",
                )
        elif equipment.site_address:
            site = session.scalar(
                select(CustomerAddress)
                .where(
                    CustomerAddress.customer_id == customer_id,
                    CustomerAddress.kind == SITE,
                    CustomerAddress.address == equipment.site_address,
                )
                .limit(1)
            )
        elif customer_id is not None:
            site = default_address(session, customer_id, SITE)
    if site is not None:
        equipment.site = site
        equipment.site_address = site.address


def create_equipment(session: Session, **values: Any) -> Equipment:
    """Register a unit; returns it flushed."""
    equipment = Equipment(**values)
    prepare_equipment(session, equipment)
    session.add(equipment)
    session.flush()
    return equipment


# --- service levels --------------------------------------------------------------------------


def prepare_service_level(session: Session, level: ServiceLevel) -> ServiceLevel:
    """Check service-level terms: unique name, a known calendar, a known service mode."""
    _required(level, "name", gettext("name"))
    level.calendar_code = (level.calendar_code or "").strip()
    if level.calendar_code not in CALENDAR_CODES:
        from core.calendar.service import UnknownCalendarError, get_calendar

        try:
            with session.no_autoflush:
                get_calendar(session, level.calendar_code)
        except UnknownCalendarError:
            raise ContractError(
                gettext(
                    "service hours: %(code)r is not a business calendar (5x8, 7x24 or one "
                    "defined under Admin > Calendars)",
                    code=level.calendar_code,
                ),
                "calendar_code",
            ) from None
    level.service_mode = level.service_mode or "on_site"
    _choice(level, "service_mode", gettext("service mode"), SERVICE_MODES)
    query = select(ServiceLevel.id).where(ServiceLevel.name == level.name)
    if _taken(session, query, level, ServiceLevel):
        raise ContractError(
            gettext("name: service-level terms %(name)s already exist", name=level.name),
            "name",
            409,
        )
    return level


def calendar_choices(session: Session) -> list[tuple[str, str]]:
    """The business calendars service hours may run on, as ``(code, label)``: the standard
    5x8 and 7x24 first (created on first use), then every other calendar of core's
    Admin > Calendars by name."""
    from core.calendar.models import BusinessCalendar

    rows = {
        name: description
        for name, description in session.execute(
            select(BusinessCalendar.name, BusinessCalendar.description)
        )
    }
    standard = {
        "5x8": gettext("Monday to Friday, 09:00-12:00 and 13:00-18:00, public holidays off"),
        "7x24": gettext("Every day, around the clock"),
    }
    choices = [(code, f"{code} — {standard[code]}") for code in CALENDAR_CODES]
    for name in sorted(set(rows) - set(CALENDAR_CODES)):
        choices.append((name, f"{name} — {rows[name]}" if rows[name] else name))
    return choices


def prepare_target(session: Session, target: ServiceLevelTarget) -> ServiceLevelTarget:
    """Check one priority's times: P1..P4, response > 0, resolution >= response."""
    _choice(target, "priority", gettext("priority"), PRIORITIES)
    if target.response_hours is None or target.response_hours <= 0:
        raise ContractError(gettext("response hours: must be more than 0"), "response_hours")
    if target.resolution_hours is None or target.resolution_hours < target.response_hours:
        raise ContractError(
            gettext("resolution hours: must not be less than the response hours"),
            "resolution_hours",
        )
    return target


def create_service_level(
    session: Session,
    name: str,
    calendar_code: str = "5x8",
    service_mode: str = "on_site",
    targets: dict[str, tuple[int, int]] | None = None,
) -> ServiceLevel:
    """Create service-level terms with ``targets`` ``{"P1": (response_h, resolution_h)}``."""
    level = ServiceLevel(name=name, calendar_code=calendar_code, service_mode=service_mode)
    prepare_service_level(session, level)
    for priority, (response, resolution) in (targets or {}).items():
        target = ServiceLevelTarget(
            priority=priority, response_hours=response, resolution_hours=resolution
        )
        prepare_target(session, target)
        level.targets.append(target)
    session.add(level)
    session.flush()
    return level


# --- contracts: terms ------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def cancel_by_date(end_date: datetime.date, notice_days: int) -> datetime.date:
    """The last day on which notice may be given: ``notice_days`` before the end date."""
    return end_date - datetime.timedelta(days=notice_days)


def prepare_contract(session: Session, contract: Contract) -> Contract:
    """Check a new or edited contract's terms and compute its cancel-by date.

    Refuses edits once the contract left review (409 on ``state``). A new contract gets
    state draft; its number is assigned by :func:`create_contract` (or here when missing).
    """
    if contract.id is not None:
        with session.no_autoflush:
            stored = session.scalar(select(Contract.state).where(Contract.id == contract.id))
        if stored in IN_FORCE:
            raise ContractError(
                gettext(
                    "state: contract %(number)s is %(state)s; its terms change only through an "
                    "amendment (New amendment on the contract page, or POST "
                    "/api/v1/contract_amendment/)",
                    number=contract.number,
                    state=stored,
                ),
                "state",
                409,
            )
        if stored not in EDITABLE_STATES:
            raise ContractError(
                gettext(
                    "state: a contract in state %(state)s can no longer be edited",
                    state=stored,
                ),
                "state",
                409,
            )
    check_terms(session, contract)
    _check_manager(session, contract)
    if contract.id is None:
        contract.state = DRAFT
        if not contract.number:
            ensure_sequence(session)
            contract.number = next_number(session, SEQUENCE, on=contract.start_date)
    return contract


def _check_manager(session: Session, contract: Contract) -> None:
    """The contract manager, when named, must be an active user."""
    manager_id = contract.manager_id or (contract.manager.id if contract.manager else None)
    if manager_id is None:
        return
    with session.no_autoflush:
        user = session.get(User, manager_id)
    if user is None or not user.active:
        raise ContractError(
            gettext("contract manager: user %(id)s is not an active user", id=manager_id),
            "manager",
        )


def assign_manager(session: Session, contract: Contract, user_id: int | None) -> Contract:
    """Name (or clear, with ``None``) the contract manager, in any state but the ended ones:
    the manager is told when the contract is expiring."""
    if contract.state in (EXPIRED, RENEWED, TERMINATED):
        raise ContractError(
            gettext(
                "state: contract %(number)s is %(state)s; it needs no manager any more",
                number=contract.number,
                state=contract.state,
            ),
            "state",
            409,
        )
    if user_id is not None:
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise ContractError(gettext("contract manager: give a user id"), "manager")
        _check_manager(session, Contract(manager_id=user_id))
    contract.manager = session.get(User, user_id) if user_id is not None else None
    session.flush()
    return contract


def check_terms(session: Session, contract: Contract) -> Contract:
    """Check a contract's terms whatever its state and compute its cancel-by date: customer,
    title, dates, currency and fee, billing cycle, renewal terms, notice period, dispute
    resolution (shared by new contracts, edits of drafts and amendments)."""
    if contract.customer_id is None and contract.customer is None:
        raise ContractError(gettext("customer: is required"), "customer")
    _required(contract, "title", gettext("title"))
    if contract.start_date is None:
        raise ContractError(gettext("start date: is required"), "start_date")
    if contract.end_date is None:
        raise ContractError(gettext("end date: is required"), "end_date")
    if contract.end_date <= contract.start_date:
        raise ContractError(
            gettext(
                "end date: %(end)s must be after the start date %(start)s",
                end=contract.end_date,
                start=contract.start_date,
            ),
            "end_date",
        )
    try:
        contract.currency = check_currency(
            (contract.currency or company_currency()).upper(), "currency"
        )
        fee = parse_amount(
            contract.fee if contract.fee is not None else "0", "fee", currency=contract.currency
        )
    except MoneyError as exc:
        raise ContractError(str(exc), exc.field or "fee") from exc
    fee_amount = fee.amount if hasattr(fee, "amount") else Decimal(fee)
    if fee_amount < 0:
        raise ContractError(gettext("fee: must not be negative"), "fee")
    contract.fee = fee_amount
    contract.billing_cycle = contract.billing_cycle or "yearly"
    _choice(contract, "billing_cycle", gettext("billing cycle"), BILLING_CYCLES)
    contract.renewal = contract.renewal or "express"
    if contract.renewal_months is None:
        contract.renewal_months = 12
    if contract.notice_days is None:
        contract.notice_days = 30
    _choice(contract, "renewal", gettext("renewal"), RENEWAL_KINDS)
    if contract.renewal_months is None or not 1 <= contract.renewal_months <= 120:
        raise ContractError(
            gettext("renewal length: must be between 1 and 120 months"), "renewal_months"
        )
    span = (contract.end_date - contract.start_date).days
    if contract.notice_days is None or not 0 <= contract.notice_days <= span:
        raise ContractError(
            gettext(
                "notice period: must be between 0 and %(days)d days (the contract's length)",
                days=span,
            ),
            "notice_days",
        )
    if contract.dispute_resolution in ("", None):
        contract.dispute_resolution = None
    else:
        _choice(contract, "dispute_resolution", gettext("dispute resolution"), DISPUTE_KINDS)
    _strip(
        contract,
        "payment_terms",
        "confidentiality_clause",
        "liability_clause",
        "dispute_venue",
    )
    contract.cancel_by = cancel_by_date(contract.end_date, contract.notice_days)
    return contract


def create_contract(session: Session, **values: Any) -> Contract:
    """Create a draft contract numbered from sequence ``CT``; returns it flushed."""
    values.pop("state", None)
    values.pop("number", None)
    contract = Contract(**values)
    prepare_contract(session, contract)
    session.add(contract)
    session.flush()
    return contract


def get_contract(session: Session, contract_id: int) -> Contract:
    """A contract by id; :class:`ContractError` 404 when there is none."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise ContractError(
            gettext("contract: %(id)s does not exist", id=contract_id), "contract", 404
        )
    return contract


def _require_editable(contract: Contract) -> None:
    if contract.state not in EDITABLE_STATES:
        raise ContractError(
            gettext(
                "state: contract %(number)s is %(state)s; only a draft or a contract under "
                "review can change",
                number=contract.number,
                state=contract.state,
            ),
            "state",
            409,
        )


def prepare_contract_equipment(session: Session, link: ContractEquipment) -> ContractEquipment:
    """Check a covered unit: editable contract, unit of the contract's customer, not twice."""
    contract = link.contract or (
        session.get(Contract, link.contract_id) if link.contract_id else None
    )
    equipment = link.equipment or (
        session.get(Equipment, link.equipment_id) if link.equipment_id else None
    )
    if contract is None:
        raise ContractError(gettext("contract: is required"), "contract")
    if equipment is None:
        raise ContractError(gettext("equipment: is required"), "equipment")
    _require_editable(contract)
    if equipment.customer_id != contract.customer_id:
        raise ContractError(
            gettext(
                "equipment: %(serial)s belongs to another customer than contract %(number)s",
                serial=equipment.serial_number,
                number=contract.number,
            ),
            "equipment",
        )
    query = select(ContractEquipment.id).where(
        ContractEquipment.contract_id == contract.id,
        ContractEquipment.equipment_id == equipment.id,
    )
    if contract.id is not None and _taken(session, query, link, ContractEquipment):
        raise ContractError(
            gettext(
                "equipment: %(serial)s is already covered by this contract",
                serial=equipment.serial_number,
            ),
            "equipment",
            409,
        )
    return link


def cover_equipment(
    session: Session, contract: Contract, equipment: Equipment
) -> ContractEquipment:
    """Add ``equipment`` to the units ``contract`` covers (draft or under review only)."""
    link = ContractEquipment(contract_id=contract.id, equipment_id=equipment.id)
    with session.no_autoflush:
        prepare_contract_equipment(session, link)
    session.add(link)
    session.flush()
    return link


def prepare_entitlement(session: Session, entitlement: Entitlement) -> Entitlement:
    """Check an entitlement line: kind, coverage and its quota, a discount of 0-100 %."""
    contract = entitlement.contract or (
        session.get(Contract, entitlement.contract_id) if entitlement.contract_id else None
    )
    if contract is None:
        raise ContractError(gettext("contract: is required"), "contract")
    _require_editable(contract)
    _choice(entitlement, "kind", gettext("kind"), ENTITLEMENT_KINDS)
    entitlement.coverage = entitlement.coverage or COVER_ALL
    _choice(entitlement, "coverage", gettext("coverage"), COVERAGES)
    if entitlement.coverage == COVER_AMOUNT:
        if entitlement.annual_amount is None or Decimal(entitlement.annual_amount) <= 0:
            raise ContractError(
                gettext(
                    "annual amount: is required and must be more than 0 when covered "
                    "up to an amount"
                ),
                "annual_amount",
            )
        entitlement.annual_count = None
    elif entitlement.coverage == COVER_COUNT:
        if entitlement.annual_count is None or entitlement.annual_count <= 0:
            raise ContractError(
                gettext(
                    "annual count: is required and must be more than 0 when covered "
                    "a number of times"
                ),
                "annual_count",
            )
        entitlement.annual_amount = None
    else:
        if entitlement.coverage == COVER_LIST and entitlement.kind != PARTS:
            raise ContractError(
                gettext(
                    "coverage: only a parts entitlement covers a list (of part numbers), "
                    "not %(kind)s",
                    kind=entitlement.kind,
                ),
                "coverage",
            )
        entitlement.annual_amount = None
        entitlement.annual_count = None
    discount = Decimal(entitlement.discount_percent or 0)
    if not 0 <= discount <= _MAX_DISCOUNT:
        raise ContractError(
            gettext("discount rate: must be between 0 and 100 percent"), "discount_percent"
        )
    entitlement.discount_percent = discount
    if contract.id is not None:
        query = select(Entitlement.id).where(
            Entitlement.contract_id == contract.id, Entitlement.kind == entitlement.kind
        )
        if _taken(session, query, entitlement, Entitlement):
            raise ContractError(
                gettext(
                    "kind: contract %(number)s already has a %(kind)s entitlement",
                    number=contract.number,
                    kind=entitlement.kind,
                ),
                "kind",
                409,
            )
    return entitlement


def add_entitlement(
    session: Session,
    contract: Contract,
    kind: str,
    coverage: str = COVER_ALL,
    *,
    annual_amount: Decimal | str | None = None,
    annual_count: int | None = None,
    discount_percent: Decimal | str = "0",
    parts: list[str] | None = None,
) -> Entitlement:
    """Add an entitlement line to a draft contract (``parts``: the part numbers a ``list``
    parts entitlement makes free); returns it flushed."""
    entitlement = Entitlement(
        kind=kind,
        coverage=coverage,
        annual_amount=Decimal(annual_amount) if annual_amount is not None else None,
        annual_count=annual_count,
        discount_percent=Decimal(discount_percent),
    )
    entitlement.contract_id = contract.id
    with session.no_autoflush:
        prepare_entitlement(session, entitlement)
    contract.entitlements.append(entitlement)
    session.flush()
    for part_number in parts or []:
        add_entitlement_part(session, entitlement, part_number)
    return entitlement


_PART_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/#+-]{0,79}$")


def prepare_entitlement_part(session: Session, row: EntitlementPart) -> EntitlementPart:
    """Check a listed part number: a ``list`` parts entitlement of a contract that may
    still change, a part number (letters, digits, ``.-_/#+``), not listed twice (whatever
    the case)."""
    with session.no_autoflush:
        return _check_entitlement_part(session, row)


def _check_entitlement_part(session: Session, row: EntitlementPart) -> EntitlementPart:
    entitlement = row.entitlement or (
        session.get(Entitlement, row.entitlement_id) if row.entitlement_id else None
    )
    if entitlement is None:
        raise ContractError(gettext("entitlement: is required"), "entitlement")
    if entitlement.coverage != COVER_LIST:
        raise ContractError(
            gettext(
                "entitlement: the %(kind)s entitlement covers %(coverage)s, not a list of parts",
                kind=entitlement.kind,
                coverage=entitlement.coverage,
            ),
            "entitlement",
        )
    _require_editable(entitlement.contract)
    _required(row, "part_number", gettext("part number"))
    _strip(row, "description")
    if not _PART_NUMBER.match(row.part_number):
        raise ContractError(
            gettext(
                "part number: %(value)r is not a part number (letters, digits and .-_/#+)",
                value=row.part_number,
            ),
            "part_number",
        )
    query = select(EntitlementPart.id).where(
        EntitlementPart.entitlement_id == entitlement.id,
        func.upper(EntitlementPart.part_number) == row.part_number.upper(),
    )
    if _taken(session, query, row, EntitlementPart):
        raise ContractError(
            gettext("part number: %(value)s is already listed", value=row.part_number),
            "part_number",
            409,
        )
    return row


def check_entitlement_part_removal(session: Session, row: EntitlementPart) -> None:
    """A listed part is removed only while the contract may change (409 otherwise)."""
    entitlement = row.entitlement or session.get(Entitlement, row.entitlement_id)
    _require_editable(entitlement.contract)


def add_entitlement_part(
    session: Session, entitlement: Entitlement, part_number: str, description: str = ""
) -> EntitlementPart:
    """List ``part_number`` as free under a ``list`` parts entitlement; returns it flushed."""
    row = EntitlementPart(
        entitlement_id=entitlement.id, part_number=part_number, description=description
    )
    with session.no_autoflush:
        prepare_entitlement_part(session, row)
    entitlement.parts.append(row)
    session.flush()
    return row


def prepare_contract_range(session: Session, row: ContractRange) -> ContractRange:
    """Check a product range: a contract that may still change, a product type, a model
    only with its manufacturer, not twice on one contract (409)."""
    with session.no_autoflush:
        contract = row.contract or (
            session.get(Contract, row.contract_id) if row.contract_id else None
        )
        if contract is None:
            raise ContractError(gettext("contract: is required"), "contract")
        _require_editable(contract)
        _required(row, "product_type", gettext("type"))
        _strip(row, "manufacturer", "model")
        if row.model and not row.manufacturer:
            raise ContractError(
                gettext("manufacturer: is required to narrow a range to a model"), "manufacturer"
            )
        query = select(ContractRange.id).where(
            ContractRange.contract_id == contract.id,
            func.lower(ContractRange.product_type) == row.product_type.lower(),
            func.lower(ContractRange.manufacturer) == row.manufacturer.lower(),
            func.lower(ContractRange.model) == row.model.lower(),
        )
        if contract.id is not None and _taken(session, query, row, ContractRange):
            raise ContractError(
                gettext(
                    "product type: contract %(number)s already covers this range",
                    number=contract.number,
                ),
                "product_type",
                409,
            )
    return row


def cover_range(
    session: Session,
    contract: Contract,
    product_type: str,
    manufacturer: str = "",
    model: str = "",
) -> ContractRange:
    """Cover the customer's units of a product range (draft or under review only)."""
    row = ContractRange(
        contract_id=contract.id,
        product_type=product_type,
        manufacturer=manufacturer,
        model=model,
    )
    prepare_contract_range(session, row)
    contract.ranges.append(row)
    session.flush()
    return row


def check_range_removal(session: Session, row: ContractRange) -> None:
    """A range is removed only while the contract may change (409 otherwise)."""
    _require_editable(row.contract or session.get(Contract, row.contract_id))


# --- contracts: lifecycle --------------------------------------------------------------------


# The states each lifecycle action may start from: one table for the rules and the screens.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "submit": (DRAFT,),
    "return_to_draft": (UNDER_REVIEW,),
    "activate": (UNDER_REVIEW,),
    "mark_expiring": (ACTIVE,),
    "expire": IN_FORCE,
    "renew": IN_FORCE,
    "terminate": IN_FORCE,
}


def available_actions(state: str) -> set[str]:
    """The lifecycle actions a contract in ``state`` allows (the screen shows only these)."""
    return {action for action, allowed in ALLOWED_FROM.items() if state in allowed}


def _require_state(contract: Contract, allowed_from: tuple[str, ...], action: str) -> None:
    """Refuse (409, naming the current state) unless ``contract`` is in ``allowed_from``."""
    if contract.state not in allowed_from:
        raise ContractError(
            gettext(
                "state: cannot %(action)s contract %(number)s, it is %(state)s (allowed "
                "from: %(allowed)s)",
                action=action,
                number=contract.number,
                state=contract.state,
                allowed=", ".join(allowed_from),
            ),
            "state",
            409,
        )


def _move(contract: Contract, allowed_from: tuple[str, ...], to_state: str, action: str) -> str:
    """Check the transition and set the new state; returns the previous one."""
    _require_state(contract, allowed_from, action)
    previous = contract.state
    contract.state = to_state
    return previous


def range_covers(
    contract_id: Any,
    contract_customer_id: Any,
    unit_customer_id: Any,
    product_type: Any,
    manufacturer: Any,
    model: Any,
) -> Any:
    """SQL condition: a product range of contract ``contract_id`` (of customer
    ``contract_customer_id``) covers a unit of ``unit_customer_id`` with this product (column
    expressions or plain values; names compared without case)."""
    return and_(
        contract_customer_id == unit_customer_id,
        exists(
            select(ContractRange.id).where(
                ContractRange.contract_id == contract_id,
                func.lower(ContractRange.product_type) == func.lower(product_type),
                or_(
                    ContractRange.manufacturer == "",
                    func.lower(ContractRange.manufacturer) == func.lower(manufacturer),
                ),
                or_(
                    ContractRange.model == "", func.lower(ContractRange.model) == func.lower(model)
                ),
            )
        ),
    )


def _covers_unit() -> Any:
    """SQL condition: ``Contract`` covers ``Equipment`` (of ``Product``), listed or by range."""
    return or_(
        exists(
            select(ContractEquipment.id).where(
                ContractEquipment.contract_id == Contract.id,
                ContractEquipment.equipment_id == Equipment.id,
            )
        ),
        range_covers(
            Contract.id,
            Contract.customer_id,
            Equipment.customer_id,
            Product.product_type,
            Product.manufacturer,
            Product.model,
        ),
    )


def range_units(session: Session, contract_id: int | None, customer_id: int) -> list[int]:
    """Ids of the customer's units that the product ranges of ``contract_id`` cover."""
    if contract_id is None:
        return []
    return list(
        session.scalars(
            select(Equipment.id)
            .join(Product, Product.id == Equipment.product_id)
            .where(
                range_covers(
                    contract_id,
                    customer_id,
                    Equipment.customer_id,
                    Product.product_type,
                    Product.manufacturer,
                    Product.model,
                )
            )
            .order_by(Equipment.id)
        )
    )


def _overlapping_coverage(
    session: Session,
    contract_id: int | None,
    equipment_ids: Any,
    start: datetime.date,
    end: datetime.date,
) -> tuple[Equipment, Contract] | None:
    """The first of ``equipment_ids`` already covered (listed or by a product range) by
    another contract than ``contract_id`` in force between ``start`` and ``end``, with that
    contract (one query)."""
    row = session.execute(
        select(Contract, Equipment)
        .select_from(Equipment)
        .join(Product, Product.id == Equipment.product_id)
        .join(Contract, _covers_unit())
        .where(
            Contract.id != (contract_id or 0),
            Contract.state.in_(COVERING),
            Contract.start_date <= end,
            Contract.end_date >= start,
            Equipment.id.in_(equipment_ids),
        )
        .order_by(Equipment.serial_number, Contract.id)
        .limit(1)
    ).first()
    return (row[1], row[0]) if row else None


def check_activation(session: Session, contract: Contract) -> None:
    """Raise unless ``contract`` may come into force: service-level terms, at least one
    covered unit, the three clauses, end after start, and no unit already covered by
    another contract in force over the same dates (409 naming it and its end date)."""
    units = list(
        session.scalars(
            select(ContractEquipment.equipment_id).where(
                ContractEquipment.contract_id == contract.id
            )
        )
    )
    check_in_force_terms(session, contract, units)
    empty_list = session.scalar(
        select(Entitlement.id)
        .where(
            Entitlement.contract_id == contract.id,
            Entitlement.coverage == COVER_LIST,
            ~Entitlement.parts.any(),
        )
        .limit(1)
    )
    if empty_list is not None:
        raise ContractError(
            gettext("parts: a parts entitlement covering a list needs at least one part number"),
            "parts",
        )


def check_in_force_terms(session: Session, contract: Contract, equipment_ids: list[int]) -> None:
    """The activation rules, for ``contract``'s terms covering ``equipment_ids`` (which
    may differ from its stored units: an amendment is checked before it changes anything)."""
    if contract.service_level_id is None:
        raise ContractError(
            gettext("service level: a contract needs service-level terms to be activated"),
            "service_level",
        )
    ranges = (
        list(session.scalars(select(ContractRange).where(ContractRange.contract_id == contract.id)))
        if contract.id is not None
        else []
    )
    if not equipment_ids and not ranges:
        raise ContractError(
            gettext(
                "equipment: a contract needs at least one covered unit or product range to be "
                "activated"
            ),
            "equipment",
        )
    if not (contract.confidentiality_clause or "").strip():
        raise ContractError(
            gettext("confidentiality clause: is required to activate a contract"),
            "confidentiality_clause",
        )
    if not (contract.liability_clause or "").strip():
        raise ContractError(
            gettext("liability clause: is required to activate a contract"),
            "liability_clause",
        )
    if not contract.dispute_resolution or not (contract.dispute_venue or "").strip():
        raise ContractError(
            gettext(
                "dispute resolution: arbitration or litigation and a venue are required to "
                "activate a contract"
            ),
            "dispute_resolution",
        )
    if contract.end_date <= contract.start_date:
        raise ContractError(gettext("end date: must be after the start date"), "end_date")
    by_range = set(range_units(session, contract.id, contract.customer_id)) - set(equipment_ids)
    units = sorted(set(equipment_ids) | by_range)
    # Lock the units (PostgreSQL: FOR UPDATE) so that two contracts activated at once for one
    # unit are checked one after the other; the second then sees the first.
    session.execute(
        select(Equipment.id).where(Equipment.id.in_(units)).order_by(Equipment.id).with_for_update()
    ).all()
    clash = _overlapping_coverage(
        session, contract.id, units, contract.start_date, contract.end_date
    )
    if clash is not None:
        equipment, other = clash
        if equipment.id in by_range:
            raise ContractError(
                gettext(
                    "equipment %(serial)s, in the product range %(range)s, is already covered "
                    "by %(number)s until %(end)s",
                    serial=equipment.serial_number,
                    range=_matching_range(equipment, ranges),
                    number=other.number,
                    end=other.end_date.isoformat(),
                ),
                "equipment",
                409,
            )
        raise ContractError(
            gettext(
                "equipment %(serial)s is already covered by %(number)s until %(end)s",
                serial=equipment.serial_number,
                number=other.number,
                end=other.end_date.isoformat(),
            ),
            "equipment",
            409,
        )


def _matching_range(unit: Equipment, ranges: list[ContractRange]) -> str:
    product = unit.product
    for rng in ranges:
        if (
            rng.product_type.lower() == product.product_type.lower()
            and (not rng.manufacturer or rng.manufacturer.lower() == product.manufacturer.lower())
            and (not rng.model or rng.model.lower() == product.model.lower())
        ):
            return str(rng)
    return ""


def _event(
    kind: type[events.ContractStateChanged], contract: Contract, previous: str, **extra: Any
) -> events.ContractStateChanged:
    return kind(
        contract_id=contract.id,
        number=contract.number,
        from_state=previous,
        to_state=contract.state,
        **extra,
    )


def submit_for_review(session: Session, contract: Contract) -> Contract:
    """draft -> under_review (the terms must be valid)."""
    _require_state(contract, ALLOWED_FROM["submit"], gettext("submit"))
    prepare_contract(session, contract)
    previous = _move(contract, ALLOWED_FROM["submit"], UNDER_REVIEW, gettext("submit"))
    session.flush()
    publish(session, _event(events.ContractSubmitted, contract, previous))
    return contract


def return_to_draft(session: Session, contract: Contract) -> Contract:
    """under_review -> draft (the reviewer asks for changes)."""
    previous = _move(contract, ALLOWED_FROM["return_to_draft"], DRAFT, gettext("return to draft"))
    session.flush()
    publish(session, _event(events.ContractStateChanged, contract, previous))
    return contract


def activate(session: Session, contract: Contract) -> Contract:
    """under_review -> active, after :func:`check_activation`."""
    _require_state(contract, ALLOWED_FROM["activate"], gettext("activate"))
    session.flush()
    check_activation(session, contract)
    previous = _move(contract, ALLOWED_FROM["activate"], ACTIVE, gettext("activate"))
    session.flush()
    record_version(session, contract, company_today())
    publish(session, _event(events.ContractActivated, contract, previous))
    return contract


approve = activate


def terminate(session: Session, contract: Contract, reason: str) -> Contract:
    """active/expiring -> terminated; ``reason`` is required."""
    reason = (reason or "").strip()
    if contract.state in IN_FORCE and not reason:
        raise ContractError(gettext("reason: is required to terminate a contract"), "reason")
    previous = _move(contract, ALLOWED_FROM["terminate"], TERMINATED, gettext("terminate"))
    contract.termination_reason = reason
    session.flush()
    publish(session, _event(events.ContractTerminated, contract, previous, reason=reason))
    return contract


def mark_expiring(session: Session, contract: Contract, today: datetime.date) -> Contract:
    """active -> expiring, once ``today`` reached the cancel-by date."""
    _require_state(contract, ALLOWED_FROM["mark_expiring"], gettext("mark as expiring"))
    cancel_by = cancel_by_date(contract.end_date, contract.notice_days)
    if today < cancel_by:
        raise ContractError(
            gettext(
                "state: contract %(number)s enters its notice period on %(date)s",
                number=contract.number,
                date=cancel_by.isoformat(),
            ),
            "state",
            409,
        )
    previous = _move(contract, ALLOWED_FROM["mark_expiring"], EXPIRING, gettext("mark as expiring"))
    session.flush()
    publish(session, _event(events.ContractExpiring, contract, previous))
    return contract


def expire(session: Session, contract: Contract, today: datetime.date) -> Contract:
    """active/expiring -> expired, once ``today`` is after the end date."""
    _require_state(contract, ALLOWED_FROM["expire"], gettext("expire"))
    if today <= contract.end_date:
        raise ContractError(
            gettext(
                "end date: contract %(number)s runs until %(date)s",
                number=contract.number,
                date=contract.end_date.isoformat(),
            ),
            "end_date",
            409,
        )
    previous = _move(contract, ALLOWED_FROM["expire"], EXPIRED, gettext("expire"))
    session.flush()
    publish(session, _event(events.ContractExpired, contract, previous))
    return contract


def renew(session: Session, contract: Contract, months: int | None = None) -> Contract:
    """active/expiring -> renewed; returns the successor contract, already active.

    The successor copies the terms, covered units and entitlements and runs from the day
    after the end date for ``months`` (default: the renewal length).
    """
    months = contract.renewal_months if months is None else months
    if not isinstance(months, int) or not 1 <= months <= 120:
        raise ContractError(
            gettext("renewal length: must be between 1 and 120 months"), "renewal_months"
        )
    previous = _move(contract, ALLOWED_FROM["renew"], RENEWED, gettext("renew"))
    start = contract.end_date + datetime.timedelta(days=1)
    successor = Contract(
        customer_id=contract.customer_id,
        title=contract.title,
        start_date=start,
        end_date=add_months(start, months) - datetime.timedelta(days=1),
        service_level_id=contract.service_level_id,
        fee=contract.fee,
        currency=contract.currency,
        billing_cycle=contract.billing_cycle,
        payment_terms=contract.payment_terms,
        renewal=contract.renewal,
        renewal_months=contract.renewal_months,
        notice_days=min(contract.notice_days, months * 28),
        confidentiality_clause=contract.confidentiality_clause,
        liability_clause=contract.liability_clause,
        dispute_resolution=contract.dispute_resolution,
        dispute_venue=contract.dispute_venue,
        renewed_from_id=contract.id,
        manager_id=contract.manager_id,
    )
    prepare_contract(session, successor)
    session.add(successor)
    session.flush()
    for link in contract.equipment_links:
        session.add(ContractEquipment(contract_id=successor.id, equipment_id=link.equipment_id))
    for rng in contract.ranges:
        session.add(
            ContractRange(
                contract_id=successor.id,
                product_type=rng.product_type,
                manufacturer=rng.manufacturer,
                model=rng.model,
            )
        )
    for ent in contract.entitlements:
        session.add(
            Entitlement(
                contract_id=successor.id,
                kind=ent.kind,
                coverage=ent.coverage,
                annual_amount=ent.annual_amount,
                annual_count=ent.annual_count,
                discount_percent=ent.discount_percent,
                parts=[
                    EntitlementPart(part_number=p.part_number, description=p.description)
                    for p in ent.parts
                ],
            )
        )
    successor.state = UNDER_REVIEW
    session.flush()
    check_activation(session, successor)
    successor.state = ACTIVE
    session.flush()
    record_version(session, successor, company_today())
    publish(session, _event(events.ContractRenewed, contract, previous, successor_id=successor.id))
    publish(session, _event(events.ContractActivated, successor, UNDER_REVIEW))
    return successor


ACTIONS: dict[str, Callable[..., Contract]] = {
    "submit": submit_for_review,
    "return_to_draft": return_to_draft,
    "activate": activate,
    "terminate": terminate,
    "mark_expiring": mark_expiring,
    "expire": expire,
    "renew": renew,
}


def run_daily_lifecycle(session: Session, today: datetime.date) -> dict[str, int]:
    """Mark contracts past their cancel-by date expiring, end those past their end date
    (auto-renewing ones are renewed instead). Idempotent: a second run changes nothing."""
    done = {"expiring": 0, "expired": 0, "renewed": 0}
    due = session.scalars(
        select(Contract)
        .where(Contract.state.in_(IN_FORCE), Contract.end_date < today)
        .order_by(Contract.id)
    ).all()
    for contract in due:
        if contract.renewal == AUTO_RENEWAL:
            renew(session, contract)
            done["renewed"] += 1
        else:
            expire(session, contract, today)
            done["expired"] += 1
    entering = session.scalars(
        select(Contract)
        .where(Contract.state == ACTIVE, Contract.cancel_by <= today, Contract.end_date >= today)
        .order_by(Contract.id)
    ).all()
    for contract in entering:
        mark_expiring(session, contract, today)
        done["expiring"] += 1
    return done


def notify_expiring(session: Session, today: datetime.date) -> int:
    """Tell the manager of every expiring contract, in the app and by e-mail (core
    notifications and outbox), once per contract term: a term already notified (same
    contract, same end date) is skipped, so running it again notifies nobody twice. A
    contract without an active manager waits until it gets one. Returns how many were told."""
    from core.notifications.service import notify

    pending = session.scalars(
        select(Contract)
        .outerjoin(
            ContractExpiryNotice,
            (ContractExpiryNotice.contract_id == Contract.id)
            & (ContractExpiryNotice.end_date == Contract.end_date),
        )
        .join(User, User.id == Contract.manager_id)
        .where(Contract.state == EXPIRING, User.active.is_(True), ContractExpiryNotice.id.is_(None))
        .order_by(Contract.id)
    ).all()
    for contract in pending:
        notify(
            session,
            contract.manager_id,
            gettext(
                "Contract %(number)s is expiring: it ends on %(end)s",
                number=contract.number,
                end=contract.end_date.isoformat(),
            ),
            gettext(
                "%(title)s (%(customer)s) ends on %(end)s; the notice period began on "
                "%(cancel_by)s. Renew it, let it expire or agree new terms with the customer.",
                title=contract.title,
                customer=contract.customer.name,
                end=contract.end_date.isoformat(),
                cancel_by=contract.cancel_by.isoformat() if contract.cancel_by else "",
            ),
            link=f"/contracts/contracts/show/{contract.id}",
        )
        session.add(
            ContractExpiryNotice(
                contract_id=contract.id,
                end_date=contract.end_date,
                user_id=contract.manager_id,
                notified_on=today,
            )
        )
        session.flush()
    return len(pending)


# --- coverage engine -------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """The answer of :func:`coverage`: what applies to a unit for a kind of work on a date.

    When ``covered`` is false, ``reason`` says why. ``free`` is ``"all"`` (free without
    limit), ``"amount"`` (free up to ``remaining`` in ``currency``), ``"count"`` (``remaining``
    free occurrences), ``"list"`` (the asked ``part`` is on the contract's list of free parts;
    ``part_listed`` says whether it is) or ``None`` (nothing free); ``discount_percent``
    applies to the rest.
    """

    covered: bool
    serial: str
    at: datetime.date
    kind: str
    reason: str = ""
    contract_id: int | None = None
    contract_number: str | None = None
    contract_end: datetime.date | None = None
    service_level: str | None = None
    calendar_code: str | None = None
    service_mode: str | None = None
    targets: dict[str, dict[str, int]] = field(default_factory=dict)
    free: str | None = None
    quota: Decimal | int | None = None
    used: Decimal | int | None = None
    remaining: Decimal | int | None = None
    currency: str | None = None
    discount_percent: Decimal = Decimal("0")
    part: str | None = None
    part_listed: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO, Decimals as strings."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[key] = value
        return out


def contract_year(contract: Contract, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The contract year (from a start anniversary, a year long) that contains ``on``."""
    years = max(0, on.year - contract.start_date.year)
    start = add_months(contract.start_date, 12 * years)
    if start > on:
        start = add_months(contract.start_date, 12 * (years - 1))
    end = add_months(start, 12) - datetime.timedelta(days=1)
    return start, end


def _used_amount(session: Session, entitlement: Entitlement, on: datetime.date) -> Decimal:
    start, end = contract_year(entitlement.contract, on)
    rows = session.scalars(
        select(EntitlementUsage.amount).where(
            EntitlementUsage.entitlement_id == entitlement.id,
            EntitlementUsage.used_on >= start,
            EntitlementUsage.used_on <= end,
        )
    ).all()
    return sum(rows, Decimal("0.00"))


def _used_count(session: Session, entitlement: Entitlement, on: datetime.date) -> int:
    start, end = contract_year(entitlement.contract, on)
    return int(
        session.scalar(
            select(func.coalesce(func.sum(EntitlementUsage.count), 0)).where(
                EntitlementUsage.entitlement_id == entitlement.id,
                EntitlementUsage.used_on >= start,
                EntitlementUsage.used_on <= end,
            )
        )
        or 0
    )


def coverage(
    session: Session,
    serial: str,
    at_date: datetime.date,
    kind: str = "labour",
    part: str | None = None,
) -> Coverage:
    """Which contract and service-level terms cover unit ``serial`` on ``at_date`` for
    ``kind`` of work (labour, parts or visit), what is free, the discount on the rest and
    the remaining quota of the contract year — or why nothing covers it. ``part`` (a part
    number) is checked against a parts entitlement that covers a list of parts."""
    part = (part or "").strip() or None
    serial = (serial or "").strip()
    if not serial:
        raise ContractError(gettext("serial: is required"), "serial")
    if kind not in ENTITLEMENT_KINDS:
        raise ContractError(
            gettext(
                "kind: %(value)r is not one of %(choices)s",
                value=kind,
                choices=", ".join(ENTITLEMENT_KINDS),
            ),
            "kind",
        )
    base: dict[str, Any] = {"serial": serial, "at": at_date, "kind": kind, "part": part}
    units = session.scalars(select(Equipment).where(Equipment.serial_number == serial)).all()
    if not units:
        return Coverage(
            False,
            reason=gettext("no equipment has serial number %(serial)s", serial=serial),
            **base,
        )
    listed = select(ContractEquipment.contract_id).where(
        ContractEquipment.equipment_id.in_([u.id for u in units])
    )
    # Contracts of the unit's customer with a product range that takes in its product.
    by_range = (
        select(ContractRange.contract_id)
        .join(Contract, Contract.id == ContractRange.contract_id)
        .where(
            or_(
                *(
                    and_(
                        Contract.customer_id == u.customer_id,
                        func.lower(ContractRange.product_type) == u.product.product_type.lower(),
                        or_(
                            ContractRange.manufacturer == "",
                            func.lower(ContractRange.manufacturer)
                            == u.product.manufacturer.lower(),
                        ),
                        or_(
                            ContractRange.model == "",
                            func.lower(ContractRange.model) == u.product.model.lower(),
                        ),
                    )
                    for u in units
                )
            )
        )
    )
    found = (
        session.execute(
            select(Contract)
            .where(
                Contract.id.in_(listed.union(by_range)),
                Contract.state.in_(COVERING + (EXPIRED, TERMINATED)),
            )
            .order_by(Contract.start_date.desc())
        )
        .scalars()
        .all()
    )
    in_force = [c for c in found if c.state in COVERING and c.start_date <= at_date <= c.end_date]
    if not in_force:
        ended = [c for c in found if c.start_date <= at_date]
        if ended and ended[0].state == TERMINATED and ended[0].start_date <= at_date:
            reason = gettext(
                "contract %(number)s covering %(serial)s was terminated",
                number=ended[0].number,
                serial=serial,
            )
        elif found:
            last = max(found, key=lambda c: c.end_date)
            reason = gettext(
                "no contract in force covers %(serial)s on %(date)s (last: %(number)s, "
                "%(start)s to %(end)s, %(state)s)",
                serial=serial,
                date=at_date.isoformat(),
                number=last.number,
                start=last.start_date.isoformat(),
                end=last.end_date.isoformat(),
                state=last.state,
            )
        else:
            reason = gettext("no active contract covers %(serial)s", serial=serial)
        return Coverage(False, reason=reason, **base)
    contract = in_force[0]
    level = contract.service_level
    terms = {
        "contract_id": contract.id,
        "contract_number": contract.number,
        "contract_end": contract.end_date,
        "service_level": level.name if level else None,
        "calendar_code": level.calendar_code if level else None,
        "service_mode": level.service_mode if level else None,
        "targets": {
            t.priority: {"response_hours": t.response_hours, "resolution_hours": t.resolution_hours}
            for t in (level.targets if level else [])
        },
        "currency": contract.currency,
    }
    entitlement = next((e for e in contract.entitlements if e.kind == kind), None)
    if entitlement is None:
        return Coverage(
            False,
            reason=gettext(
                "contract %(number)s does not cover %(kind)s", number=contract.number, kind=kind
            ),
            **base,
            **terms,
        )
    discount = entitlement.discount_percent
    if entitlement.coverage == COVER_ALL:
        return Coverage(True, free=COVER_ALL, discount_percent=discount, **base, **terms)
    if entitlement.coverage == COVER_LIST:
        if part is None:
            return Coverage(
                True,
                reason=gettext(
                    "contract %(number)s makes only listed parts free: give the part number",
                    number=contract.number,
                ),
                discount_percent=discount,
                **base,
                **terms,
            )
        listed = (
            session.scalar(
                select(EntitlementPart.id)
                .where(
                    EntitlementPart.entitlement_id == entitlement.id,
                    func.upper(EntitlementPart.part_number) == part.upper(),
                )
                .limit(1)
            )
            is not None
        )
        return Coverage(
            True,
            free=COVER_LIST if listed else None,
            part_listed=listed,
            reason=""
            if listed
            else gettext(
                "part %(part)s is not on the list of contract %(number)s",
                part=part,
                number=contract.number,
            ),
            discount_percent=discount,
            **base,
            **terms,
        )
    if entitlement.coverage == COVER_AMOUNT:
        quota = entitlement.annual_amount
        used = _used_amount(session, entitlement, at_date)
    else:
        quota = entitlement.annual_count
        used = _used_count(session, entitlement, at_date)
    remaining = max(quota - used, type(quota)(0))
    return Coverage(
        True,
        free=entitlement.coverage if remaining else None,
        quota=quota,
        used=used,
        remaining=remaining,
        discount_percent=discount,
        **base,
        **terms,
    )


def record_usage(
    session: Session,
    contract: Contract,
    kind: str,
    on: datetime.date,
    *,
    amount: Decimal | str | None = None,
    count: int | None = None,
    reference: str = "",
) -> EntitlementUsage:
    """Consume quota of ``contract``'s ``kind`` entitlement on ``on`` (an amount or a count).

    Refused (409) when the contract is not in force on that day, has no such entitlement,
    or the quota of that contract year would be exceeded.
    """
    if contract.state not in COVERING or not contract.start_date <= on <= contract.end_date:
        raise ContractError(
            gettext(
                "contract: %(number)s is not in force on %(date)s",
                number=contract.number,
                date=on.isoformat(),
            ),
            "contract",
            409,
        )
    entitlement = next((e for e in contract.entitlements if e.kind == kind), None)
    if entitlement is None:
        raise ContractError(
            gettext(
                "kind: contract %(number)s does not cover %(kind)s",
                number=contract.number,
                kind=kind,
            ),
            "kind",
            409,
        )
    usage = EntitlementUsage(used_on=on, reference=(reference or "").strip())
    if entitlement.coverage == COVER_AMOUNT:
        value = Decimal(amount if amount is not None else "0")
        if value <= 0:
            raise ContractError(gettext("amount: must be more than 0"), "amount")
        remaining = entitlement.annual_amount - _used_amount(session, entitlement, on)
        if value > remaining:
            raise ContractError(
                gettext(
                    "amount: %(value)s exceeds the remaining quota %(remaining)s",
                    value=value,
                    remaining=remaining,
                ),
                "amount",
                409,
            )
        usage.amount = value
    elif entitlement.coverage == COVER_COUNT:
        value_count = 1 if count is None else count
        if value_count <= 0:
            raise ContractError(gettext("count: must be more than 0"), "count")
        remaining_count = entitlement.annual_count - _used_count(session, entitlement, on)
        if value_count > remaining_count:
            raise ContractError(
                gettext(
                    "count: %(value)s exceeds the remaining quota %(remaining)s",
                    value=value_count,
                    remaining=remaining_count,
                ),
                "count",
                409,
            )
        usage.count = value_count
    else:
        usage.amount = Decimal(amount or "0")
        usage.count = count or 0
    entitlement.usages.append(usage)
    session.flush()
    return usage


# --- amendments and versions -----------------------------------------------------------------

# The terms an amendment may change, in the order the screens show them.
AMENDABLE_TERMS = [
    "start_date",
    "end_date",
    "service_level",
    "fee",
    "billing_cycle",
    "payment_terms",
    "renewal",
    "renewal_months",
    "notice_days",
    "confidentiality_clause",
    "liability_clause",
    "dispute_resolution",
    "dispute_venue",
    "equipment",
]
_DATE_TERMS = ("start_date", "end_date")
_WHOLE_TERMS = ("renewal_months", "notice_days")
# Signed copies: extension -> (media type, leading bytes the file must start with).
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
}
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
AMENDMENT_ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "confirm": (AMENDMENT_DRAFT,),
    "apply": (AMENDMENT_CONFIRMED,),
    "withdraw": (AMENDMENT_DRAFT, AMENDMENT_CONFIRMED),
}


def contract_terms(session: Session, contract: Contract) -> dict[str, Any]:
    """A JSON-ready snapshot of ``contract``'s terms and covered units (one version)."""
    units = session.execute(
        select(Equipment.id, Equipment.serial_number)
        .join(ContractEquipment, ContractEquipment.equipment_id == Equipment.id)
        .where(ContractEquipment.contract_id == contract.id)
        .order_by(Equipment.serial_number, Equipment.id)
    ).all()
    level = (
        session.get(ServiceLevel, contract.service_level_id) if contract.service_level_id else None
    )
    return {
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "service_level": contract.service_level_id,
        "service_level_name": level.name if level else None,
        "fee": str(contract.fee),
        "currency": contract.currency,
        "billing_cycle": contract.billing_cycle,
        "payment_terms": contract.payment_terms or "",
        "renewal": contract.renewal,
        "renewal_months": contract.renewal_months,
        "notice_days": contract.notice_days,
        "cancel_by": contract.cancel_by.isoformat() if contract.cancel_by else None,
        "confidentiality_clause": contract.confidentiality_clause or "",
        "liability_clause": contract.liability_clause or "",
        "dispute_resolution": contract.dispute_resolution,
        "dispute_venue": contract.dispute_venue or "",
        "equipment": [{"id": uid, "serial": serial} for uid, serial in units],
        "ranges": [
            str(r)
            for r in session.scalars(
                select(ContractRange)
                .where(ContractRange.contract_id == contract.id)
                .order_by(ContractRange.id)
            )
        ],
    }


def record_version(
    session: Session,
    contract: Contract,
    applied_on: datetime.date,
    amendment: ContractAmendment | None = None,
) -> ContractVersion:
    """Store the next version of ``contract`` (its current terms); returns it flushed."""
    last = session.scalar(
        select(func.max(ContractVersion.number)).where(ContractVersion.contract_id == contract.id)
    )
    version = ContractVersion(
        contract_id=contract.id,
        number=(last or 0) + 1,
        terms=contract_terms(session, contract),
        applied_on=applied_on,
        amendment_id=amendment.id if amendment is not None else None,
    )
    session.add(version)
    session.flush()
    return version


def parse_date(value: Any, field: str) -> datetime.date:
    """``value`` (``YYYY-MM-DD``) as a date; 422 naming ``field`` otherwise."""
    return datetime.date.fromisoformat(_term_date(value, field))


def _term_date(value: Any, term: str) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ContractError(
            gettext("%(field)s: %(value)r is not a date (YYYY-MM-DD)", field=term, value=value),
            term,
        ) from None


def _term_whole(value: Any, term: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContractError(
            gettext("%(field)s: %(value)r is not a whole number", field=term, value=value), term
        )
    return value


def _term_equipment(session: Session, contract: Contract, value: Any) -> list[int]:
    if not isinstance(value, list | tuple) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in value
    ):
        raise ContractError(
            gettext("equipment: give the full list of covered unit ids (whole numbers)"),
            "equipment",
        )
    ids = sorted(set(value))
    found = {
        uid: (customer_id, serial)
        for uid, customer_id, serial in session.execute(
            select(Equipment.id, Equipment.customer_id, Equipment.serial_number).where(
                Equipment.id.in_(ids)
            )
        )
    }
    for uid in ids:
        if uid not in found:
            raise ContractError(
                gettext("equipment: unit %(id)s does not exist", id=uid), "equipment"
            )
        if found[uid][0] != contract.customer_id:
            raise ContractError(
                gettext(
                    "equipment: %(serial)s belongs to another customer than contract %(number)s",
                    serial=found[uid][1],
                    number=contract.number,
                ),
                "equipment",
            )
    return ids


def normalize_changes(
    session: Session, contract: Contract, changes: Any, *, keep_unchanged: bool = False
) -> dict[str, Any]:
    """``changes`` ({term: new value}) checked and made JSON-ready: dates ISO, the fee a
    string with the currency's decimals, ``service_level`` an id, ``equipment`` the sorted
    list of covered unit ids. Terms whose new value equals the current one are dropped
    (unless ``keep_unchanged``); at least one must remain."""
    if not isinstance(changes, dict):
        raise ContractError(
            gettext("changes: give the new values of the terms that change, by term"), "changes"
        )
    unknown = sorted(set(changes) - set(AMENDABLE_TERMS))
    if unknown:
        raise ContractError(
            gettext(
                "changes: %(names)s cannot be amended (amendable terms: %(allowed)s)",
                names=", ".join(unknown),
                allowed=", ".join(AMENDABLE_TERMS),
            ),
            "changes",
        )
    current = contract_terms(session, contract)
    current["equipment"] = [u["id"] for u in current["equipment"]]
    out: dict[str, Any] = {}
    for term in AMENDABLE_TERMS:
        if term not in changes:
            continue
        value = changes[term]
        if term in _DATE_TERMS:
            value = _term_date(value, term)
        elif term in _WHOLE_TERMS:
            value = _term_whole(value, term)
        elif term == "fee":
            try:
                value = str(parse_amount(value, "fee", currency=contract.currency))
            except MoneyError as exc:
                raise ContractError(str(exc), "fee") from exc
        elif term == "service_level":
            value = _term_whole(value, term)
            if session.get(ServiceLevel, value) is None:
                raise ContractError(
                    gettext("service level: %(id)s does not exist", id=value), "service_level"
                )
        elif term == "equipment":
            value = _term_equipment(session, contract, value)
        elif term == "dispute_resolution":
            value = str(value or "").strip() or None
        else:
            value = str(value if value is not None else "").strip()
        if keep_unchanged or value != current[term]:
            out[term] = value
    if not out:
        raise ContractError(
            gettext(
                "changes: name at least one term with a new value different from the current one"
            ),
            "changes",
        )
    return out


def _amended(session: Session, contract: Contract, changes: dict[str, Any]) -> Contract:
    """A detached copy of ``contract`` with ``changes`` applied, checked like an activation
    (nothing in the session changes); its ``equipment_ids`` holds the units it would cover."""
    candidate = Contract(
        customer_id=contract.customer_id,
        title=contract.title,
        number=contract.number,
        state=contract.state,
        currency=contract.currency,
        **{
            column: getattr(contract, column)
            for column in (
                "start_date",
                "end_date",
                "service_level_id",
                "fee",
                "billing_cycle",
                "payment_terms",
                "renewal",
                "renewal_months",
                "notice_days",
                "confidentiality_clause",
                "liability_clause",
                "dispute_resolution",
                "dispute_venue",
            )
        },
    )
    candidate.id = contract.id
    units = list(
        session.scalars(
            select(ContractEquipment.equipment_id).where(
                ContractEquipment.contract_id == contract.id
            )
        )
    )
    for term, value in changes.items():
        if term in _DATE_TERMS:
            setattr(candidate, term, datetime.date.fromisoformat(value))
        elif term == "fee":
            candidate.fee = Decimal(value)
        elif term == "service_level":
            candidate.service_level_id = value
        elif term == "equipment":
            units = list(value)
        else:
            setattr(candidate, term, value)
    with session.no_autoflush:
        check_terms(session, candidate)
        check_in_force_terms(session, candidate, units)
    candidate.equipment_ids = units  # type: ignore[attr-defined]
    return candidate


def _require_amendable(contract: Contract) -> None:
    if contract.state not in IN_FORCE:
        raise ContractError(
            gettext(
                "state: contract %(number)s is %(state)s; only an active or expiring contract "
                "is amended (a draft is edited directly)",
                number=contract.number,
                state=contract.state,
            ),
            "state",
            409,
        )


def _require_amendment_state(amendment: ContractAmendment, action: str, label: str) -> None:
    allowed = AMENDMENT_ALLOWED_FROM[action]
    if amendment.state not in allowed:
        raise ContractError(
            gettext(
                "state: cannot %(action)s amendment %(label)s, it is %(state)s (allowed "
                "from: %(allowed)s)",
                action=label,
                label=amendment.label,
                state=amendment.state,
                allowed=", ".join(allowed),
            ),
            "state",
            409,
        )


def _check_confirmation_fields(amendment: ContractAmendment) -> None:
    _strip(amendment, "customer_signer", "company_signer")
    if amendment.signed_on is not None and amendment.signed_on > company_today():
        raise ContractError(
            gettext("signed on: %(date)s is in the future", date=amendment.signed_on.isoformat()),
            "signed_on",
        )


def create_amendment(
    session: Session,
    contract: Contract,
    changes: Any,
    reason: str,
    *,
    customer_signer: str = "",
    company_signer: str = "",
    signed_on: datetime.date | None = None,
) -> ContractAmendment:
    """Draft an amendment of an active or expiring contract: the new values of the terms
    that change and why. Checked at once against the activation rules (refused 4xx naming
    the field); returns it flushed."""
    _require_amendable(contract)
    reason = (reason or "").strip()
    if not reason:
        raise ContractError(gettext("reason: say why the terms change"), "reason")
    normalized = normalize_changes(session, contract, changes)
    _amended(session, contract, normalized)
    last = session.scalar(
        select(func.max(ContractAmendment.number)).where(
            ContractAmendment.contract_id == contract.id
        )
    )
    amendment = ContractAmendment(
        contract_id=contract.id,
        number=(last or 0) + 1,
        state=AMENDMENT_DRAFT,
        reason=reason,
        changes=normalized,
        customer_signer=customer_signer,
        company_signer=company_signer,
        signed_on=signed_on,
    )
    amendment.contract = contract
    _check_confirmation_fields(amendment)
    session.add(amendment)
    session.flush()
    return amendment


def update_amendment(
    session: Session, amendment: ContractAmendment, **values: Any
) -> ContractAmendment:
    """Change a draft amendment: ``changes``, ``reason``, ``customer_signer``,
    ``company_signer``, ``signed_on``. Everything is checked before anything changes."""
    allowed = {"changes", "reason", "customer_signer", "company_signer", "signed_on"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ContractError(
            gettext("%(field)s: cannot be changed on an amendment", field=unknown[0]), unknown[0]
        )
    if amendment.state != AMENDMENT_DRAFT:
        raise ContractError(
            gettext(
                "state: amendment %(label)s is %(state)s; only a draft changes",
                label=amendment.label,
                state=amendment.state,
            ),
            "state",
            409,
        )
    contract = amendment.contract
    _require_amendable(contract)
    reason = (values.get("reason", amendment.reason) or "").strip()
    if not reason:
        raise ContractError(gettext("reason: say why the terms change"), "reason")
    changes = amendment.changes
    if "changes" in values:
        changes = normalize_changes(session, contract, values["changes"])
        _amended(session, contract, changes)
    signed_on = values.get("signed_on", amendment.signed_on)
    if signed_on is not None and signed_on > company_today():
        raise ContractError(
            gettext("signed on: %(date)s is in the future", date=signed_on.isoformat()),
            "signed_on",
        )
    amendment.reason = reason
    amendment.changes = changes
    amendment.signed_on = signed_on
    for name in ("customer_signer", "company_signer"):
        if name in values:
            setattr(amendment, name, (values[name] or "").strip())
    session.flush()
    return amendment


def attachment_folder() -> Path:
    """Where signed copies are stored: ``<instance>/contracts/amendments``."""
    return Path(current_app.instance_path) / "contracts" / "amendments"


def attachment_file(amendment: ContractAmendment) -> Path | None:
    """The stored signed copy of ``amendment``, or ``None``."""
    if not amendment.attachment_path:
        return None
    return Path(current_app.instance_path) / amendment.attachment_path


def _original_name(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-200:]


def attach_signed_copy(
    session: Session, amendment: ContractAmendment, filename: str, data: bytes
) -> ContractAmendment:
    """Store the signed copy of a draft amendment under the instance folder, keeping its
    original file name. PDF, PNG, JPEG or OFD only, at most ``CONTRACTS_AMENDMENT_MAX_BYTES``
    (10 MB by default); the content must match the extension."""
    if amendment.state != AMENDMENT_DRAFT:
        raise ContractError(
            gettext(
                "state: amendment %(label)s is %(state)s; only a draft changes",
                label=amendment.label,
                state=amendment.state,
            ),
            "state",
            409,
        )
    name = _original_name(filename)
    extension = Path(name).suffix.lower()
    if not name or extension not in ATTACHMENT_TYPES:
        raise ContractError(
            gettext(
                "attachment: %(name)r is not one of the accepted types (%(types)s)",
                name=name,
                types=", ".join(sorted(ATTACHMENT_TYPES)),
            ),
            "attachment",
        )
    limit = int(
        current_app.config.get("CONTRACTS_AMENDMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)
    )
    if not data:
        raise ContractError(gettext("attachment: the file is empty"), "attachment")
    if len(data) > limit:
        raise ContractError(
            gettext(
                "attachment: %(size)d bytes is more than the limit of %(limit)d bytes",
                size=len(data),
                limit=limit,
            ),
            "attachment",
            413,
        )
    media_type, signatures = ATTACHMENT_TYPES[extension]
    if not any(data.startswith(sig) for sig in signatures):
        raise ContractError(
            gettext(
                "attachment: the content of %(name)s is not a %(type)s file",
                name=name,
                type=extension[1:].upper(),
            ),
            "attachment",
        )
    relative = Path("contracts", "amendments", str(amendment.contract_id))
    folder = Path(current_app.instance_path) / relative
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{extension}"
    (folder / stored).write_bytes(data)
    amendment.attachment_name = name
    amendment.attachment_path = str(relative / stored)
    amendment.attachment_type = media_type
    amendment.attachment_size = len(data)
    session.flush()
    return amendment


def confirm_amendment(session: Session, amendment: ContractAmendment) -> ContractAmendment:
    """draft -> confirmed: both parties confirmed it in writing (each side's signer, the
    date and the signed copy are required); the changes must still pass the rules."""
    _require_amendment_state(amendment, "confirm", gettext("confirm"))
    contract = amendment.contract
    _require_amendable(contract)
    _check_confirmation_fields(amendment)
    if not amendment.customer_signer:
        raise ContractError(
            gettext("customer signer: who signed for the customer is required"),
            "customer_signer",
        )
    if not amendment.company_signer:
        raise ContractError(
            gettext("company signer: who signed for our company is required"), "company_signer"
        )
    if amendment.signed_on is None:
        raise ContractError(gettext("signed on: the date of signature is required"), "signed_on")
    if not amendment.attachment_path:
        raise ContractError(
            gettext("attachment: the copy signed by both parties is required"), "attachment"
        )
    _amended(session, contract, normalize_changes(session, contract, amendment.changes))
    amendment.state = AMENDMENT_CONFIRMED
    session.flush()
    return amendment


def apply_amendment(
    session: Session, amendment: ContractAmendment, today: datetime.date | None = None
) -> ContractVersion:
    """confirmed -> applied: change the contract's terms and covered units, store the new
    contract version and publish ``contracts.contract.amended``. The changed contract must
    pass the activation rules (a unit covered by another contract in force is refused 409
    naming it); a refusal changes nothing. An expiring contract whose new cancel-by date is
    still ahead becomes active again."""
    today = today or company_today()
    _require_amendment_state(amendment, "apply", gettext("apply"))
    contract = amendment.contract
    _require_amendable(contract)
    changes = normalize_changes(session, contract, amendment.changes, keep_unchanged=True)
    candidate = _amended(session, contract, changes)
    if not contract.versions:  # activated before versions were kept
        record_version(session, contract, contract.start_date)
    previous = max(v.number for v in contract.versions) if contract.versions else 0
    for column in (
        "start_date",
        "end_date",
        "service_level_id",
        "fee",
        "billing_cycle",
        "payment_terms",
        "renewal",
        "renewal_months",
        "notice_days",
        "cancel_by",
        "confidentiality_clause",
        "liability_clause",
        "dispute_resolution",
        "dispute_venue",
    ):
        if getattr(contract, column) != getattr(candidate, column):
            setattr(contract, column, getattr(candidate, column))
    wanted = set(candidate.equipment_ids)
    for link in list(contract.equipment_links):
        if link.equipment_id not in wanted:
            contract.equipment_links.remove(link)
    have = {link.equipment_id for link in contract.equipment_links}
    for unit_id in sorted(wanted - have):
        contract.equipment_links.append(ContractEquipment(equipment_id=unit_id))
    state_before = contract.state
    if contract.state == EXPIRING and contract.cancel_by > today:
        contract.state = ACTIVE
    session.flush()
    version = record_version(session, contract, today, amendment)
    session.refresh(contract, ["versions"])
    amendment.state = AMENDMENT_APPLIED
    amendment.applied_on = today
    amendment.version_number = version.number
    session.flush()
    if contract.state != state_before:
        publish(session, _event(events.ContractStateChanged, contract, state_before))
    publish(
        session,
        events.ContractAmended(
            contract_id=contract.id,
            number=contract.number,
            amendment_id=amendment.id,
            amendment_number=amendment.number,
            previous_version=previous,
            version=version.number,
        ),
    )
    return version


def withdraw_amendment(session: Session, amendment: ContractAmendment) -> ContractAmendment:
    """draft/confirmed -> withdrawn: the amendment will never apply."""
    _require_amendment_state(amendment, "withdraw", gettext("withdraw"))
    amendment.state = AMENDMENT_WITHDRAWN
    session.flush()
    return amendment


AMENDMENT_ACTIONS: dict[str, Callable[..., Any]] = {
    "confirm": confirm_amendment,
    "apply": apply_amendment,
    "withdraw": withdraw_amendment,
}


def available_amendment_actions(state: str) -> set[str]:
    """The actions an amendment in ``state`` allows (the screen shows only these)."""
    return {name for name, allowed in AMENDMENT_ALLOWED_FROM.items() if state in allowed}


def get_amendment(session: Session, amendment_id: int) -> ContractAmendment:
    """An amendment by id; :class:`ContractError` 404 when there is none."""
    amendment = session.get(ContractAmendment, amendment_id)
    if amendment is None:
        raise ContractError(
            gettext("amendment: %(id)s does not exist", id=amendment_id), "amendment", 404
        )
    return amendment


def get_version(session: Session, contract: Contract, number: Any, field: str) -> ContractVersion:
    """Version ``number`` of ``contract``; 404 naming ``field`` when there is none."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        raise ContractError(
            gettext("%(field)s: %(value)r is not a version number", field=field, value=number),
            field,
        ) from None
    version = session.scalar(
        select(ContractVersion).where(
            ContractVersion.contract_id == contract.id, ContractVersion.number == wanted
        )
    )
    if version is None:
        raise ContractError(
            gettext(
                "%(field)s: contract %(number)s has no version %(version)s",
                field=field,
                number=contract.number,
                version=wanted,
            ),
            field,
            404,
        )
    return version


# The fields a comparison lists, in order (the snapshot's own keys).
COMPARED_TERMS = [
    "start_date",
    "end_date",
    "cancel_by",
    "service_level_name",
    "fee",
    "currency",
    "billing_cycle",
    "payment_terms",
    "renewal",
    "renewal_months",
    "notice_days",
    "confidentiality_clause",
    "liability_clause",
    "dispute_resolution",
    "dispute_venue",
    "equipment",
    "ranges",
]


def compare_versions(before: ContractVersion, after: ContractVersion) -> list[dict[str, Any]]:
    """Field by field: ``{"field", "before", "after", "changed"}`` for every compared term;
    covered units are lists of serial numbers, with ``added`` and ``removed``."""
    rows: list[dict[str, Any]] = []
    for term in COMPARED_TERMS:
        old, new = before.terms.get(term), after.terms.get(term)
        row: dict[str, Any] = {"field": term}
        if term == "equipment":
            old_serials = [u["serial"] for u in old or []]
            new_serials = [u["serial"] for u in new or []]
            row.update(
                before=old_serials,
                after=new_serials,
                added=[s for s in new_serials if s not in old_serials],
                removed=[s for s in old_serials if s not in new_serials],
                changed=old_serials != new_serials,
            )
        else:
            row.update(before=old, after=new, changed=old != new)
        rows.append(row)
    return rows


# --- calendar of upcoming dates ---------------------------------------------------------------

CANCEL_BY = "cancel_by"
END = "end"
MAX_CALENDAR_DAYS = 730


@dataclass(frozen=True)
class CalendarEntry:
    """One upcoming date of a contract in force: its cancel-by date or its end date."""

    day: datetime.date
    kind: str  # "cancel_by" or "end"
    contract_id: int
    number: str
    title: str
    customer: str
    state: str
    renewal: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the date ISO)."""
        return {**self.__dict__, "day": self.day.isoformat()}


def upcoming_dates(session: Session, today: datetime.date, days: int = 90) -> list[CalendarEntry]:
    """The cancel-by and end dates of contracts in force that fall within the next ``days``
    days (today included), earliest first (one query). ``days`` is 1 to 730."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_CALENDAR_DAYS:
        raise ContractError(
            gettext("days: must be a whole number from 1 to %(max)d", max=MAX_CALENDAR_DAYS),
            "days",
        )
    until = today + datetime.timedelta(days=days)
    rows = session.execute(
        select(
            Contract.id,
            Contract.number,
            Contract.title,
            Customer.name,
            Contract.state,
            Contract.renewal,
            Contract.cancel_by,
            Contract.end_date,
        )
        .join(Customer, Customer.id == Contract.customer_id)
        .where(
            Contract.state.in_(IN_FORCE),
            or_(
                Contract.cancel_by.between(today, until),
                Contract.end_date.between(today, until),
            ),
        )
    ).all()
    entries = []
    for cid, number, title, customer, state, renewal, cancel_by, end in rows:
        for kind, day in ((CANCEL_BY, cancel_by), (END, end)):
            if day is not None and today <= day <= until:
                entries.append(
                    CalendarEntry(day, kind, cid, number, title, customer, state, renewal)
                )
    entries.sort(key=lambda e: (e.day, e.kind != CANCEL_BY, e.number))
    return entries


def by_month(entries: list[CalendarEntry]) -> list[tuple[str, list[CalendarEntry]]]:
    """``entries`` grouped by month (``"2026-12"``), in order."""
    months: dict[str, list[CalendarEntry]] = {}
    for entry in entries:
        months.setdefault(entry.day.strftime("%Y-%m"), []).append(entry)
    return list(months.items())


def count_by_state(session: Session) -> dict[str, int]:
    """How many contracts are in each state (every state listed, zeros included)."""
    rows = dict(
        session.execute(select(Contract.state, func.count()).group_by(Contract.state)).all()
    )
    return {state: int(rows.get(state, 0)) for state in CONTRACT_STATES}


def expiring_within(session: Session, today: datetime.date, days: int = 90) -> list[Contract]:
    """Contracts in force whose end date falls within ``days`` days of ``today``."""
    return list(
        session.scalars(
            select(Contract)
            .where(
                Contract.state.in_(IN_FORCE),
                Contract.end_date >= today,
                Contract.end_date <= today + datetime.timedelta(days=days),
            )
            .order_by(Contract.end_date, Contract.number)
        )
    )


__all__ = [
    "ACTIONS",
    "ContractError",
    "Coverage",
    "activate",
    "add_entitlement",
    "approve",
    "cover_equipment",
    "coverage",
    "create_contract",
    "create_customer",
    "create_equipment",
    "create_product",
    "create_service_level",
    "expire",
    "mark_expiring",
    "record_usage",
    "renew",
    "submit_for_review",
    "terminate",
]
