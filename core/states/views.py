"""Screens of records with a :class:`~core.states.machine.StateMachine`: one button per
action the record's state allows, a status bar, the state's label in lists, a reason form.

Mix :class:`StatefulView` in front of a business screen and name the machine::

    class CardView(StatefulView, CheckedModelView):
        state_machine = CARD_STATES
        state_field = "status"

Every transition becomes a Flask-AppBuilder action ``state_<name>`` (permission: the
transition's, ``can_write`` by default) shown on the record's page only while the state
allows it. An action that needs a reason opens ``/<route_base>/state/<id>/<name>``, a form
asking for it. Refusals are flashed; the record's page is shown again. The state is never a
form field: declaring it in ``add_columns``/``edit_columns`` stops start-up.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext

from core.errors import RuleError
from core.extensions import db
from core.states.base import StateHolder
from core.states.machine import StateMachine, Transition


def _action_for(transition: Transition) -> Any:
    def run(self: StatefulView, items: Any) -> Any:
        record = items[0] if isinstance(items, list) else items
        return self.state_action(record, transition.name)

    run.__name__ = f"state_{transition.name}"
    run.__doc__ = f"Run the state action {transition.name!r} on one record."
    label, icon = transition.label, transition.icon
    return action(transition.name, label, None, icon, multiple=False)(run)


class StatefulView(StateHolder):
    """Mixin of a :class:`~core.security.permissions.BusinessModelView` whose records have a
    state machine (see the module)."""

    show_template = "aftersales/state_show.html"
    reason_template = "aftersales/state_reason.html"

    @classmethod
    def declare_state_machine(cls, machine: StateMachine) -> None:
        """One action per transition, with the transition's permission; the state's label
        in lists and pages; "Reason" as the reason column's label unless the screen has one."""
        permissions = dict(getattr(cls, "method_permission_name", None) or {})
        for transition in machine.transitions:
            setattr(cls, f"state_{transition.name}", _action_for(transition))
            permissions[f"state_{transition.name}"] = transition.permission
        permissions["state_reason"] = "write"
        cls.method_permission_name = permissions
        formatters = {**(getattr(cls, "formatters_columns", None) or {})}
        formatters[cls.state_field] = machine.label
        if machine.reason_column is not None:  # empty, not "None", before any reason
            formatters[machine.reason_column] = lambda reason: reason or ""
            labels = {**(getattr(cls, "label_columns", None) or {})}
            labels.setdefault(machine.reason_column, lazy_gettext("Reason"))
            cls.label_columns = labels
        cls.formatters_columns = formatters

    # --- what the page shows ---------------------------------------------------------------

    def record_title(self, record: Any) -> str:
        """How messages name ``record``: its number, else its name, else the screen title."""
        for attr in ("number", "card_number", "name", "title"):
            value = getattr(record, attr, None)
            if value:
                return str(value)
        return str(getattr(self, "show_title", "") or record.id)

    def state_bar(self, record: Any) -> list[dict[str, Any]]:
        """The status bar: the open states in order and a closed one only when current."""
        machine = self.machine()
        current = getattr(record, self.state_field)
        return [
            {"label": str(state.label), "current": state.key == current}
            for state in machine.states
            if not state.closed or state.key == current
        ]

    def _get_show_widget(
        self, pk: Any, item: Any, widgets: Any = None, actions: Any = None, **kwargs: Any
    ) -> Any:
        """The record's page: the status bar, and only the actions its state allows."""
        machine = self.machine()
        allowed = {t.name for t in machine.available(item, self.state_field) if self.may_run(t)}
        actions = {
            name: act
            for name, act in (actions or self.actions).items()  # type: ignore[attr-defined]
            if name not in machine.by_name or name in allowed
        }
        widgets = super()._get_show_widget(pk, item, widgets, actions, **kwargs)  # type: ignore[misc]
        widgets["state_bar"] = self.state_bar(item)
        return widgets

    # --- running an action ------------------------------------------------------------------

    def _show_url(self, record: Any) -> str:
        return f"{self.route_base}/show/{record.id}"  # type: ignore[attr-defined]

    def state_action(self, record: Any, name: str) -> Any:
        """The button: run the action, or open the reason form when it needs one."""
        transition = self.machine().transition(name)
        if transition.needs_reason:
            return redirect(f"{self.route_base}/state/{record.id}/{name}")  # type: ignore[attr-defined]
        self.run_state_action(record, name, None)
        return redirect(self._show_url(record))

    def run_state_action(self, record: Any, name: str, reason: str | None) -> bool:
        """Move ``record`` and commit, flashing the new state; a refusal is flashed and
        rolled back (``False``)."""
        machine = self.machine()
        try:
            machine.move(db.session, record, name, reason=reason, attr=self.state_field)
            db.session.commit()
        except RuleError as refusal:
            db.session.rollback()
            flash(refusal.message, "danger")
            return False
        flash(
            gettext(
                "%(record)s is now %(state)s.",
                record=self.record_title(record),
                state=machine.label(getattr(record, self.state_field)),
            ),
            "success",
        )
        return True

    @expose("/state/<int:pk>/<string:name>", methods=["GET", "POST"])
    @has_access
    def state_reason(self, pk: int, name: str) -> Any:
        """The form of an action that needs a reason; POST runs it."""
        machine = self.machine()
        transition = machine.by_name.get(name)
        if transition is None:
            abort(404)
        record = self.visible_record(pk)
        if not self.may_run(transition):
            abort(403)
        if request.method == "POST":
            reason = request.form.get("reason", "")
            if self.run_state_action(record, name, reason):
                return redirect(self._show_url(record))
            record = self.visible_record(pk)
        return self.render_template(  # type: ignore[attr-defined]
            self.reason_template,
            title=transition.label,
            record_title=self.record_title(record),
            state=machine.label(getattr(record, self.state_field)),
            back=self._show_url(record),
            reason=request.form.get("reason", ""),
        )
