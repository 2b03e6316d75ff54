"""Tables of contracts: parties, equipment, service-level terms, contracts and entitlements.

State and computed columns (``Contract.state``, ``Contract.number``, ``Contract.cancel_by``)
are set by :mod:`plugins.contracts.services`, never typed in.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.column_limits import CLAUSE_LENGTH, LongText
from core.extensions import db
from core.money import CurrencyCode, MoneyAmount
from core.states import one_of
from core.timeutil import utcnow

# Customer kinds
COMPANY = "company"
PERSON = "person"
CUSTOMER_KINDS = (COMPANY, PERSON)

# Customer address kinds
REGISTERED = "registered"
BILLING = "billing"
SITE = "site"
MAILING = "mailing"
ADDRESS_KINDS = (REGISTERED, BILLING, SITE, MAILING)

# Equipment status
IN_SERVICE = "in_service"
OUT_OF_SERVICE = "out_of_service"
SCRAPPED = "scrapped"
EQUIPMENT_STATUSES = (IN_SERVICE, OUT_OF_SERVICE, SCRAPPED)

# Service modes
ON_SITE = "on_site"
REMOTE = "remote"
DEPOT = "depot"
SERVICE_MODES = (ON_SITE, REMOTE, DEPOT)
PRIORITIES = ("P1", "P2", "P3", "P4")
CALENDAR_CODES = ("5x8", "7x24")

# Contract states
DRAFT = "draft"
UNDER_REVIEW = "under_review"
ACTIVE = "active"
EXPIRING = "expiring"
EXPIRED = "expired"
RENEWED = "renewed"
TERMINATED = "terminated"
CONTRACT_STATES = (DRAFT, UNDER_REVIEW, ACTIVE, EXPIRING, EXPIRED, RENEWED, TERMINATED)
IN_FORCE = (ACTIVE, EXPIRING)  # states that may still end, renew or be terminated
# States in which a contract covers its equipment between its start and end dates: a contract
# renewed before its end date still covers until then; its successor starts the day after.
COVERING = (ACTIVE, EXPIRING, RENEWED)

BILLING_CYCLES = ("monthly", "quarterly", "yearly", "one_off")
AUTO_RENEWAL = "auto"
EXPRESS_RENEWAL = "express"
RENEWAL_KINDS = (AUTO_RENEWAL, EXPRESS_RENEWAL)
ARBITRATION = "arbitration"
LITIGATION = "litigation"
DISPUTE_KINDS = (ARBITRATION, LITIGATION)

# Entitlements
LABOUR = "labour"
PARTS = "parts"
VISIT = "visit"
ENTITLEMENT_KINDS = (LABOUR, PARTS, VISIT)
COVER_ALL = "all"
COVER_AMOUNT = "amount"
COVER_COUNT = "count"
COVER_LIST = "list"  # parts: only the listed part numbers are free
COVERAGES = (COVER_ALL, COVER_AMOUNT, COVER_COUNT, COVER_LIST)

# Amendments
AMENDMENT_DRAFT = "draft"
AMENDMENT_CONFIRMED = "confirmed"
AMENDMENT_APPLIED = "applied"
AMENDMENT_WITHDRAWN = "withdrawn"
AMENDMENT_STATES = (AMENDMENT_DRAFT, AMENDMENT_CONFIRMED, AMENDMENT_APPLIED, AMENDMENT_WITHDRAWN)


class Customer(db.Model):
    """A company or a person the service company serves."""

    __tablename__ = "contracts_customer"
    __audit__ = True
    __table_args__ = (one_of("kind", CUSTOMER_KINDS, "ck_contracts_customer_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=COMPANY)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    tax_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    address: Mapped[str | None] = mapped_column(String(400), default="")
    phone: Mapped[str | None] = mapped_column(String(40), default="")
    email: Mapped[str | None] = mapped_column(String(200), default="")

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )
    addresses: Mapped[list[CustomerAddress]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by=lambda: [
            CustomerAddress.kind,
            CustomerAddress.is_default.desc(),
            CustomerAddress.id,
        ],
    )

    def __str__(self) -> str:
        return self.name


class CustomerAddress(db.Model):
    """One address of a customer: registered (its legal seat), billing, site (where units
    are installed) or mailing; at most one default per kind."""

    __tablename__ = "contracts_customer_address"
    __audit__ = True
    __table_args__ = (
        one_of("kind", ADDRESS_KINDS, "ck_contracts_customer_address_kind"),
        Index(
            "uq_contracts_customer_address_default",
            "customer_id",
            "kind",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_customer.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str | None] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(400), nullable=False)
    postal_code: Mapped[str | None] = mapped_column(String(12), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses")

    def __str__(self) -> str:
        return f"{self.name}: {self.address}" if self.name else self.address


class Contact(db.Model):
    """A person to talk to at a customer."""

    __tablename__ = "contracts_contact"
    __audit__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_customer.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(40), default="")
    email: Mapped[str | None] = mapped_column(String(200), default="")
    wechat_id: Mapped[str | None] = mapped_column(String(80), default="")

    customer: Mapped[Customer] = relationship(back_populates="contacts")

    def __str__(self) -> str:
        return self.name


class Product(db.Model):
    """A kind of equipment: type, model, specification and manufacturer."""

    __tablename__ = "contracts_product"
    __audit__ = True
    __table_args__ = (UniqueConstraint("manufacturer", "model", name="uq_contracts_product_model"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_type: Mapped[str] = mapped_column(String(80), nullable=False)
    model: Mapped[str] = mapped_column(String(120), nullable=False)
    specification: Mapped[str | None] = mapped_column(String(400), default="")
    manufacturer: Mapped[str] = mapped_column(String(200), nullable=False)

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model}"


class Equipment(db.Model):
    """One unit under service, identified by its serial number (unique per product)."""

    __tablename__ = "contracts_equipment"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("product_id", "serial_number", name="uq_contracts_equipment_serial"),
        one_of("status", EQUIPMENT_STATUSES, "ck_contracts_equipment_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_product.id"), nullable=False, index=True
    )
    serial_number: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_customer.id"), nullable=False, index=True
    )
    site_address: Mapped[str | None] = mapped_column(String(400), default="")
    site_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts_customer_address.id"), index=True
    )
    installed_on: Mapped[datetime.date | None] = mapped_column(Date)
    warranty_end: Mapped[datetime.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=IN_SERVICE)

    product: Mapped[Product] = relationship()
    customer: Mapped[Customer] = relationship()
    site: Mapped[CustomerAddress | None] = relationship()

    def __str__(self) -> str:
        return self.serial_number


class ServiceLevel(db.Model):
    """Reusable service-level terms: service hours (a core calendar), mode and targets."""

    __tablename__ = "contracts_service_level"
    __audit__ = True
    __table_args__ = (one_of("service_mode", SERVICE_MODES, "ck_contracts_service_level_mode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    calendar_code: Mapped[str] = mapped_column(String(80), nullable=False, default="5x8")
    service_mode: Mapped[str] = mapped_column(String(10), nullable=False, default=ON_SITE)

    targets: Mapped[list[ServiceLevelTarget]] = relationship(
        back_populates="service_level",
        cascade="all, delete-orphan",
        order_by="ServiceLevelTarget.priority",
    )

    def __str__(self) -> str:
        return self.name


class ServiceLevelTarget(db.Model):
    """Response and resolution times (working hours of the calendar) for one priority."""

    __tablename__ = "contracts_service_level_target"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("service_level_id", "priority", name="uq_contracts_sl_target_priority"),
        one_of("priority", PRIORITIES, "ck_contracts_sl_target_priority"),
        CheckConstraint("response_hours > 0", name="ck_contracts_sl_target_response"),
        CheckConstraint(
            "resolution_hours >= response_hours", name="ck_contracts_sl_target_resolution"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_level_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_service_level.id"), nullable=False, index=True
    )
    priority: Mapped[str] = mapped_column(String(2), nullable=False)
    response_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    resolution_hours: Mapped[int] = mapped_column(Integer, nullable=False)

    service_level: Mapped[ServiceLevel] = relationship(back_populates="targets")

    def __str__(self) -> str:
        return f"{self.priority}: {self.response_hours}h / {self.resolution_hours}h"


class Contract(db.Model):
    """A service contract with its commercial terms, renewal terms and clauses."""

    __tablename__ = "contracts_contract"
    __audit__ = True
    __table_args__ = (
        one_of("state", CONTRACT_STATES, "ck_contracts_contract_state"),
        one_of("billing_cycle", BILLING_CYCLES, "ck_contracts_contract_billing"),
        one_of("renewal", RENEWAL_KINDS, "ck_contracts_contract_renewal"),
        CheckConstraint("end_date > start_date", name="ck_contracts_contract_dates"),
        CheckConstraint("fee >= 0", name="ck_contracts_contract_fee"),
        CheckConstraint("notice_days >= 0", name="ck_contracts_contract_notice"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_customer.id"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    start_date: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[datetime.date] = mapped_column(Date, nullable=False, index=True)
    service_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts_service_level.id"), index=True
    )
    fee: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(CurrencyCode(), nullable=False, default="CNY")
    billing_cycle: Mapped[str] = mapped_column(String(10), nullable=False, default="yearly")
    payment_terms: Mapped[str | None] = mapped_column(String(200), default="")
    renewal: Mapped[str] = mapped_column(String(10), nullable=False, default=EXPRESS_RENEWAL)
    renewal_months: Mapped[int] = mapped_column(Integer, nullable=False, default=12)
    notice_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    cancel_by: Mapped[datetime.date | None] = mapped_column(Date, index=True)
    confidentiality_clause: Mapped[str | None] = mapped_column(LongText(CLAUSE_LENGTH), default="")
    liability_clause: Mapped[str | None] = mapped_column(LongText(CLAUSE_LENGTH), default="")
    dispute_resolution: Mapped[str | None] = mapped_column(String(12))
    dispute_venue: Mapped[str | None] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(14), nullable=False, default=DRAFT, index=True)
    termination_reason: Mapped[str | None] = mapped_column(LongText(), default="")
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("contracts_contract.id"))
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )

    customer: Mapped[Customer] = relationship()
    manager: Mapped[User | None] = relationship(User)
    service_level: Mapped[ServiceLevel | None] = relationship()
    equipment_links: Mapped[list[ContractEquipment]] = relationship(
        back_populates="contract", cascade="all, delete-orphan"
    )
    entitlements: Mapped[list[Entitlement]] = relationship(
        back_populates="contract", cascade="all, delete-orphan"
    )
    ranges: Mapped[list[ContractRange]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractRange.id"
    )
    amendments: Mapped[list[ContractAmendment]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractAmendment.number"
    )
    versions: Mapped[list[ContractVersion]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractVersion.number"
    )

    def __str__(self) -> str:
        return self.number


class ContractEquipment(db.Model):
    """A unit covered by a contract."""

    __tablename__ = "contracts_contract_equipment"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("contract_id", "equipment_id", name="uq_contracts_contract_equipment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_contract.id"), nullable=False, index=True
    )
    equipment_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_equipment.id"), nullable=False, index=True
    )

    contract: Mapped[Contract] = relationship(back_populates="equipment_links")
    equipment: Mapped[Equipment] = relationship()


class ContractRange(db.Model):
    """A product range a contract covers: the customer's units of ``product_type``, narrowed
    to a ``manufacturer`` and a ``model`` when they are given (empty: any)."""

    __tablename__ = "contracts_contract_range"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint(
            "contract_id",
            "product_type",
            "manufacturer",
            "model",
            name="uq_contracts_contract_range",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_contract.id"), nullable=False, index=True
    )
    product_type: Mapped[str] = mapped_column(String(80), nullable=False)
    manufacturer: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    model: Mapped[str] = mapped_column(String(120), nullable=False, default="")

    contract: Mapped[Contract] = relationship(back_populates="ranges")

    def __str__(self) -> str:
        return " / ".join(p for p in (self.product_type, self.manufacturer, self.model) if p)


class Entitlement(db.Model):
    """What a contract covers for one kind of work, and how much a contract year.

    ``coverage`` ``all``: free without limit; ``amount``: free up to ``annual_amount`` (in the
    contract's currency) a contract year; ``count``: ``annual_count`` free occurrences (visits)
    a contract year; ``list`` (parts only): the part numbers listed in ``parts`` are free.
    ``discount_percent`` applies to what is not free (exact Decimal, stored as integer
    hundredths).
    """

    __tablename__ = "contracts_entitlement"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("contract_id", "kind", name="uq_contracts_entitlement_kind"),
        one_of("kind", ENTITLEMENT_KINDS, "ck_contracts_entitlement_kind"),
        one_of("coverage", COVERAGES, "ck_contracts_entitlement_coverage"),
        CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 10000",
            name="ck_contracts_entitlement_discount",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_contract.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    coverage: Mapped[str] = mapped_column(String(10), nullable=False, default=COVER_ALL)
    annual_amount: Mapped[Decimal | None] = mapped_column(MoneyAmount())
    annual_count: Mapped[int | None] = mapped_column(Integer)
    discount_percent: Mapped[Decimal] = mapped_column(
        MoneyAmount(), nullable=False, default=Decimal("0")
    )

    contract: Mapped[Contract] = relationship(back_populates="entitlements")
    usages: Mapped[list[EntitlementUsage]] = relationship(
        back_populates="entitlement", cascade="all, delete-orphan"
    )
    parts: Mapped[list[EntitlementPart]] = relationship(
        back_populates="entitlement",
        cascade="all, delete-orphan",
        order_by="EntitlementPart.part_number",
    )

    def __str__(self) -> str:
        return f"{self.contract.number if self.contract else ''} {self.kind}".strip()


class EntitlementPart(db.Model):
    """A part number (SKU) that a ``list`` parts entitlement makes free."""

    __tablename__ = "contracts_entitlement_part"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("entitlement_id", "part_number", name="uq_contracts_entitlement_part"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_entitlement.id"), nullable=False, index=True
    )
    part_number: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(String(200), default="")

    entitlement: Mapped[Entitlement] = relationship(back_populates="parts")

    def __str__(self) -> str:
        return self.part_number


class EntitlementUsage(db.Model):
    """Quota consumed against an entitlement (an amount or a number of visits)."""

    __tablename__ = "contracts_entitlement_usage"
    __audit__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_entitlement.id"), nullable=False, index=True
    )
    used_on: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False, default=Decimal("0"))
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reference: Mapped[str | None] = mapped_column(String(120), default="")

    entitlement: Mapped[Entitlement] = relationship(back_populates="usages")


class ContractAmendment(db.Model):
    """A change request to the terms of a contract in force.

    ``changes`` maps each changed term to its new value (JSON: dates ISO, money as a string,
    ``service_level`` an id, ``equipment`` the full list of covered unit ids). Both parties
    confirm it in writing (signers, date and the signed file) before it can be applied;
    applying it makes contract version ``version_number``.
    """

    __tablename__ = "contracts_amendment"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("contract_id", "number", name="uq_contracts_amendment_number"),
        one_of("state", AMENDMENT_STATES, "ck_contracts_amendment_state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_contract.id"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=AMENDMENT_DRAFT)
    reason: Mapped[str] = mapped_column(LongText(), nullable=False, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    customer_signer: Mapped[str | None] = mapped_column(String(120), default="")
    company_signer: Mapped[str | None] = mapped_column(String(120), default="")
    signed_on: Mapped[datetime.date | None] = mapped_column(Date)
    attachment_name: Mapped[str | None] = mapped_column(String(255), default="")
    attachment_path: Mapped[str | None] = mapped_column(String(255), default="")
    attachment_type: Mapped[str | None] = mapped_column(String(80), default="")
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    applied_on: Mapped[datetime.date | None] = mapped_column(Date)
    version_number: Mapped[int | None] = mapped_column(Integer)

    contract: Mapped[Contract] = relationship(back_populates="amendments")

    @property
    def signed_copy(self) -> tuple[int, str, int] | None:
        """``(id, original file name, size)`` of the stored signed copy, or ``None``."""
        if not self.attachment_path:
            return None
        return (self.id, self.attachment_name or "", self.attachment_size or 0)

    @property
    def label(self) -> str:
        """``CT-2026-00001/A2``."""
        return f"{self.contract.number}/A{self.number}" if self.contract else f"A{self.number}"

    def __str__(self) -> str:
        return self.label


class ContractVersion(db.Model):
    """A snapshot of a contract's terms and covered units; version 1 is the contract as
    activated, each applied amendment adds the next one."""

    __tablename__ = "contracts_contract_version"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("contract_id", "number", name="uq_contracts_contract_version_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_contract.id"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    applied_on: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("contracts_amendment.id"))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    contract: Mapped[Contract] = relationship(back_populates="versions")
    amendment: Mapped[ContractAmendment | None] = relationship()

    def __str__(self) -> str:
        return f"v{self.number}"


class ContractExpiryNotice(db.Model):
    """The contract manager was told that a contract term (its end date) is expiring: one
    row per contract and end date, so the daily job notifies once per term."""

    __tablename__ = "contracts_expiry_notice"
    __audit__ = False  # a delivery log, like core's notifications
    __table_args__ = (
        UniqueConstraint("contract_id", "end_date", name="uq_contracts_expiry_notice_term"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts_contract.id", ondelete="CASCADE"), nullable=False, index=True
    )
    end_date: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    notified_on: Mapped[datetime.date] = mapped_column(Date, nullable=False)


MODELS = [
    Customer,
    CustomerAddress,
    Contact,
    Product,
    Equipment,
    ServiceLevel,
    ServiceLevelTarget,
    Contract,
    ContractEquipment,
    ContractRange,
    Entitlement,
    EntitlementUsage,
    EntitlementPart,
    ContractAmendment,
    ContractVersion,
    ContractExpiryNotice,
]
