"""Screens of amendments: the form of new terms, the confirmation by both parties, the
signed copy, and the confirm/apply/withdraw buttons."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from core.extensions import db
from core.security.permissions import MODEL_VIEW_PERMISSIONS, BusinessModelView
from plugins.contracts import services
from plugins.contracts.models import IN_FORCE, Contract, ContractAmendment, Equipment, ServiceLevel
from plugins.contracts.services import ContractError
from plugins.contracts.services.labels import AMENDMENT_STATE_LABELS, CHOICES, LABELS, STATE_LABELS
from plugins.contracts.views.common import term_text


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
