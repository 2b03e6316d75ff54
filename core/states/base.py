"""What a screen and an API of records with a state machine share: the declaration, the
check that the state is never typed, and who may run a transition."""

from __future__ import annotations

from typing import Any

from flask import abort

from core.states.machine import StateMachine, Transition


class StateHolder:
    """Base of :class:`~core.states.views.StatefulView` and
    :class:`~core.states.api.StatefulApi`: ``state_machine`` and ``state_field``."""

    state_machine: StateMachine | None = None
    state_field: str = "state"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("state_machine") is None:
            return
        for attr in ("add_columns", "edit_columns"):
            if cls.state_field in (getattr(cls, attr, None) or []):
                raise TypeError(
                    f"{cls.__name__}.{attr} lists {cls.state_field!r}, which only its state "
                    "actions change"
                )
        cls.declare_state_machine(cls.__dict__["state_machine"])

    @classmethod
    def declare_state_machine(cls, machine: StateMachine) -> None:
        """Add what ``machine`` needs to the class (actions, permissions); nothing here."""

    def machine(self) -> StateMachine:
        """The declared state machine."""
        machine = type(self).state_machine
        assert machine is not None, f"{type(self).__name__} has no state_machine"
        return machine

    def visible_record(self, pk: int) -> Any:
        """Record ``pk`` as this screen or API shows it (its row rules and base filters
        applied); 404 when there is none."""
        record = self.datamodel.get(pk, self._base_filters)  # type: ignore[attr-defined]
        if record is None:
            abort(404)
        return record

    def may_run(self, transition: Transition) -> bool:
        """Whether the signed-in user holds the permission ``transition`` needs on this
        screen's or API's object."""
        sm = self.appbuilder.sm  # type: ignore[attr-defined]
        return sm.has_access(f"can_{transition.permission}", self.class_permission_name)  # type: ignore[attr-defined]
