"""Rules of maintenance: technicians, fault reports, work orders and their lifecycle.

Every function takes the SQLAlchemy session first and never reads the HTTP request; the
caller commits. Refusals raise :class:`MaintenanceError`, whose message names the field and
the rule and whose ``status`` is the HTTP status an API answers. SLA clocks live in
:mod:`plugins.maintenance.services.sla`, part lines in
:mod:`plugins.maintenance.services.parts`. Other plugins may call everything here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from core.events import publish
from plugins.maintenance import events
from plugins.maintenance.models import (
    ASSIGNED,
    CANCELLED,
    CLOCK_RESOLVED,
    CLOCK_RESPONDED,
    CLOCK_STOPPED,
    CLOSED,
    CONFIRMED,
    DONE,
    IN_PROGRESS,
    INSPECTION,
    NEW,
    OPEN_STATES,
    WAITING_PARTS,
    Technician,
    WorkOrder,
)
from plugins.maintenance.services import dispatch, parts, plans, sla
from plugins.maintenance.services.common import (
    checked_labour,
    moment_or_now,
)
from plugins.maintenance.services.errors import MaintenanceError

# The states each action may start from: one table for the rules, the screens and the API.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "assign": (NEW, ASSIGNED),
    "start": (ASSIGNED,),
    "wait_for_parts": (IN_PROGRESS,),
    "parts_arrived": (WAITING_PARTS,),
    "complete": (IN_PROGRESS,),
    "confirm": (DONE,),
    "close": (CONFIRMED,),
    "cancel": OPEN_STATES,
    "wait_for_customer": OPEN_STATES,
    "customer_back": OPEN_STATES,
}


# The state each action leads to (``None``: the state stays; only the clock changes).
LEADS_TO: dict[str, str | None] = {
    "assign": ASSIGNED,
    "start": IN_PROGRESS,
    "wait_for_parts": WAITING_PARTS,
    "parts_arrived": IN_PROGRESS,
    "complete": DONE,
    "confirm": CONFIRMED,
    "close": CLOSED,
    "cancel": CANCELLED,
    "wait_for_customer": None,
    "customer_back": None,
}


WHILE_PAUSED = ("customer_back", "cancel")  # the only actions while waiting on the customer
# Actions that need the dispatch permission: assigning an order, and closing it (a technician
# may not close the order they worked; the customer's confirmation, naming who confirmed,
# comes before it and may be recorded by the technician on site).
DISPATCH_ACTIONS = ("assign", "close")


def available_actions(order: WorkOrder, may_dispatch: bool = True) -> list[str]:
    """The actions ``order`` allows now, in table order (screens show only these); without
    ``may_dispatch``, not the :data:`DISPATCH_ACTIONS`."""
    paused = order.paused_since is not None
    return [
        action
        for action, allowed in ALLOWED_FROM.items()
        if order.state in allowed
        and (action in WHILE_PAUSED if paused else action != "customer_back")
        and (may_dispatch or action not in DISPATCH_ACTIONS)
    ]


def _check_action(order: WorkOrder, action: str) -> None:
    if action in available_actions(order):
        return
    if order.paused_since is not None and order.state in ALLOWED_FROM[action]:
        message = gettext(
            "state: cannot %(action)s %(number)s while it waits for the customer; "
            "record that the customer is back first",
            action=action.replace("_", " "),
            number=order.number,
        )
    else:
        message = gettext(
            "state: cannot %(action)s %(number)s, it is %(state)s (allowed from: %(allowed)s)",
            action=action.replace("_", " "),
            number=order.number,
            state=order.state,
            allowed=", ".join(ALLOWED_FROM[action]),
        )
    raise MaintenanceError(message, "state", 409)


def _move(session: Session, order: WorkOrder, action: str) -> None:
    previous = order.state
    target = LEADS_TO[action]
    if target is not None:
        order.state = target
    session.flush()
    publish(
        session,
        events.WorkOrderStateChanged(
            work_order_id=order.id,
            number=order.number,
            action=action,
            from_state=previous,
            to_state=order.state,
        ),
    )


def assign(
    session: Session,
    order: WorkOrder,
    technician_id: Any,
    *,
    scheduled_start: Any = None,
    override_reason: str | None = None,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """new/assigned -> assigned to a technician, booked from ``scheduled_start`` for the
    order's planned minutes. An unqualified or double-booked technician is refused (409,
    with the reasons) unless ``override_reason`` says why the dispatcher decides otherwise;
    the order keeps that reason."""
    _check_action(order, "assign")
    moment = moment_or_now(now)
    technician = None
    if technician_id not in (None, ""):
        try:
            technician = session.get(Technician, int(technician_id))
        except (TypeError, ValueError):
            technician = None
    if technician is None:
        raise MaintenanceError(gettext("technician: choose a technician"), "technician_id")
    start, end = dispatch.booking_window(order, dispatch.parse_moment(scheduled_start), moment)
    reasons = dispatch.check_assignment(session, order, technician, start, end)
    override = (override_reason or "").strip()
    if reasons and not override:
        raise MaintenanceError(
            gettext(
                "technician: %(name)s cannot take %(number)s: %(reasons)s (a dispatcher may "
                "override with a reason)",
                name=technician.name,
                number=order.number,
                reasons="; ".join(reasons),
            ),
            "technician_id",
            409,
        )
    order.assignment_override = (
        gettext("%(reason)s (overrode: %(reasons)s)", reason=override, reasons="; ".join(reasons))
        if reasons
        else ""
    )
    order.technician = technician
    order.scheduled_start, order.scheduled_end = start, end
    _move(session, order, "assign")
    return order


def start(session: Session, order: WorkOrder, *, now: datetime.datetime | None = None) -> WorkOrder:
    """assigned -> in progress; the first start is the response (the clock records it)."""
    _check_action(order, "start")
    moment = moment_or_now(now)
    if order.responded_at is None:
        order.responded_at = moment
        sla.record(order, CLOCK_RESPONDED, moment)
        sla.flag_breaches(session, order, moment)
    _move(session, order, "start")
    return order


def wait_for_parts(
    session: Session, order: WorkOrder, note: str = "", *, now: datetime.datetime | None = None
) -> WorkOrder:
    """in progress -> waiting for parts (the clock keeps running)."""
    _check_action(order, "wait_for_parts")
    _move(session, order, "wait_for_parts")
    return order


def parts_arrived(
    session: Session, order: WorkOrder, *, now: datetime.datetime | None = None
) -> WorkOrder:
    """waiting for parts -> in progress."""
    _check_action(order, "parts_arrived")
    _move(session, order, "parts_arrived")
    return order


def wait_for_customer(
    session: Session, order: WorkOrder, note: str = "", *, now: datetime.datetime | None = None
) -> WorkOrder:
    """The order waits on the customer: its SLA clock pauses (state unchanged)."""
    _check_action(order, "wait_for_customer")
    sla.pause(order, moment_or_now(now), (note or "").strip())
    _move(session, order, "wait_for_customer")
    return order


def customer_back(
    session: Session, order: WorkOrder, note: str = "", *, now: datetime.datetime | None = None
) -> WorkOrder:
    """The customer is back: the clock runs again, unmet deadlines shift by the pause."""
    _check_action(order, "customer_back")
    moment = moment_or_now(now)
    sla.resume(session, order, moment, (note or "").strip())
    _move(session, order, "customer_back")
    sla.flag_breaches(session, order, moment)
    return order


def complete(
    session: Session,
    order: WorkOrder,
    *,
    cause: str | None = None,
    repair_plan: str | None = None,
    actions: str | None = None,
    labour_minutes: Any = None,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """in progress -> done: the diagnosis (cause), the repair actions and the labour time
    are required; reserved parts are issued from stock (all or none, 409 naming the part)."""
    _check_action(order, "complete")
    moment = moment_or_now(now)
    cause = (order.diagnosis_cause if cause is None else cause or "").strip()
    repair_plan = (order.repair_plan if repair_plan is None else repair_plan or "").strip()
    actions = (order.repair_actions if actions is None else actions or "").strip()
    labour = checked_labour(order.labour_minutes if labour_minutes is None else labour_minutes)
    if order.kind == INSPECTION:
        pending = plans.pending_items(order)
        if pending:
            raise MaintenanceError(
                gettext(
                    "results: record every checklist item first (missing: %(items)s)",
                    items=", ".join(pending),
                ),
                "results",
            )
        cause = cause or gettext("Preventive inspection")
        actions = actions or gettext("Inspected per checklist")
    if not cause:
        raise MaintenanceError(
            gettext("cause: the diagnosis is required to complete a work order"),
            "diagnosis_cause",
        )
    if not actions:
        raise MaintenanceError(
            gettext("repair actions: are required to complete a work order"), "repair_actions"
        )
    if not labour:
        raise MaintenanceError(
            gettext("labour minutes: record the labour time to complete a work order"),
            "labour_minutes",
        )
    order.diagnosis_cause, order.repair_plan, order.repair_actions = cause, repair_plan, actions
    order.labour_minutes = labour
    parts.issue_parts(session, order)
    order.resolved_at = moment
    sla.record(order, CLOCK_RESOLVED, moment)
    sla.flag_breaches(session, order, moment)
    _move(session, order, "complete")
    publish(
        session,
        events.WorkOrderDone(
            work_order_id=order.id,
            number=order.number,
            kind=order.kind,
            equipment_id=order.equipment_id,
            contract_id=order.contract_id,
            chargeable=order.chargeable,
            labour_minutes=order.labour_minutes,
            parts=parts.event_lines(order),
            resolved_at=moment,
        ),
    )
    return order


def confirm(
    session: Session,
    order: WorkOrder,
    confirmed_by: str,
    remarks: str = "",
    *,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """done -> confirmed by the customer (who confirmed is required, remarks optional)."""
    _check_action(order, "confirm")
    confirmed_by = (confirmed_by or "").strip()
    if not confirmed_by:
        raise MaintenanceError(
            gettext("confirmed by: name the customer's person who confirmed the work"),
            "confirmed_by",
        )
    order.confirmed_by = confirmed_by[:120]
    order.customer_remarks = (remarks or "").strip()
    _move(session, order, "confirm")
    return order


def close(session: Session, order: WorkOrder, *, now: datetime.datetime | None = None) -> WorkOrder:
    """confirmed -> closed; publishes :class:`~plugins.maintenance.events.WorkOrderClosed`."""
    _check_action(order, "close")
    order.closed_at = moment_or_now(now)
    _move(session, order, "close")
    publish(
        session,
        events.WorkOrderClosed(
            work_order_id=order.id,
            number=order.number,
            equipment_id=order.equipment_id,
            contract_id=order.contract_id,
            technician_id=order.technician_id,
            confirmed_by=order.confirmed_by or "",
        ),
    )
    return order


def cancel(
    session: Session, order: WorkOrder, reason: str, *, now: datetime.datetime | None = None
) -> WorkOrder:
    """An open order -> cancelled, with a reason; its reserved parts go back to stock and
    its clock stops."""
    _check_action(order, "cancel")
    reason = (reason or "").strip()
    if not reason:
        raise MaintenanceError(gettext("reason: is required to cancel a work order"), "reason")
    moment = moment_or_now(now)
    parts.release_parts(session, order)
    order.cancel_reason = reason
    order.paused_since = None
    sla.record(order, CLOCK_STOPPED, moment, reason)
    _move(session, order, "cancel")
    return order


def _text_arg(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value)


# Each action with the inputs it reads from a form or JSON body.
ACTIONS: dict[str, Callable[[Session, WorkOrder, Mapping[str, Any], Any], WorkOrder]] = {
    "assign": lambda s, o, v, now: assign(
        s,
        o,
        v.get("technician_id"),
        scheduled_start=v.get("scheduled_start"),
        override_reason=_text_arg(v, "override_reason"),
        now=now,
    ),
    "start": lambda s, o, v, now: start(s, o, now=now),
    "wait_for_parts": lambda s, o, v, now: wait_for_parts(s, o, _text_arg(v, "note"), now=now),
    "parts_arrived": lambda s, o, v, now: parts_arrived(s, o, now=now),
    "complete": lambda s, o, v, now: complete(
        s,
        o,
        cause=v.get("diagnosis_cause"),
        repair_plan=v.get("repair_plan"),
        actions=v.get("repair_actions"),
        labour_minutes=v.get("labour_minutes"),
        now=now,
    ),
    "confirm": lambda s, o, v, now: confirm(
        s, o, _text_arg(v, "confirmed_by"), _text_arg(v, "customer_remarks"), now=now
    ),
    "close": lambda s, o, v, now: close(s, o, now=now),
    "cancel": lambda s, o, v, now: cancel(s, o, _text_arg(v, "reason"), now=now),
    "wait_for_customer": lambda s, o, v, now: wait_for_customer(
        s, o, _text_arg(v, "note"), now=now
    ),
    "customer_back": lambda s, o, v, now: customer_back(s, o, _text_arg(v, "note"), now=now),
}


# The inputs each action's form asks for (the screen builds its form from this).
ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    "assign": ("technician_id", "scheduled_start", "override_reason"),
    "complete": ("diagnosis_cause", "repair_plan", "repair_actions", "labour_minutes"),
    "confirm": ("confirmed_by", "customer_remarks"),
    "cancel": ("reason",),
    "wait_for_customer": ("note",),
    "customer_back": ("note",),
}


def check_may_run(action: str, may_dispatch: bool) -> None:
    """Refuse (403) an action of :data:`DISPATCH_ACTIONS` to a user without the dispatch
    permission."""
    if may_dispatch or action not in DISPATCH_ACTIONS:
        return
    if action == "assign":
        message = gettext("assign: only a dispatcher assigns work orders")
    else:
        message = gettext("close: only a dispatcher or service manager closes work orders")
    raise MaintenanceError(message, "action", 403)


def run_action(
    session: Session,
    order: WorkOrder,
    action: str,
    values: Mapping[str, Any] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> WorkOrder:
    """Run lifecycle ``action`` on ``order`` with the form/JSON ``values`` it needs; 404
    for an unknown action, 409 when the order's state does not allow it."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise MaintenanceError(
            gettext("action: %(action)s is unknown", action=action), "action", 404
        )
    return handler(session, order, values or {}, now)
