"""The service contract screen: its lifecycle buttons, manager, version comparison and
termination form. It only calls services; refusals are flashed, nothing is saved."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import select

from core.extensions import db
from core.security.permissions import MODEL_VIEW_PERMISSIONS
from plugins.contracts import services
from plugins.contracts.models import IN_FORCE, Contract
from plugins.contracts.services import ContractError
from plugins.contracts.services.labels import LABELS, STATE_LABELS
from plugins.contracts.views.amendments import AmendmentView
from plugins.contracts.views.common import (
    TERM_CHOICES,
    ContractsView,
    amounts,
    choice_labels,
    selects,
    term_text,
)
from plugins.contracts.views.entitlements import EntitlementView
from plugins.contracts.views.filters import ENDING_WITHIN_CHOICES, FilterEndingWithin, parse_days
from plugins.contracts.views.scope import ContractEquipmentView, ContractRangeView
from plugins.contracts.views.versions import ContractVersionView


class ContractView(ContractsView):
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
