"""A record's history in people's words: field labels, readable values, local times.

The audit log stores column keys and JSON values (``technician_id: [null, 1]``,
``is_billable: [true, false]``, ``started_at: "2026-12-04T01:13:05.123456"``). The history
page of a record shows them as the record's screen does: each field under the label the
screen gives it (a foreign key under its relation's label), a related record by its name
(one query per foreign key shown, whatever the number of entries), yes/no for a boolean, a
moment in the company time zone to the minute, and a key (a state, a status) through the
screen's own formatter, so ``assigned`` reads 已派工.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import String, inspect, select

from core.company.service import company_zone
from core.extensions import db
from core.labels import column_label
from core.timeutil import to_zone

ACTIONS = {
    "create": lazy_gettext("Created"),
    "update": lazy_gettext("Changed"),
    "delete": lazy_gettext("Deleted"),
}


@dataclass
class HistoryWords:
    """How one table's fields and values read: labels, key formatters, related names."""

    labels: dict[str, Any] = field(default_factory=dict)
    formatters: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    names: dict[str, dict[Any, str]] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)

    def shown(self, key: str, value: Any) -> bool:
        """Whether a change is worth a row: not the primary key, nor an empty value of a
        record's creation or deletion (a single value, not a before/after pair)."""
        if key in self.hidden:
            return False
        return isinstance(value, list | dict) or value not in (None, "")

    def label(self, key: str) -> str:
        """The label of field ``key``."""
        return str(self.labels.get(key) or column_label(self.relations.get(key, key)))

    def value(self, key: str, value: Any) -> str:
        """``value`` of field ``key`` as the screen would show it."""
        if value is None or value == "":
            return ""
        if key in self.names:
            return self.names[key].get(value, f"#{value}")
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, list):
            return ", ".join(self.value(key, item) for item in value)
        if isinstance(value, str) and key in self.formatters:
            return str(self.formatters[key](value))
        if isinstance(value, str):
            return moment_text(value) or value
        return str(value)


def local_minute(moment: datetime.datetime | None) -> str:
    """``moment`` (stored in UTC) in the company time zone, to the minute."""
    if moment is None:
        return ""
    return to_zone(moment, str(company_zone())).strftime("%Y-%m-%d %H:%M")


def moment_text(value: str) -> str | None:
    """An ISO date-time (stored in UTC) in the company time zone, to the minute; ``None``
    for anything else."""
    if "T" not in value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return local_minute(moment)


def model_of(table: str) -> type | None:
    """The mapped class of ``table``, if one is mapped."""
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def _screen_of(model: type) -> Any:
    from flask import current_app

    from core.record_links import record_pages

    return record_pages(current_app.appbuilder).get(model)


def history_words(table: str, changes: Iterable[dict[str, Any] | None]) -> HistoryWords:
    """The words of ``table``'s history, the names of the related records ``changes`` name
    looked up (one query per foreign key)."""
    model = model_of(table)
    if model is None:
        return HistoryWords()
    mapper = inspect(model)
    screen = _screen_of(model)
    words = HistoryWords(labels=dict(getattr(screen, "label_columns", None) or {}))
    words.hidden = {column.key for column in mapper.primary_key}
    string_keys = {c.key for c in mapper.column_attrs if isinstance(c.expression.type, String)}
    for key, formatter in (getattr(screen, "formatters_columns", None) or {}).items():
        if key in string_keys:
            words.formatters[key] = formatter
    targets: dict[str, Any] = {}
    for relation in mapper.relationships:
        if relation.uselist or len(relation.local_columns) != 1:
            continue
        (local,) = relation.local_columns
        words.relations[local.key] = relation.key  # the relation's label, not "Customer ID"
        words.labels[local.key] = words.labels.get(relation.key) or column_label(relation.key)
        targets[local.key] = relation.mapper.class_
    wanted: dict[str, set[Any]] = {}
    for entry in changes:
        for key, value in (entry or {}).items():
            if key in targets:
                values = value if isinstance(value, list) else [value]
                wanted.setdefault(key, set()).update(v for v in values if isinstance(v, int))
    for key, ids in wanted.items():
        target = targets[key]
        primary = inspect(target).primary_key[0]
        rows = db.session.scalars(select(target).where(primary.in_(ids))).all()
        words.names[key] = {getattr(row, primary.key): str(row) for row in rows}
    return words


def action_text(action: str) -> str:
    """ "create" as "Created", translated."""
    return str(ACTIONS.get(action, action))
