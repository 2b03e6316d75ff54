"""A record's state: the states it may be in, the actions that move it, and the one ``move``
that every screen, API and job calls.

Declared once, next to the model::

    CARD_STATES = StateMachine(
        states=[State("active", _("Active")), State("expired", _("Expired")),
                State("void", _("Void"), closed=True)],
        transitions=[
            Transition("expire", _("Expire"), ["active"], "expired"),
            Transition("void", _("Void"), ["active", "expired"], "void", needs_reason=True),
            Transition("reinstate", _("Reinstate"), ["void"], "active"),
        ],
        reason_column="status_reason",
    )

    class Card(db.Model):
        __table_args__ = (CARD_STATES.check("status", "ck_cards_card_status"),)
        status: Mapped[str] = CARD_STATES.column()
        status_reason: Mapped[str | None] = CARD_STATES.reason_column_type()

The machine gives the column (``nullable=False``, the initial state as default, indexed) and
its CHECK constraint (the database refuses any other value), the translated labels, the
actions a record allows now, and :meth:`StateMachine.move`, which refuses an action the state
does not allow (409), or one that needs a reason given none (422), before changing anything;
then sets the state (and the reason), flushes (so the audit log records both) and publishes
:class:`StateChanged`. :mod:`core.states.views` and :mod:`core.states.api` turn the same
declaration into buttons, a status bar and REST endpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask_babel import gettext
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import MappedColumn, Session, mapped_column

from core.column_limits import LongText
from core.errors import RuleError
from core.events import Event, publish

#: The longest reason a move keeps (the reason column's limit).
REASON_LENGTH = 1000


def one_of(column: str, values: Iterable[str], name: str) -> CheckConstraint:
    """A CHECK constraint named ``name``: ``column`` holds one of ``values``."""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


@dataclass(frozen=True)
class State:
    """One state: its stored ``key``, its label (a ``lazy_gettext`` string) and whether it is
    ``closed`` (a final state: the status bar shows it only when the record is in it)."""

    key: str
    label: Any
    closed: bool = False


@dataclass(frozen=True)
class Transition:
    """An action that moves a record from one of ``sources`` to ``target``.

    ``permission`` is the permission on the record's object that the action needs (default
    ``write``: ``can_write``); ``needs_reason`` makes the user give one; ``allowed`` is an
    extra rule, ``(record) -> message or None``, checked after the state (a refusal 409);
    ``icon`` a Font Awesome name for the button.
    """

    name: str
    label: Any
    sources: Sequence[str]
    target: str
    needs_reason: bool = False
    permission: str = "write"
    allowed: Callable[[Any], str | None] | None = None
    icon: str = "fa-arrow-right"


@dataclass(frozen=True)
class StateChanged(Event):
    """A record moved to another state through :meth:`StateMachine.move`."""

    name: ClassVar[str] = "core.record.state_changed"
    table: str
    record_id: int
    action: str
    from_state: str
    to_state: str
    reason: str | None = None


@dataclass
class StateMachine:
    """The states of one kind of record and the transitions between them (see the module)."""

    states: Sequence[State]
    transitions: Sequence[Transition]
    initial: str | None = None
    reason_column: str | None = None
    by_key: dict[str, State] = field(init=False, repr=False)
    by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_key = {state.key: state for state in self.states}
        self.by_name = {transition.name: transition for transition in self.transitions}
        self.initial = self.initial or self.states[0].key
        problems = []
        if self.initial not in self.by_key:
            problems.append(f"initial state {self.initial!r} is not a state")
        for transition in self.transitions:
            unknown = [k for k in (*transition.sources, transition.target) if k not in self.by_key]
            problems += [f"transition {transition.name!r}: unknown state {k!r}" for k in unknown]
        if len(self.by_key) != len(self.states) or len(self.by_name) != len(self.transitions):
            problems.append("state keys and transition names must be unique")
        if problems:
            raise ValueError("; ".join(problems))

    # --- the model --------------------------------------------------------------------------

    @property
    def keys(self) -> tuple[str, ...]:
        """The state keys, in declaration order."""
        return tuple(self.by_key)

    def column(self, **options: Any) -> MappedColumn[Any]:
        """The state column: long enough for every key, required, the initial state by
        default, indexed (lists filter on it)."""
        width = max(len(key) for key in self.keys)
        settings = {"nullable": False, "default": self.initial, "index": True, **options}
        return mapped_column(String(max(width, 10)), **settings)

    def reason_column_type(self) -> MappedColumn[Any]:
        """The column keeping the reason of the last move that needed one."""
        return mapped_column(LongText(REASON_LENGTH), nullable=True)

    def check(self, column: str, name: str) -> CheckConstraint:
        """The CHECK constraint that keeps ``column`` to the declared states."""
        return one_of(column, self.keys, name)

    # --- reading ----------------------------------------------------------------------------

    def label(self, key: str | None) -> str:
        """The translated label of state ``key`` (the key itself when it is not declared)."""
        state = self.by_key.get(key or "")
        return str(state.label) if state is not None else (key or "")

    def available(self, record: Any, attr: str = "state") -> list[Transition]:
        """The transitions ``record`` allows now, in declaration order."""
        current = getattr(record, attr)
        return [
            t
            for t in self.transitions
            if current in t.sources and (t.allowed is None or t.allowed(record) is None)
        ]

    # --- moving -----------------------------------------------------------------------------

    def transition(self, name: str) -> Transition:
        """The transition called ``name``; a 404 refusal naming ``action`` when none is."""
        found = self.by_name.get(name)
        if found is None:
            raise RuleError(gettext("action: %(action)s is unknown", action=name), "action", 404)
        return found

    def refusal(self, record: Any, name: str, attr: str = "state") -> RuleError | None:
        """Why ``record`` may not take transition ``name`` now, or ``None``."""
        transition = self.transition(name)
        current = getattr(record, attr)
        if current not in transition.sources:
            return RuleError(
                gettext(
                    "%(field)s: cannot %(action)s while it is %(state)s (allowed from: "
                    "%(allowed)s)",
                    field=attr,
                    action=str(transition.label),
                    state=self.label(current),
                    allowed=", ".join(self.label(key) for key in transition.sources),
                ),
                attr,
                409,
            )
        problem = transition.allowed(record) if transition.allowed else None
        return RuleError(problem, attr, 409) if problem else None

    def move(
        self,
        session: Session,
        record: Any,
        name: str,
        *,
        reason: str | None = None,
        attr: str = "state",
    ) -> Any:
        """Run transition ``name`` on ``record``: refuse it (nothing changes) or set the new
        state and the reason, flush and publish :class:`StateChanged`. Returns ``record``."""
        transition = self.transition(name)
        refusal = self.refusal(record, name, attr)
        if refusal is not None:
            raise refusal
        reason = (reason or "").strip() or None
        if transition.needs_reason and reason is None:
            raise RuleError(
                gettext("reason: is required to %(action)s", action=str(transition.label)),
                "reason",
            )
        if reason is not None and len(reason) > REASON_LENGTH:
            raise RuleError(
                gettext("reason: at most %(max)d characters", max=REASON_LENGTH), "reason"
            )
        previous = getattr(record, attr)
        setattr(record, attr, transition.target)
        if self.reason_column is not None:
            setattr(record, self.reason_column, reason)
        session.flush()
        publish(
            session,
            StateChanged(
                table=record.__tablename__,
                record_id=record.id,
                action=name,
                from_state=previous,
                to_state=transition.target,
                reason=reason,
            ),
        )
        return record
