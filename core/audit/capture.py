"""Capture every create, update and delete into ``core_audit_log``, inside the same flush.

Listeners on SQLAlchemy's ``Session`` class (so every session is covered, including those of
jobs and the CLI):

* ``before_flush`` loads what would otherwise be lost: the columns of records about to be
  deleted and the old contents of changed many-to-many collections;
* ``after_flush`` builds one row per changed record from the flush's unit of work (which
  also covers cascaded deletes and foreign keys set by relationships) and inserts them with
  one ``INSERT`` on the flush's connection, so they commit or roll back with the change.

Changes made by SQL statements (conditional ``UPDATE``s) are not in the unit of work: the
code that runs them logs them with :func:`record_update`.

Old values survive ``expire_on_commit``: every audited column gets ``active_history``, so
assigning to an expired attribute loads the old value first (FIELD-NOTES).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, Session, attributes
from sqlalchemy.orm.state import InstanceState

from core.audit.models import CREATE, DELETE, LABEL_LENGTH, UPDATE, AuditLog
from core.audit.service import audit_enabled, current_actor, jsonable, record_key, table_name
from core.extensions import db
from core.timeutil import utcnow

log = logging.getLogger(__name__)

# Flask-AppBuilder's tables: only who may log in and with which roles is worth auditing.
AUDITED_FAB_TABLES = frozenset({"ab_user", "ab_role", "ab_group"})
# Fields changed by every login, or mirror images of a collection audited on the other side.
FAB_EXCLUDED_FIELDS = {
    "ab_user": frozenset({"last_login", "login_count", "fail_login_count"}),
    "ab_role": frozenset({"user"}),
    "ab_group": frozenset({"users"}),
}
# Never stored, whatever the table: a change of such a field is logged as "[redacted]".
SENSITIVE_PARTS = ("password", "secret", "token")
REDACTED = "[redacted]"
_NO_VALUE = (None, attributes.NO_VALUE, attributes.NEVER_SET)


def is_sensitive(field: str) -> bool:
    """Whether ``field`` holds a secret (its name contains password, secret or token)."""
    lowered = field.lower()
    return any(part in lowered for part in SENSITIVE_PARTS)


def is_audited(mapper: Mapper[Any]) -> bool:
    """Whether changes of this mapped class are logged.

    ``__audit__ = False`` opts out; of FAB's ``ab_*`` tables only users, roles and groups
    are logged. Classes outside the application's model registry are ignored.
    """
    flag = getattr(mapper.class_, "__audit__", None)
    if flag is not None:
        return bool(flag)
    if mapper.registry is not db.Model.registry:
        return False
    name = table_name(mapper)
    return not name.startswith("ab_") or name in AUDITED_FAB_TABLES


def excluded_fields(mapper: Mapper[Any]) -> frozenset[str]:
    """Fields of this class never logged (``__audit_exclude__`` plus FAB's noisy ones)."""
    own = frozenset(getattr(mapper.class_, "__audit_exclude__", ()) or ())
    return own | FAB_EXCLUDED_FIELDS.get(table_name(mapper), frozenset())


def _collections(mapper: Mapper[Any]) -> list[Any]:
    """Many-to-many relationships: their changes are stored nowhere else."""
    return [rel for rel in mapper.relationships if rel.secondary is not None and not rel.viewonly]


def label_of(obj: Any) -> str:
    """A short human label of a record: its ``str()`` when the class defines one."""
    cls = type(obj)
    try:
        if cls.__str__ is not object.__str__ or cls.__repr__ is not object.__repr__:
            text = str(obj)
        else:
            text = ""
            for name in ("name", "title", "number", "code", "username", "label"):
                value = getattr(obj, name, None)
                if isinstance(value, str) and value:
                    text = value
                    break
    except Exception:  # a label is a nicety; never let it break the user's change
        log.debug("no audit label for %r", cls, exc_info=True)
        text = ""
    return (text or cls.__name__)[:LABEL_LENGTH]


def _labels(items: Iterable[Any]) -> list[str]:
    return sorted(label_of(item) for item in items if item is not None)


def _history(state: InstanceState[Any], key: str) -> Any:
    return attributes.get_state_history(state, key, attributes.PASSIVE_NO_INITIALIZE)


def _values(state: InstanceState[Any], mapper: Mapper[Any], with_collections: bool) -> dict:
    """Current values of the audited columns (and loaded many-to-many collections)."""
    skip = excluded_fields(mapper)
    values: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        key = prop.key
        if key in skip or is_sensitive(key) or key not in state.dict:
            continue
        values[key] = jsonable(state.dict[key])
    if with_collections:
        for rel in _collections(mapper):
            if rel.key in skip or rel.key not in state.dict:
                continue
            items = state.dict[rel.key]
            if items:
                values[rel.key] = _labels(items)
    return values


def _changes(state: InstanceState[Any], mapper: Mapper[Any]) -> dict:
    """``{field: [old, new]}`` for changed columns; ``{added, removed}`` for collections."""
    skip = excluded_fields(mapper)
    changes: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        key = prop.key
        if key in skip:
            continue
        history = _history(state, key)
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        old, new = (None if v in _NO_VALUE else v for v in (old, new))
        if is_sensitive(key):
            if old != new:
                changes[key] = [REDACTED, REDACTED]
            continue
        old, new = jsonable(old), jsonable(new)
        if old != new:
            changes[key] = [old, new]
    for rel in _collections(mapper):
        if rel.key in skip:
            continue
        history = _history(state, rel.key)
        added, removed = _labels(history.added or ()), _labels(history.deleted or ())
        if added or removed:
            changes[rel.key] = {"added": added, "removed": removed}
    return changes


def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Load, while the database still has them, the values the log will need."""
    if not audit_enabled():
        return
    for obj in session.deleted:
        state = inspect(obj)
        if not is_audited(state.mapper):
            continue
        skip = excluded_fields(state.mapper)
        for key in state.unloaded:  # expired or deferred columns of a record about to go
            if key in state.mapper.column_attrs and key not in skip:
                getattr(obj, key)
    for obj in session.dirty:
        state = inspect(obj)
        if not is_audited(state.mapper):
            continue
        skip = excluded_fields(state.mapper)
        for rel in _collections(state.mapper):
            if rel.key not in skip and _history(state, rel.key).has_changes():
                state.attrs[rel.key].load_history()  # the collection's old members


def _after_flush(session: Session, flush_context: Any) -> None:
    """Write one audit row per created, changed or deleted record, in the same transaction."""
    if not audit_enabled():
        return
    new = {inspect(obj) for obj in session.new}
    rows: list[dict[str, Any]] = []
    for state, (is_delete, list_only) in list(flush_context.states.items()):
        mapper = state.mapper
        if list_only or not is_audited(mapper):
            continue
        obj = state.obj()
        if obj is None:
            continue
        if is_delete:
            action, changes = DELETE, _values(state, mapper, with_collections=False)
        elif state in new:
            action, changes = CREATE, _values(state, mapper, with_collections=True)
        else:
            action, changes = UPDATE, _changes(state, mapper)
            if not changes:
                continue
        rows.append(
            {
                "table_name": table_name(mapper),
                "record_id": record_key(mapper, obj),
                "record_label": label_of(obj),
                "action": action,
                "changes": changes,
            }
        )
    if not rows:
        return
    user_id, username = current_actor()
    at = utcnow()
    for row in rows:
        row.update(at=at, user_id=user_id, username=username)
    rows.sort(key=lambda r: (r["table_name"], r["record_id"]))
    connection = session.connection(bind_arguments={"mapper": inspect(AuditLog)})
    connection.execute(AuditLog.__table__.insert(), rows)


def record_update(session: Session, obj: Any, changes: dict[str, list[Any]]) -> None:
    """Log an update of ``obj`` that the flush does not see, in the session's transaction.

    Changes made by SQL statements (a conditional ``UPDATE ... WHERE`` whose row count is
    checked, say) bypass the unit of work and so the automatic capture; the service that runs
    such a statement calls this with ``{field: [old, new]}`` right after it. The entry looks
    like one the capture writes (same actor, label and JSON values) and commits or rolls back
    with the change. Nothing is written when auditing is off, for classes that are not
    audited, or when ``changes`` is empty.
    """
    if not audit_enabled() or not changes:
        return
    mapper = inspect(type(obj))
    if not is_audited(mapper):
        return
    skip = excluded_fields(mapper)
    logged = {
        field: [REDACTED, REDACTED] if is_sensitive(field) else [jsonable(old), jsonable(new)]
        for field, (old, new) in changes.items()
        if field not in skip
    }
    if not logged:
        return
    user_id, username = current_actor()
    connection = session.connection(bind_arguments={"mapper": inspect(AuditLog)})
    connection.execute(
        AuditLog.__table__.insert(),
        [
            {
                "table_name": table_name(mapper),
                "record_id": record_key(mapper, obj),
                "record_label": label_of(obj),
                "action": UPDATE,
                "changes": logged,
                "at": utcnow(),
                "user_id": user_id,
                "username": username,
            }
        ],
    )


def _noop_set(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return value


def enable_active_history(mapper: Mapper[Any]) -> None:
    """Make assigning to an expired column of an audited class load its old value first."""
    if not is_audited(mapper):
        return
    for prop in mapper.column_attrs:
        attribute = getattr(mapper.class_, prop.key, None)
        if attribute is None or event.contains(attribute, "set", _noop_set):
            continue
        event.listen(attribute, "set", _noop_set, active_history=True, retval=True)


def _mapper_configured(mapper: Mapper[Any], _cls: type) -> None:
    enable_active_history(mapper)


def install() -> None:
    """Register the listeners (once per process) and cover already configured mappers."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
    if not event.contains(Mapper, "mapper_configured", _mapper_configured):
        event.listen(Mapper, "mapper_configured", _mapper_configured)
    for mapper in list(db.Model.registry.mappers):
        if mapper.configured:
            enable_active_history(mapper)


install()
