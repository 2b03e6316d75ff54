"""State fields: a record's states, the actions between them, and their screens and API.

* :mod:`core.states.machine`: :class:`StateMachine`, :class:`State`, :class:`Transition`
  (the column, its CHECK constraint, labels, and ``move``), :class:`StateChanged` (the event
  every move publishes) and :func:`one_of` (a CHECK constraint for any list of values);
* :mod:`core.states.views`: :class:`StatefulView`, buttons, status bar and reason form;
* :mod:`core.states.api`: :class:`StatefulApi`, ``/<id>/actions`` endpoints.
"""

from core.states.machine import State, StateChanged, StateMachine, Transition, one_of

__all__ = ["State", "StateChanged", "StateMachine", "Transition", "one_of"]
