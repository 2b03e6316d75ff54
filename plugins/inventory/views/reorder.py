"""Screens of reorder planning: the reorder rules and the reorder suggestions (with drafting
the purchase orders)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired

from core.crud import CheckedModelView
from core.extensions import db
from plugins.inventory.models import DEMAND, FIXED, RULE_METHODS, ReorderRule
from plugins.inventory.services import InventoryError, reorder
from plugins.inventory.views.common import LABELS, quantity

METHOD_LABELS = {FIXED: _("Fixed minimum and maximum"), DEMAND: _("Computed from demand")}
RULE_LABELS = {
    **LABELS,
    "method": _("Method"),
    "min_quantity": _("Minimum"),
    "max_quantity": _("Maximum"),
    "safety_stock": _("Safety Stock"),
    "lead_time_days": _("Lead Time (days)"),
    "usage_days": _("Usage Window (days)"),
    "reorder_point": _("Reorder Point"),
}


class ReorderRuleView(CheckedModelView):
    """Reorder rules per part and location."""

    datamodel = SQLAInterface(ReorderRule)
    route_base = "/inventory/reorder-rules"
    class_permission_name = "inventory_reorder"
    list_title = _("Reorder Rules")
    show_title = _("Reorder Rule")
    add_title = _("Add Reorder Rule")
    edit_title = _("Edit Reorder Rule")
    label_columns = RULE_LABELS
    list_columns = [
        "part.sku",
        "location.label",
        "method",
        "min_quantity",
        "max_quantity",
        "safety_stock",
        "lead_time_days",
        "reorder_point",
        "active",
    ]
    add_columns = edit_columns = [
        "part",
        "location",
        "method",
        "min_quantity",
        "max_quantity",
        "safety_stock",
        "lead_time_days",
        "usage_days",
        "active",
    ]
    show_columns = [*add_columns, "reorder_point"]
    search_columns = ["part", "location", "method", "active"]
    formatters_columns = {
        "method": lambda value: METHOD_LABELS.get(value, value),
        "lead_time_days": lambda value: "" if value is None else value,
        **{
            name: quantity
            for name in ("min_quantity", "max_quantity", "safety_stock", "reorder_point")
        },
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "method": SelectField(
            _("Method"),
            choices=[(m, METHOD_LABELS[m]) for m in RULE_METHODS],
            widget=Select2Widget(),
        ),
        **{
            name: DecimalField(RULE_LABELS[name], places=3, validators=[InputRequired()])
            for name in ("min_quantity", "max_quantity", "safety_stock")
        },
    }

    prepare = staticmethod(reorder.prepare_rule)

    def post_add(self, item: ReorderRule) -> None:
        """Create the rule's quant and compute a demand rule's reorder point."""
        reorder.save_rule(db.session, item)
        db.session.commit()

    def post_update(self, item: ReorderRule) -> None:
        """Recompute a demand rule's reorder point."""
        reorder.save_rule(db.session, item)
        db.session.commit()


class ReorderSuggestionView(BaseView):
    """What the rules suggest to order now, and the action that drafts purchase orders per
    preferred supplier (``can_write`` on ``inventory_reorder``)."""

    route_base = "/inventory/reorder"
    default_view = "suggestions"
    class_permission_name = "inventory_reorder"
    method_permission_name = {"suggestions": "read", "draft": "write"}

    @expose("/")
    @has_access
    def suggestions(self) -> Any:
        """The suggestions of every active rule, those to order first."""
        found = reorder.suggestions(db.session)
        found.sort(key=lambda s: (s.quantity <= 0, s.supplier or "", s.sku))
        return self.render_template(
            "inventory/reorder.html",
            suggestions=found,
            methods=METHOD_LABELS,
            quantity=quantity,
            to_order=sum(1 for s in found if s.quantity > 0),
            can_write=self.appbuilder.sm.has_access("can_write", self.class_permission_name),
        )

    @expose("/draft", methods=["POST"])
    @has_access
    def draft(self) -> Any:
        """Draft purchase orders from the suggestions."""
        try:
            result = reorder.draft_purchase_orders(db.session)
            db.session.commit()
        except InventoryError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("ReorderSuggestionView.suggestions"))
        if result.lines:
            numbers = ", ".join(order.number for order in result.orders)
            flash(
                ngettext(
                    "%(num)d line drafted on %(orders)s.",
                    "%(num)d lines drafted on %(orders)s.",
                    result.lines,
                    orders=numbers,
                ),
                "success",
            )
        else:
            flash(gettext("Nothing to draft: open orders cover every suggestion."), "info")
        if result.without_supplier:
            flash(
                gettext(
                    "No preferred supplier, not drafted: %(skus)s",
                    skus=", ".join(sorted({s.sku for s in result.without_supplier})),
                ),
                "warning",
            )
        return redirect(url_for("ReorderSuggestionView.suggestions"))
