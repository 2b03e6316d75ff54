"""Screens of contracts. They only call services; refusals are flashed, nothing is saved."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired, Optional

from core.extensions import db
from core.security.permissions import MODEL_VIEW_PERMISSIONS, BusinessModelView
from plugins.contracts import services
from plugins.contracts.models import (
    Contact,
    Contract,
    ContractEquipment,
    Customer,
    Entitlement,
    Equipment,
    Product,
    ServiceLevel,
    ServiceLevelTarget,
)
from plugins.contracts.services import ContractError

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
}


CHOICES = {
    "kind": [("company", _("Company")), ("person", _("Person"))],
    "status": [
        ("in_service", _("In service")),
        ("out_of_service", _("Out of service")),
        ("scrapped", _("Scrapped")),
    ],
    "service_mode": [("on_site", _("On-site")), ("remote", _("Remote")), ("depot", _("Depot"))],
    "calendar_code": [("5x8", "5x8"), ("7x24", "7x24")],
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
    ],
}


def selects(*columns: str, **renamed: str) -> dict[str, SelectField]:
    """Drop-down fields for the enumerated columns (``kind="entitlement_kind"`` renames)."""
    fields = {c: SelectField(LABELS[c], choices=CHOICES[c]) for c in columns}
    for column, key in renamed.items():
        fields[column] = SelectField(LABELS[column], choices=CHOICES[key])
    return fields


def amounts(required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Exact decimal fields for money and percent columns (stored as integer hundredths,
    which Flask-AppBuilder would otherwise offer as whole numbers)."""
    fields: dict[str, Any] = {
        c: DecimalField(LABELS[c], places=2, validators=[InputRequired()]) for c in required
    }
    fields.update({c: DecimalField(LABELS[c], places=2, validators=[Optional()]) for c in optional})
    return fields


class _ContractsView(BusinessModelView):
    """Screens whose add/edit go through a service check; a refusal is flashed."""

    label_columns = LABELS
    prepare: Any = None

    def pre_add(self, item: Any) -> None:
        """Check the new record."""
        type(self).prepare(db.session, item)

    def pre_update(self, item: Any) -> None:
        """Check the edited record; on refusal drop the half-applied form values."""
        try:
            type(self).prepare(db.session, item)
        except ContractError:
            db.session.rollback()
            raise


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
    add_columns = edit_columns = show_columns = [
        "product",
        "serial_number",
        "customer",
        "site_address",
        "installed_on",
        "warranty_end",
        "status",
    ]
    search_columns = ["serial_number", "product", "customer", "status"]
    add_form_extra_fields = edit_form_extra_fields = selects("status")
    formatters_columns = {
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
    add_form_extra_fields = edit_form_extra_fields = selects("calendar_code", "service_mode")
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
    related_views = [ContractEquipmentView, EntitlementView]
    add_form_extra_fields = edit_form_extra_fields = {
        **selects("billing_cycle", "renewal", "dispute_resolution"),
        **amounts(required=("fee",)),
    }
    formatters_columns = {
        "state": lambda v: STATE_LABELS.get(v, v),
        "cancel_by": lambda v: v or "",
    }

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
        actions = {
            name: action
            for name, action in (actions or self.actions).items()
            if name not in services.ALLOWED_FROM or name in allowed
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
                    db.session, serial, at, request.args.get("kind") or "labour"
                )
            except (ContractError, ValueError) as exc:
                error = str(exc)
        return self.render_template(
            "contracts/coverage.html", serial=serial, answer=answer, error=error
        )
