"""Domain events: how plugins tell each other what happened without importing each other.

A plugin declares its events in its ``events.py`` as frozen dataclasses::

    @dataclass(frozen=True)
    class WorkOrderDone(Event):
        name: ClassVar[str] = "maintenance.work_order.done"
        work_order_id: int
        contract_id: int

and publishes them from a service, inside the transaction that did the work::

    publish(session, WorkOrderDone(work_order_id=wo.id, contract_id=wo.contract_id))

Two kinds of handlers receive them (see :mod:`core.hookspecs`):

* ``aftersales_on_event(session, event)`` runs at once, inside the publisher's transaction:
  what it writes commits or rolls back with the publisher's work, and an exception it raises
  propagates out of :func:`publish` (the caller then rolls back: nothing is written);
* ``aftersales_after_commit(event)`` runs only after that transaction committed (mail,
  webhooks, caches). It never runs when the transaction rolled back (including a rolled-back
  savepoint the event was published in) or was closed without a commit; its errors are
  logged, never raised, because the data is already committed.

Handlers run in dependency order: a plugin's dependencies' handlers first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

if TYPE_CHECKING:
    from core.plugins import PluginHooks

log = logging.getLogger(__name__)

# Keys in ``Session.info``.
_PENDING = "aftersales.events.pending"  # published in the open transaction
_READY = "aftersales.events.ready"  # its root transaction committed; deliver at its end


@dataclass(frozen=True)
class Event:
    """Base of every domain event: a frozen dataclass with a dotted ``name``.

    Subclasses set ``name: ClassVar[str] = "<plugin>.<thing>.<what happened>"`` and carry
    ids and plain values (not ORM objects: after-commit handlers run after the session's
    objects have expired).
    """

    name: ClassVar[str] = "event"


@dataclass
class _Pending:
    event: Event
    hooks: PluginHooks
    transaction: SessionTransaction | None


_captures: list[tuple[type[Event], list[Event]]] = []
_captures_lock = threading.Lock()


def publish(session: Session, event: Event, *, hooks: PluginHooks | None = None) -> None:
    """Publish ``event`` inside ``session``'s transaction.

    In-transaction handlers run now (an exception propagates: roll back). The event is then
    queued in ``session.info`` and delivered to after-commit handlers once the session's
    outermost transaction commits; it is dropped if that transaction, or the savepoint it was
    published in, rolls back. ``hooks`` defaults to the current app's hook facade.
    """
    if not isinstance(event, Event):
        raise TypeError(f"publish() needs a core.events.Event, not {type(event).__name__}")
    if hooks is None:
        from core.runtime import hooks as current_hooks

        hooks = current_hooks()
    session = _real(session)
    if session.get_transaction() is None:
        session.begin()  # so that the event belongs to a transaction whose end we will see
    hooks.on_event(session, event)
    with _captures_lock:
        for kind, found in _captures:
            if isinstance(event, kind):
                found.append(event)
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append(_Pending(event, hooks, transaction))


def pending_events(session: Session) -> list[Event]:
    """Events published in ``session``'s open transaction, not yet delivered after commit."""
    return [p.event for p in _real(session).info.get(_PENDING, [])]


def _real(session: Session | scoped_session[Session]) -> Session:
    """The session behind a ``scoped_session`` such as ``db.session``."""
    return session() if isinstance(session, scoped_session) else session


@contextmanager
def events_published(kind: type[Event] = Event) -> Iterator[list[Event]]:
    """Collect the events of type ``kind`` published (in any session) inside the block.

    ::

        with events_published(WorkOrderDone) as events:
            complete_work_order(session, wo)
        assert [e.work_order_id for e in events] == [wo.id]
    """
    found: list[Event] = []
    entry = (kind, found)
    with _captures_lock:
        _captures.append(entry)
    try:
        yield found
    finally:
        with _captures_lock:
            _captures.remove(entry)


# --- delivery after commit: SQLAlchemy session events, on every Session (registered once) -----


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Whether ``transaction`` is ``ended`` or one of its savepoints/subtransactions."""
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            p for p in pending if not _inside(p.transaction, previous_transaction)
        ]


@sa_event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    # Also called when a savepoint is released; only the outermost commit counts.
    if session.get_nested_transaction() is not None:
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


@sa_event.listens_for(Session, "after_transaction_end")
def _deliver_after_commit(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    # The outermost transaction is over: committed events go out, anything else is dropped.
    # The session has no transaction now, so handlers may use it (it begins a fresh one).
    dropped = session.info.pop(_PENDING, None)
    if dropped:
        log.debug("dropping %d events of a transaction that did not commit", len(dropped))
    ready = session.info.pop(_READY, None)
    for item in ready or ():
        try:
            item.hooks.after_commit(item.event)
        except Exception:  # PluginHooks.after_commit already logs per handler
            log.exception("after-commit delivery of %r failed", item.event)


def describe(event: Event) -> dict[str, Any]:
    """An event as a plain dict, its ``name`` and fields, for logs and webhooks."""
    return {"name": event.name, **asdict(event)}
