"""Screens of contracts. They only call services; refusals are flashed, nothing is saved."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired, Optional

from core.crud import CheckedModelView
from core.extensions import db
from core.security.permissions import MODEL_VIEW_PERMISSIONS, BusinessModelView
from plugins.contracts import services
from plugins.contracts.models import (
    IN_FORCE,
    Contact,
    Contract,
    ContractAmendment,
    ContractEquipment,
    ContractRange,
    ContractVersion,
    Customer,
    CustomerAddress,
    Entitlement,
    EntitlementPart,
    Equipment,
    Product,
    ServiceLevel,
    ServiceLevelTarget,
)
from plugins.contracts.services import ContractError
from plugins.contracts.views.filters import ENDING_WITHIN_CHOICES, FilterEndingWithin, parse_days

STATE_LABELS = {
    "draft": _("Draft"),
    "under_review": _("Under review"),
    "active": _("Active"),
    "expiring": _("Expiring"),
    "expired": _("Expired"),
    "renewed": _("Renewed"),
    "terminated": _("Terminated"),
}

LABELS = {
    "kind": _("Kind"),
    "name": _("Name"),
    "tax_id": _("Unified Social Credit Code / Tax ID"),
    "address": _("Address"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "wechat_id": _("WeChat ID"),
    "customer": _("Customer"),
    "customer.name": _("Customer"),
    "product": _("Product"),
    "product.model": _("Model"),
    "product_type": _("Type"),
    "model": _("Model"),
    "specification": _("Specification"),
    "manufacturer": _("Manufacturer"),
    "serial_number": _("Serial Number"),
    "site_address": _("Site Address"),
    "installed_on": _("Installation Date"),
    "warranty_end": _("Warranty End"),
    "status": _("Status"),
    "calendar_code": _("Service Hours (calendar)"),
    "service_mode": _("Service Mode"),
    "targets": _("Targets per Priority"),
    "service_level": _("Service Level"),
    "priority": _("Priority"),
    "response_hours": _("Response (working hours)"),
    "resolution_hours": _("Resolution (working hours)"),
    "number": _("Number"),
    "title": _("Title"),
    "start_date": _("Start Date"),
    "end_date": _("End Date"),
    "fee": _("Fee"),
    "currency": _("Currency"),
    "billing_cycle": _("Billing Cycle"),
    "payment_terms": _("Payment Terms"),
    "renewal": _("Renewal"),
    "renewal_months": _("Renewal Length (months)"),
    "notice_days": _("Notice Period (days)"),
    "cancel_by": _("Cancel By"),
    "confidentiality_clause": _("Confidentiality Clause"),
    "liability_clause": _("Liability Clause"),
    "dispute_resolution": _("Dispute Resolution"),
    "dispute_venue": _("Venue"),
    "state": _("State"),
    "termination_reason": _("Termination Reason"),
    "contract": _("Contract"),
    "contract.number": _("Contract"),
    "equipment": _("Equipment"),
    "equipment.serial_number": _("Serial Number"),
    "coverage": _("Coverage"),
    "annual_amount": _("Free Amount a Year"),
    "annual_count": _("Free Times a Year"),
    "discount_percent": _("Discount on the Rest (%)"),
    "service_level_name": _("Service Level"),
    "label": _("Amendment"),
    "reason": _("Reason"),
    "changes": _("Changes"),
    "customer_signer": _("Signed for the Customer by"),
    "company_signer": _("Signed for Our Company by"),
    "signed_on": _("Signed On"),
    "attachment_name": _("Signed Copy"),
    "signed_copy": _("Signed Copy"),
    "applied_on": _("Applied On"),
    "version_number": _("Version"),
    "amendment": _("Amendment"),
    "terms": _("Terms"),
    "manager": _("Contract Manager"),
    "site": _("Site Address"),
    "postal_code": _("Postal Code"),
    "part_number": _("Part Number (SKU)"),
    "description": _("Description"),
    "entitlement": _("Entitlement"),
    "parts": _("Listed Parts"),
    "ranges": _("Product Ranges"),
    "is_default": _("Default"),
    "addresses": _("Addresses"),
}

AMENDMENT_STATE_LABELS = {
    "draft": _("Draft"),
    "confirmed": _("Confirmed"),
    "applied": _("Applied"),
    "withdrawn": _("Withdrawn"),
}


CHOICES = {
    "kind": [("company", _("Company")), ("person", _("Person"))],
    "address_kind": [
        ("registered", _("Registered address")),
        ("billing", _("Billing address")),
        ("site", _("Site address")),
        ("mailing", _("Mailing address")),
    ],
    "status": [
        ("in_service", _("In service")),
        ("out_of_service", _("Out of service")),
        ("scrapped", _("Scrapped")),
    ],
    "service_mode": [("on_site", _("On-site")), ("remote", _("Remote")), ("depot", _("Depot"))],
    "priority": [(p, p) for p in ("P1", "P2", "P3", "P4")],
    "billing_cycle": [
        ("monthly", _("Monthly")),
        ("quarterly", _("Quarterly")),
        ("yearly", _("Yearly")),
        ("one_off", _("One-off")),
    ],
    "renewal": [("express", _("Express renewal")), ("auto", _("Tacit (automatic) renewal"))],
    "dispute_resolution": [
        ("", ""),
        ("arbitration", _("Arbitration")),
        ("litigation", _("Litigation")),
    ],
    "entitlement_kind": [("labour", _("Labour")), ("parts", _("Parts")), ("visit", _("Visits"))],
    "coverage": [
        ("all", _("All free")),
        ("amount", _("Free up to an amount a year")),
        ("count", _("Free a number of times a year")),
        ("list", _("Free: the listed parts only")),
    ],
}


def selects(*columns: str, **renamed: str) -> dict[str, SelectField]:
    """Drop-down fields for the enumerated columns (``kind="entitlement_kind"`` renames)."""
    fields = {c: SelectField(LABELS[c], choices=CHOICES[c]) for c in columns}
    for column, key in renamed.items():
        fields[column] = SelectField(LABELS[column], choices=CHOICES[key])
    return fields


def choice_labels(*columns: str, **renamed: str) -> dict[str, Any]:
    """Formatters showing enumerated columns by their translated label, not their stored code
    (``kind="entitlement_kind"`` renames, as in :func:`selects`)."""
    keys = {**{c: c for c in columns}, **renamed}

    def label(key: str) -> Any:
        return lambda value: dict(CHOICES[key]).get(value, value) if value else ""

    return {column: label(key) for column, key in keys.items()}


def amounts(required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Exact decimal fields for money and percent columns (stored as integer hundredths,
    which Flask-AppBuilder would otherwise offer as whole numbers)."""
    fields: dict[str, Any] = {
        c: DecimalField(LABELS[c], places=2, validators=[InputRequired()]) for c in required
    }
    fields.update({c: DecimalField(LABELS[c], places=2, validators=[Optional()]) for c in optional})
    return fields


class _ContractsView(CheckedModelView):
    """Screens whose add/edit go through a service check; a refusal is flashed."""

    label_columns = LABELS


class CustomerAddressView(_ContractsView):
    """Addresses of a customer (shown inside the customer): one default per kind."""

    datamodel = SQLAInterface(CustomerAddress)
    route_base = "/contracts/customer-addresses"
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_address)
    list_title = _("Addresses")
    list_columns = ["customer.name", "kind", "name", "address", "postal_code", "is_default"]
    add_columns = edit_columns = show_columns = [
        "customer",
        "kind",
        "name",
        "address",
        "postal_code",
        "is_default",
    ]
    search_columns = ["customer", "kind", "address"]
    base_order = ("kind", "asc")
    label_columns = {**LABELS, "kind": _("Kind"), "name": _("Name")}
    add_form_extra_fields = edit_form_extra_fields = selects(kind="address_kind")
    formatters_columns = {
        **choice_labels(kind="address_kind"),
        "is_default": lambda v: "✓" if v else "",
    }

    def pre_delete(self, item: CustomerAddress) -> None:
        """An address units are installed at stays; a removed default hands over."""
        services.check_address_removal(db.session, item)


class CustomerView(_ContractsView):
    """Customers: companies (with their USCC) and persons."""

    datamodel = SQLAInterface(Customer)
    route_base = "/contracts/customers"
    class_permission_name = "contracts_customer"
    prepare = staticmethod(services.prepare_customer)
    list_title = _("Customers")
    list_columns = ["name", "kind", "tax_id", "phone", "email"]
    add_columns = edit_columns = ["kind", "name", "tax_id", "address", "phone", "email"]
    show_columns = add_columns
    search_columns = ["name", "kind", "tax_id", "phone"]
    base_order = ("name", "asc")
    add_form_extra_fields = edit_form_extra_fields = selects("kind")
    formatters_columns = choice_labels("kind")
    related_views = [CustomerAddressView]


class ContactView(_ContractsView):
    """Contacts of customers."""

    datamodel = SQLAInterface(Contact)
    route_base = "/contracts/contacts"
    class_permission_name = "contracts_contact"
    prepare = staticmethod(services.prepare_contact)
    list_title = _("Contacts")
    list_columns = ["name", "customer.name", "phone", "email", "wechat_id"]
    add_columns = edit_columns = show_columns = [
        "customer",
        "name",
        "phone",
        "email",
        "wechat_id",
    ]
    search_columns = ["name", "customer", "phone"]


class ProductView(_ContractsView):
    """Products: type, model, specification, manufacturer."""

    datamodel = SQLAInterface(Product)
    route_base = "/contracts/products"
    class_permission_name = "contracts_product"
    prepare = staticmethod(services.prepare_product)
    list_title = _("Products")
    list_columns = ["manufacturer", "model", "product_type", "specification"]
    add_columns = edit_columns = show_columns = [
        "product_type",
        "model",
        "specification",
        "manufacturer",
    ]
    search_columns = ["manufacturer", "model", "product_type"]


class EquipmentView(_ContractsView):
    """Units under service."""

    datamodel = SQLAInterface(Equipment)
    route_base = "/contracts/equipment"
    class_permission_name = "contracts_equipment"
    prepare = staticmethod(services.prepare_equipment)
    list_title = _("Equipment")
    list_columns = [
        "serial_number",
        "product.model",
        "customer.name",
        "installed_on",
        "warranty_end",
        "status",
    ]
    add_columns = edit_columns = [
        "product",
        "serial_number",
        "customer",
        "site",
        "installed_on",
        "warranty_end",
        "status",
    ]
    show_columns = [
        "product",
        "serial_number",
        "customer",
        "site_address",
        "installed_on",
        "warranty_end",
        "status",
    ]
    description_columns = {
        "site": _("One of the customer's site addresses; empty: the customer's default one"),
    }
    search_columns = ["serial_number", "product", "customer", "status"]
    add_form_extra_fields = edit_form_extra_fields = selects("status")
    formatters_columns = {
        **choice_labels("status"),
        "installed_on": lambda v: v or "",
        "warranty_end": lambda v: v or "",
    }


class ServiceLevelTargetView(_ContractsView):
    """Response and resolution times per priority (shown inside service-level terms)."""

    datamodel = SQLAInterface(ServiceLevelTarget)
    route_base = "/contracts/service-level-targets"
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_target)
    list_title = _("Targets per Priority")
    list_columns = ["priority", "response_hours", "resolution_hours"]
    add_columns = edit_columns = show_columns = [
        "service_level",
        "priority",
        "response_hours",
        "resolution_hours",
    ]
    add_form_extra_fields = edit_form_extra_fields = selects("priority")


class ServiceLevelView(_ContractsView):
    """Reusable service-level terms."""

    datamodel = SQLAInterface(ServiceLevel)
    route_base = "/contracts/service-levels"
    class_permission_name = "contracts_service_level"
    prepare = staticmethod(services.prepare_service_level)
    list_title = _("Service Levels")
    list_columns = ["name", "calendar_code", "service_mode"]
    add_columns = edit_columns = ["name", "calendar_code", "service_mode"]
    show_columns = ["name", "calendar_code", "service_mode"]
    add_form_extra_fields = edit_form_extra_fields = {
        **selects("service_mode"),
        # Read per form: calendars added under Admin > Calendars appear at once.
        "calendar_code": SelectField(
            LABELS["calendar_code"],
            choices=lambda: services.calendar_choices(db.session),
            description=_("Standard 5x8 / 7x24, or a calendar defined under Admin > Calendars"),
        ),
    }
    formatters_columns = choice_labels("service_mode")
    related_views = [ServiceLevelTargetView]


class ContractEquipmentView(_ContractsView):
    """Units covered by a contract (shown inside the contract)."""

    datamodel = SQLAInterface(ContractEquipment)
    route_base = "/contracts/covered-equipment"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_contract_equipment)
    list_title = _("Covered Equipment")
    list_columns = ["contract.number", "equipment.serial_number"]
    add_columns = edit_columns = show_columns = ["contract", "equipment"]


class ContractRangeView(_ContractsView):
    """Product ranges a contract covers (shown inside the contract): the customer's units
    of a product type, optionally of one manufacturer and model."""

    datamodel = SQLAInterface(ContractRange)
    route_base = "/contracts/product-ranges"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_contract_range)
    list_title = _("Product Ranges")
    list_columns = ["contract.number", "product_type", "manufacturer", "model"]
    add_columns = edit_columns = show_columns = [
        "contract",
        "product_type",
        "manufacturer",
        "model",
    ]
    description_columns = {
        "product_type": _("As on the products, e.g. Printer"),
        "manufacturer": _("Optional: only this manufacturer's units"),
        "model": _("Optional: only this model (with its manufacturer)"),
    }
    search_columns = ["contract", "product_type", "manufacturer"]

    def pre_delete(self, item: ContractRange) -> None:
        """Only while the contract may change."""
        services.check_range_removal(db.session, item)


class EntitlementPartView(_ContractsView):
    """Part numbers a parts entitlement covering a list makes free (inside the entitlement)."""

    datamodel = SQLAInterface(EntitlementPart)
    route_base = "/contracts/entitlement-parts"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement_part)
    list_title = _("Listed Parts")
    list_columns = ["part_number", "description"]
    add_columns = edit_columns = show_columns = ["entitlement", "part_number", "description"]
    search_columns = ["part_number", "entitlement"]
    base_order = ("part_number", "asc")

    def pre_delete(self, item: EntitlementPart) -> None:
        """Only while the contract may change."""
        services.check_entitlement_part_removal(db.session, item)


class EntitlementView(_ContractsView):
    """Entitlement lines of a contract (shown inside the contract)."""

    datamodel = SQLAInterface(Entitlement)
    route_base = "/contracts/entitlements"
    class_permission_name = "contracts_contract"
    prepare = staticmethod(services.prepare_entitlement)
    list_title = _("Entitlements")
    list_columns = ["kind", "coverage", "annual_amount", "annual_count", "discount_percent"]
    add_columns = edit_columns = show_columns = [
        "contract",
        "kind",
        "coverage",
        "annual_amount",
        "annual_count",
        "discount_percent",
    ]
    add_form_extra_fields = edit_form_extra_fields = selects("coverage", kind="entitlement_kind")
    related_views = [EntitlementPartView]
    formatters_columns = choice_labels("coverage", kind="entitlement_kind")


TERM_CHOICES = ("billing_cycle", "renewal", "dispute_resolution")


def term_text(term: str, value: Any) -> str:
    """A term's value as the screens show it (choices translated, unit lists joined)."""
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if term in TERM_CHOICES:
        return str(dict(CHOICES[term]).get(value, value))
    return str(value)


def changes_table(changes: dict[str, Any]) -> Markup:
    """An amendment's changes as an HTML table (service level and units by name)."""
    values = dict(changes or {})
    if values.get("service_level"):
        level = db.session.get(ServiceLevel, values["service_level"])
        values["service_level"] = level.name if level else values["service_level"]
    if "equipment" in values:
        serials = dict(
            db.session.execute(
                select(Equipment.id, Equipment.serial_number).where(
                    Equipment.id.in_(values["equipment"])
                )
            ).all()
        )
        values["equipment"] = [serials.get(i, i) for i in values["equipment"]]
    rows = "".join(
        f"<tr><th>{escape(str(LABELS.get(term, term)))}</th>"
        f"<td style='white-space: pre-wrap'>{escape(term_text(term, value))}</td></tr>"
        for term, value in values.items()
    )
    return Markup(f"<table class='table table-condensed amendment-changes'>{rows}</table>")


def terms_table(terms: dict[str, Any]) -> Markup:
    """A version's snapshot of terms as an HTML table."""
    rows = []
    for term in services.COMPARED_TERMS:
        value = terms.get(term)
        if term == "equipment":
            value = [u["serial"] for u in value or []]
        rows.append(
            f"<tr><th>{escape(str(LABELS.get(term, term)))}</th>"
            f"<td style='white-space: pre-wrap'>{escape(term_text(term, value))}</td></tr>"
        )
    return Markup(f"<table class='table table-condensed'>{''.join(rows)}</table>")


def _attachment_link(copy: tuple[int, str, int] | None) -> Markup:
    """The signed copy (``ContractAmendment.signed_copy``) as a download link."""
    if not copy:
        return Markup("")
    pk, name, size_bytes = copy
    url = url_for("AmendmentView.attachment", pk=pk)
    size = f"{size_bytes / 1024:.0f} KB" if size_bytes >= 1024 else f"{size_bytes} B"
    return Markup(f"<a href='{escape(url)}'>{escape(name)}</a> ({size})")


class _Shown(dict):
    """Actions offered on a show page; truthy even when empty (FAB would show them all)."""

    def __bool__(self) -> bool:
        return True


class AmendmentView(BusinessModelView):
    """Amendments of contracts in force: the new terms, why, and both parties' written
    confirmation. Add and edit open one form of every amendable term; confirm, apply
    (needs ``can_approve``) and withdraw are buttons."""

    datamodel = SQLAInterface(ContractAmendment)
    route_base = "/contracts/amendments"
    class_permission_name = "contracts_contract"
    method_permission_name = {
        **MODEL_VIEW_PERMISSIONS,
        "confirmation": "write",
        "attachment": "read",
        "action_confirm": "write",
        "action_withdraw": "write",
        "action_apply": "approve",
        "action_signatures": "write",
    }
    label_columns = LABELS
    list_title = _("Amendments")
    show_title = _("Amendment")
    list_columns = ["contract.number", "number", "state", "reason", "signed_on", "version_number"]
    show_columns = [
        "contract",
        "number",
        "state",
        "reason",
        "changes",
        "customer_signer",
        "company_signer",
        "signed_on",
        "signed_copy",
        "applied_on",
        "version_number",
    ]
    search_columns = ["contract", "state"]
    base_order = ("id", "desc")
    formatters_columns = {
        "state": lambda v: AMENDMENT_STATE_LABELS.get(v, v),
        "changes": changes_table,
        "signed_copy": _attachment_link,
        "signed_on": lambda v: v or "",
        "applied_on": lambda v: v or "",
        "version_number": lambda v: f"v{v}" if v else "",
    }

    def _get_show_widget(
        self,
        pk: Any,
        item: ContractAmendment,
        widgets: Any = None,
        actions: Any = None,
        show_fieldsets: Any = None,
    ) -> Any:
        """Only the actions the amendment's state allows; the signed copy as a link."""
        allowed = services.available_amendment_actions(item.state)
        if item.state == "draft":
            allowed.add("signatures")
        actions = _Shown({n: a for n, a in (actions or self.actions).items() if n in allowed})
        return super()._get_show_widget(pk, item, widgets, actions, show_fieldsets)

    def pre_delete(self, item: ContractAmendment) -> None:
        """Only a draft may be deleted (others are withdrawn and stay on record)."""
        if item.state != "draft":
            raise ContractError(
                gettext("state: only a draft amendment can be deleted; withdraw it"),
                "state",
                409,
            )

    def _form(self, contract: Contract, amendment: ContractAmendment | None) -> Any:
        """The amendment form: every amendable term with its current and new value."""
        current = services.contract_terms(db.session, contract)
        current["equipment"] = [u["id"] for u in current["equipment"]]
        proposed = {**current, **(amendment.changes if amendment else {})}
        if request.method == "POST":
            form = request.form
            changes: dict[str, Any] = {
                term: form.get(term, "") for term in services.AMENDABLE_TERMS[:-1]
            }
            changes["equipment"] = [int(v) for v in form.getlist("equipment") if v.isdigit()]
            reason = form.get("reason", "")
            try:
                if amendment is None:
                    amendment = services.create_amendment(db.session, contract, changes, reason)
                else:
                    services.update_amendment(db.session, amendment, changes=changes, reason=reason)
                db.session.commit()
                flash(gettext("Amendment %(label)s saved", label=amendment.label), "success")
                return redirect(url_for(".show", pk=amendment.id))
            except ContractError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                proposed = {**proposed, **changes}
        units = db.session.scalars(
            select(Equipment)
            .where(Equipment.customer_id == contract.customer_id)
            .order_by(Equipment.serial_number)
        ).all()
        levels = db.session.scalars(select(ServiceLevel).order_by(ServiceLevel.name)).all()
        return self.render_template(
            "contracts/amendment_form.html",
            contract=contract,
            amendment=amendment,
            current=current,
            proposed=proposed,
            reason=request.form.get("reason", amendment.reason if amendment else ""),
            terms=services.AMENDABLE_TERMS,
            labels=LABELS,
            choices=CHOICES,
            units=units,
            levels=levels,
            term_text=term_text,
        )

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self) -> Any:
        """New amendment of ``?contract=<id>`` (or the contract filter of the related list)."""
        contract_id = request.args.get("contract") or request.args.get("_flt_0_contract")
        contract = db.session.get(Contract, int(contract_id)) if contract_id else None
        if contract is None or not str(contract_id).isdigit():
            flash(gettext("contract: open the contract to amend and press New amendment"), "danger")
            return redirect(url_for("ContractView.list"))
        if contract.state not in IN_FORCE:
            flash(
                gettext(
                    "state: contract %(number)s is %(state)s; only an active or expiring "
                    "contract is amended (a draft is edited directly)",
                    number=contract.number,
                    state=STATE_LABELS.get(contract.state, contract.state),
                ),
                "danger",
            )
            return redirect(url_for("ContractView.show", pk=contract.id))
        return self._form(contract, None)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: Any) -> Any:
        """Change the terms and reason of a draft amendment."""
        amendment = db.session.get(ContractAmendment, int(pk))
        if amendment is None:
            flash(gettext("amendment: %(id)s does not exist", id=pk), "danger")
            return redirect(url_for(".list"))
        if amendment.state != "draft":
            flash(
                gettext(
                    "state: amendment %(label)s is %(state)s; only a draft changes",
                    label=amendment.label,
                    state=AMENDMENT_STATE_LABELS.get(amendment.state, amendment.state),
                ),
                "danger",
            )
            return redirect(url_for(".show", pk=amendment.id))
        return self._form(amendment.contract, amendment)

    @expose("/confirmation/<int:pk>", methods=["GET", "POST"])
    @has_access
    def confirmation(self, pk: int) -> Any:
        """Signers, date and signed copy of a draft; ``confirm`` also confirms it."""
        amendment = db.session.get(ContractAmendment, pk)
        if amendment is None:
            flash(gettext("amendment: %(id)s does not exist", id=pk), "danger")
            return redirect(url_for(".list"))
        if request.method == "POST":
            form = request.form
            try:
                signed_on = form.get("signed_on") or None
                services.update_amendment(
                    db.session,
                    amendment,
                    customer_signer=form.get("customer_signer", ""),
                    company_signer=form.get("company_signer", ""),
                    signed_on=services.parse_date(signed_on, "signed_on") if signed_on else None,
                )
                upload = request.files.get("attachment")
                if upload is not None and upload.filename:
                    services.attach_signed_copy(
                        db.session, amendment, upload.filename, upload.read()
                    )
                if form.get("confirm"):
                    services.confirm_amendment(db.session, amendment)
                db.session.commit()
                flash(gettext("Amendment %(label)s saved", label=amendment.label), "success")
                return redirect(url_for(".show", pk=pk))
            except ContractError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        return self.render_template(
            "contracts/amendment_confirm.html",
            amendment=amendment,
            types=", ".join(sorted(services.ATTACHMENT_TYPES)),
        )

    @expose("/attachment/<int:pk>")
    @has_access
    def attachment(self, pk: int) -> Any:
        """Download the signed copy under its original file name."""
        amendment = db.session.get(ContractAmendment, pk)
        path = services.attachment_file(amendment) if amendment else None
        if path is None or not path.is_file():
            abort(404)
        return send_file(
            path,
            mimetype=amendment.attachment_type or "application/octet-stream",
            as_attachment=True,
            download_name=amendment.attachment_name,
        )

    def _run(self, items: Any, name: str) -> Any:
        item = items[0] if isinstance(items, list) else items
        try:
            services.AMENDMENT_ACTIONS[name](db.session, item)
            db.session.commit()
            flash(
                gettext(
                    "Amendment %(label)s is now %(state)s",
                    label=item.label,
                    state=AMENDMENT_STATE_LABELS.get(item.state, item.state),
                ),
                "success",
            )
        except ContractError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for(".show", pk=item.id))

    @action("signatures", _("Signatures and signed copy"), None, "fa-pencil", multiple=False)
    def action_signatures(self, items: Any) -> Any:
        """Open the confirmation form (signers, date, signed copy)."""
        item = items[0] if isinstance(items, list) else items
        return redirect(url_for(".confirmation", pk=item.id))

    @action("confirm", _("Confirm"), _("Both parties signed this amendment?"), "fa-check", False)
    def action_confirm(self, items: Any) -> Any:
        """draft -> confirmed."""
        return self._run(items, "confirm")

    @action("apply", _("Apply"), _("Apply to the contract (new version)?"), "fa-gavel", False)
    def action_apply(self, items: Any) -> Any:
        """confirmed -> applied: the contract changes and gets a new version."""
        return self._run(items, "apply")

    @action("withdraw", _("Withdraw"), _("Withdraw this amendment?"), "fa-times", False)
    def action_withdraw(self, items: Any) -> Any:
        """draft/confirmed -> withdrawn."""
        return self._run(items, "withdraw")


class ContractVersionView(BusinessModelView):
    """Versions of a contract (read-only snapshots, shown inside the contract)."""

    datamodel = SQLAInterface(ContractVersion)
    route_base = "/contracts/versions"
    class_permission_name = "contracts_contract"
    include_route_methods = {"list", "show"}
    list_title = _("Versions")
    show_title = _("Contract Version")
    list_columns = ["contract.number", "number", "applied_on", "amendment.number"]
    show_columns = ["contract", "number", "applied_on", "amendment", "terms"]
    base_order = ("number", "asc")
    formatters_columns = {
        "number": lambda v: f"v{v}",
        "amendment.number": lambda v: f"A{v}" if v else "",
        "terms": terms_table,
    }
    label_columns = {**LABELS, "number": _("Version"), "amendment.number": _("Amendment")}


class ContractView(_ContractsView):
    """Service contracts. The state changes only through the action buttons, which call
    the lifecycle services; submit and return to draft need ``can_write``, the others
    ``can_approve``."""

    datamodel = SQLAInterface(Contract)
    route_base = "/contracts/contracts"
    class_permission_name = "contracts_contract"
    method_permission_name = {
        **MODEL_VIEW_PERMISSIONS,
        "action_submit": "write",
        "action_return_to_draft": "write",
        "action_activate": "approve",
        "action_mark_expiring": "approve",
        "action_expire": "approve",
        "action_renew": "approve",
        "terminate": "approve",
        "action_terminate": "approve",
        "action_history": "read",
        "action_service_report": "read",
        "action_amend": "write",
        "action_manager": "write",
        "manager": "write",
        "action_compare": "read",
        "compare": "read",
    }
    prepare = staticmethod(services.prepare_contract)
    list_title = _("Service Contracts")
    show_title = _("Service Contract")
    add_title = _("New Service Contract")
    list_columns = ["number", "customer.name", "title", "start_date", "end_date", "state"]
    add_columns = edit_columns = services.CONTRACT_FIELDS
    show_columns = [
        "number",
        "state",
        *services.CONTRACT_FIELDS,
        "cancel_by",
        "termination_reason",
    ]
    search_columns = ["number", "state", "customer", "title", "end_date"]
    base_order = ("number", "desc")
    related_views = [
        ContractEquipmentView,
        ContractRangeView,
        EntitlementView,
        AmendmentView,
        ContractVersionView,
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        **selects("billing_cycle", "renewal", "dispute_resolution"),
        **amounts(required=("fee",)),
    }
    formatters_columns = {
        **choice_labels(*TERM_CHOICES),
        "state": lambda v: STATE_LABELS.get(v, v),
        "cancel_by": lambda v: v or "",
        "manager": lambda v: v or "",
    }
    list_template = "contracts/contract_list.html"

    def _get_list_widget(self, filters: Any, **kwargs: Any) -> Any:
        """``?ending_within=N`` keeps the contracts in force ending within N days."""
        days = self._ending_within()
        if days:
            filters = filters.copy()
            filters.add_filter("end_date", FilterEndingWithin, str(days))
        return super()._get_list_widget(filters, **kwargs)

    def _ending_within(self) -> int | None:
        raw = request.args.get("ending_within")
        if raw is None:
            return None
        days = parse_days(raw)
        if days is None:
            flash(gettext("ending within: must be a whole number of days from 1 to 3650"), "danger")
        return days

    def render_template(self, template: str, **kwargs: Any) -> Any:
        """Tell the list template which "ending within" button is on."""
        kwargs.setdefault("ending_within", request.args.get("ending_within", type=int))
        kwargs.setdefault("ending_within_choices", ENDING_WITHIN_CHOICES)
        return super().render_template(template, **kwargs)

    def _get_show_widget(
        self,
        pk: Any,
        item: Contract,
        widgets: Any = None,
        actions: Any = None,
        show_fieldsets: Any = None,
    ) -> Any:
        """The contract page offers only the lifecycle actions its state allows."""
        allowed = services.available_actions(item.state)
        hidden = set() if item.state in IN_FORCE else {"amend"}
        if item.state in ("expired", "renewed", "terminated"):
            hidden.add("manager")
        if not item.versions:
            hidden.add("compare")
        actions = {
            name: action
            for name, action in (actions or self.actions).items()
            if (name not in services.ALLOWED_FROM or name in allowed) and name not in hidden
        }
        return super()._get_show_widget(pk, item, widgets, actions, show_fieldsets)

    def pre_delete(self, item: Contract) -> None:
        """Only a draft may be deleted."""
        if item.state != "draft":
            raise ContractError(
                gettext("state: only a draft contract can be deleted"), "state", 409
            )

    def _run(self, items: Any, name: str, *args: Any) -> Any:
        items = items if isinstance(items, list) else [items]
        for item in items:
            try:
                handler = services.ACTIONS[name]
                if name in ("mark_expiring", "expire"):
                    handler(db.session, item, services.company_today())
                else:
                    handler(db.session, item, *args)
                db.session.commit()
                flash(
                    gettext(
                        "%(number)s is now %(state)s",
                        number=item.number,
                        state=STATE_LABELS.get(item.state, item.state),
                    ),
                    "success",
                )
            except ContractError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        return redirect(self.get_redirect())

    @action("submit", _("Submit for review"), _("Submit for review?"), "fa-paper-plane")
    def action_submit(self, items: Any) -> Any:
        """draft -> under review."""
        return self._run(items, "submit")

    @action("return_to_draft", _("Return to draft"), _("Return to draft?"), "fa-undo")
    def action_return_to_draft(self, items: Any) -> Any:
        """under review -> draft."""
        return self._run(items, "return_to_draft")

    @action("activate", _("Approve and activate"), _("Activate?"), "fa-check")
    def action_activate(self, items: Any) -> Any:
        """under review -> active."""
        return self._run(items, "activate")

    @action("mark_expiring", _("Mark expiring"), _("Mark as expiring?"), "fa-hourglass-half")
    def action_mark_expiring(self, items: Any) -> Any:
        """active -> expiring."""
        return self._run(items, "mark_expiring")

    @action("expire", _("Expire"), _("Expire?"), "fa-hourglass-end")
    def action_expire(self, items: Any) -> Any:
        """active/expiring -> expired."""
        return self._run(items, "expire")

    @action("renew", _("Renew"), _("Renew for the renewal length?"), "fa-refresh")
    def action_renew(self, items: Any) -> Any:
        """active/expiring -> renewed, with an active successor."""
        return self._run(items, "renew")

    @action("terminate", _("Terminate"), None, "fa-ban", multiple=False)
    def action_terminate(self, items: Any) -> Any:
        """Open the termination form (the reason is required)."""
        item = items[0] if isinstance(items, list) else items
        return redirect(self.route_base + f"/terminate/{item.id}")

    @action("history", _("History"), None, "fa-history", multiple=False)
    def action_history(self, items: Any) -> Any:
        """The contract's audit trail (who changed what, when)."""
        from core.audit.service import audit_url

        item = items[0] if isinstance(items, list) else items
        return redirect(audit_url(item))

    @action("service_report", _("Service report"), None, "fa-file-pdf-o", multiple=False)
    def action_service_report(self, items: Any) -> Any:
        """The contract's service report, with its period form and PDF download."""
        item = items[0] if isinstance(items, list) else items
        return redirect(f"/contracts/report/{item.id}/")

    @action("amend", _("New amendment"), None, "fa-pencil-square-o", multiple=False)
    def action_amend(self, items: Any) -> Any:
        """Open a new amendment of this contract (active or expiring only)."""
        item = items[0] if isinstance(items, list) else items
        return redirect(url_for("AmendmentView.add", contract=item.id))

    @action("manager", _("Contract manager"), None, "fa-user", multiple=False)
    def action_manager(self, items: Any) -> Any:
        """Open the form naming the contract manager."""
        item = items[0] if isinstance(items, list) else items
        return redirect(url_for(".manager", pk=item.id))

    @expose("/manager/<int:pk>", methods=["GET", "POST"])
    @has_access
    def manager(self, pk: int) -> Any:
        """Name the contract manager (told when the contract is expiring)."""
        contract = db.session.get(Contract, pk)
        if contract is None:
            abort(404)
        if request.method == "POST":
            chosen = request.form.get("manager", "")
            try:
                services.assign_manager(
                    db.session, contract, int(chosen) if chosen.isdigit() else None
                )
                db.session.commit()
                flash(gettext("Contract manager saved"), "success")
                return redirect(url_for(".show", pk=pk))
            except ContractError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        users = db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.first_name, User.last_name)
        ).all()
        return self.render_template("contracts/manager.html", contract=contract, users=users)

    @action("compare", _("Compare versions"), None, "fa-columns", multiple=False)
    def action_compare(self, items: Any) -> Any:
        """Open the comparison of this contract's versions."""
        item = items[0] if isinstance(items, list) else items
        return redirect(url_for(".compare", pk=item.id))

    @expose("/compare/<int:pk>")
    @has_access
    def compare(self, pk: int) -> Any:
        """Two versions of a contract side by side (``?from=1&to=2``; default the last two)."""
        contract = db.session.get(Contract, pk)
        if contract is None:
            abort(404)
        versions = list(contract.versions)
        rows, error, first, second = [], None, None, None
        if versions:
            last = versions[-1].number
            try:
                first = services.get_version(
                    db.session, contract, request.args.get("from") or max(last - 1, 1), "from"
                )
                second = services.get_version(
                    db.session, contract, request.args.get("to") or last, "to"
                )
                rows = services.compare_versions(first, second)
            except ContractError as exc:
                error = str(exc)
        return self.render_template(
            "contracts/compare.html",
            contract=contract,
            versions=versions,
            first=first,
            second=second,
            rows=rows,
            error=error,
            labels=LABELS,
            term_text=term_text,
        )

    @expose("/terminate/<int:pk>", methods=["GET", "POST"])
    @has_access
    def terminate(self, pk: int) -> Any:
        """active/expiring -> terminated, with the reason posted as ``reason``."""
        contract = db.session.get(Contract, pk)
        if contract is None:
            flash(gettext("contract: %(id)s does not exist", id=pk), "danger")
            return redirect(self.route_base + "/list/")
        if request.method == "POST":
            self._run(contract, "terminate", request.form.get("reason", ""))
            if contract.state == "terminated":
                return redirect(self.route_base + f"/show/{pk}")
        return self.render_template("contracts/terminate.html", contract=contract)


class CoverageView(BaseView):
    """The coverage check: what covers a unit on a date for a kind of work."""

    route_base = "/contracts/coverage"
    default_view = "check"
    class_permission_name = "contracts_coverage"
    method_permission_name = {"check": "read"}

    @expose("/")
    @has_access
    def check(self) -> Any:
        """Form and answer for ``?serial=...&at=...&kind=...``."""
        serial = (request.args.get("serial") or "").strip()
        answer, error = None, None
        if serial:
            try:
                import datetime

                at_text = request.args.get("at") or ""
                at = datetime.date.fromisoformat(at_text) if at_text else services.company_today()
                answer = services.coverage(
                    db.session,
                    serial,
                    at,
                    request.args.get("kind") or "labour",
                    request.args.get("part") or None,
                )
            except (ContractError, ValueError) as exc:
                error = str(exc)
        return self.render_template(
            "contracts/coverage.html", serial=serial, answer=answer, error=error
        )


class ContractCalendarView(BaseView):
    """Upcoming cancel-by and end dates across contracts, grouped by month."""

    route_base = "/contracts/calendar"
    default_view = "upcoming"
    class_permission_name = "contracts_contract"
    method_permission_name = {"upcoming": "read"}

    @expose("/")
    @has_access
    def upcoming(self) -> Any:
        """``?days=N`` (default 90)."""
        text = request.args.get("days", "90")
        today = services.company_today()
        months, error = [], None
        try:
            months = services.by_month(services.upcoming_dates(db.session, today, text))
        except ContractError as exc:
            error = str(exc)
        return self.render_template(
            "contracts/calendar.html",
            months=months,
            days=text,
            today=today,
            error=error,
            state_labels=STATE_LABELS,
        )
