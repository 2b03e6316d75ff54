"""REST endpoints of records with a :class:`~core.states.machine.StateMachine`.

Mix :class:`StatefulApi` in front of a business API and name the machine::

    class CardApi(StatefulApi, CheckedModelApi):
        state_machine = CARD_STATES
        state_field = "status"

* ``GET /api/v1/<resource>/<id>/actions``: the state, its label, and the actions the state
  allows that the caller may run (``name``, ``label``, ``needs_reason``);
* ``POST /api/v1/<resource>/<id>/actions/<name>`` with ``{"reason": "..."}`` when the
  action needs one: runs it; 409 when the state does not allow it, 422 without a needed
  reason, 403 without the action's permission, 404 for an unknown action or a record the
  caller may not see. The answer is the record's new state.

The state itself is read-only in create and change bodies (it is never in ``add_columns``
or ``edit_columns``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, g
from flask_appbuilder.api import expose, protect
from flask_babel import gettext
from marshmallow import Schema, fields, validate

from core.api_input import json_body
from core.errors import RuleError, answers_refusals
from core.extensions import db
from core.states.base import StateHolder
from core.states.machine import REASON_LENGTH, StateMachine


class StateActionBody(Schema):
    """The body of a state action: the reason, for the actions that need one."""

    reason = fields.String(load_default=None, validate=validate.Length(max=REASON_LENGTH))


class StatefulApi(StateHolder):
    """Mixin of a :class:`~core.security.permissions.BusinessModelApi` whose records have a
    state machine (see the module)."""

    @classmethod
    def declare_state_machine(cls, machine: StateMachine) -> None:
        """Listing actions needs ``read``; running one ``write`` (and the transition's own
        permission, checked when it runs)."""
        cls.method_permission_name = {
            **(getattr(cls, "method_permission_name", None) or {}),
            "state_actions": "read",
            "run_state_action": "write",
        }

    def _state_answer(self, record: Any) -> dict[str, Any]:
        machine = self.machine()
        state = getattr(record, self.state_field)
        return {
            "id": record.id,
            self.state_field: state,
            "state_label": machine.label(state),
            "actions": [
                {"name": t.name, "label": str(t.label), "needs_reason": t.needs_reason}
                for t in machine.available(record, self.state_field)
                if self.may_run(t)
            ],
        }

    @expose("/<int:pk>/actions", methods=["GET"])
    @protect()
    def state_actions(self, pk: int) -> Response:
        """The record's state and the actions the caller may run on it now.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200:
              description: the state, its label and the actions allowed now
            404:
              description: no such record, or one the caller may not see
        """
        return self.response(200, **self._state_answer(self.visible_record(pk)))  # type: ignore[attr-defined]

    @expose("/<int:pk>/actions/<string:name>", methods=["POST"])
    @protect()
    @json_body(StateActionBody)
    @answers_refusals
    def run_state_action(self, pk: int, name: str) -> Response:
        """Run state action ``name`` on the record.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: path
            name: name
            schema: {type: string}
          responses:
            200:
              description: the record's new state and the actions allowed now
            403:
              description: the caller may not run this action
            404:
              description: no such record or action
            409:
              description: the record's state does not allow the action
            422:
              description: the action needs a reason
        """
        machine = self.machine()
        record = self.visible_record(pk)
        transition = machine.transition(name)
        if not self.may_run(transition):
            raise RuleError(
                gettext(
                    "action: %(action)s needs the %(permission)s permission",
                    action=name,
                    permission=transition.permission,
                ),
                "action",
                403,
            )
        machine.move(db.session, record, name, reason=g.body["reason"], attr=self.state_field)
        db.session.commit()
        return self.response(200, **self._state_answer(record))  # type: ignore[attr-defined]
