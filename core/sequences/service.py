"""Document numbers: define a sequence once, then draw gap-free numbers from it.

::

    define_sequence(session, "contracts.contract", "CT")        # idempotent, at first use
    number = next_number(session, "contracts.contract")        # "CT-2026-00001"

The number is taken in the caller's transaction by one ``UPDATE ... RETURNING`` on the
counter row of (code, year): when the document's transaction rolls back the number is given
back, so the numbers that exist have no gaps (invoices need this). The counter row stays
locked until that transaction ends, which serialises documents of one kind and year; keep
those transactions short.
"""

from __future__ import annotations

import datetime
import re
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.company.service import company_today
from core.sequences.models import DocumentSequence, SequenceCounter
from core.timeutil import utcnow

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_.]{1,59}$")
FORMAT_FIELDS = frozenset({"prefix", "year", "number", "padding"})
NO_YEAR = 0  # counter year of sequences that never restart
_UNSET: Any = object()


class SequenceError(ValueError):
    """A sequence definition or use that breaks a rule; ``field`` names the culprit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownSequenceError(SequenceError, LookupError):
    """No sequence is defined under that code."""


@dataclass(frozen=True)
class SequenceOverview:
    """One row of the Sequences screen: a definition and the number it gives next."""

    id: int
    code: str
    name: str
    prefix: str
    padding: int
    yearly: bool
    format: str
    next_value: int
    next_number: str


def default_format(yearly: bool) -> str:
    """``{prefix}-{year}-{number:0{padding}d}`` for yearly sequences, else without the year."""
    if yearly:
        return "{prefix}-{year}-{number:0{padding}d}"
    return "{prefix}-{number:0{padding}d}"


def render(fmt: str, prefix: str, padding: int, year: int, number: int) -> str:
    """Apply a sequence format to one number."""
    return fmt.format(prefix=prefix, year=year, number=number, padding=padding)


def _format_fields(fmt: str) -> set[str]:
    fields: set[str] = set()
    pending = [fmt]
    while pending:
        for _, name, spec, _ in string.Formatter().parse(pending.pop()):
            if name is not None:
                fields.add(name)
            if spec:
                pending.append(spec)
    return fields


def validate_definition(
    code: str, prefix: str, padding: int, yearly: bool, fmt: str | None
) -> str | None:
    """Check a definition; returns the format to store (``None``: the default one)."""
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise SequenceError(
            f"code {code!r} must be 2-60 lowercase letters, digits, '_' or '.', "
            "starting with a letter",
            "code",
        )
    if not isinstance(prefix, str) or len(prefix) > 20 or "{" in prefix or "}" in prefix:
        raise SequenceError("prefix must be at most 20 characters, without braces", "prefix")
    if isinstance(padding, bool) or not isinstance(padding, int) or not 1 <= padding <= 12:
        raise SequenceError("padding must be a whole number from 1 to 12", "padding")
    fmt = (fmt or "").strip() or None
    if fmt is None:
        return None
    if len(fmt) > 120:
        raise SequenceError("format must be at most 120 characters", "format")
    try:
        fields = _format_fields(fmt)
    except ValueError as exc:
        raise SequenceError(f"format {fmt!r} is not valid: {exc}", "format") from None
    unknown = fields - FORMAT_FIELDS
    if unknown:
        raise SequenceError(
            f"format may use only {{prefix}}, {{year}}, {{number}} and {{padding}}, "
            f"not {', '.join(sorted(unknown))}",
            "format",
        )
    try:
        render(fmt, prefix, padding, 2026, 1)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SequenceError(f"format {fmt!r} is not valid: {exc}", "format") from None
    if "number" not in fields:
        raise SequenceError("format must contain {number}", "format")
    if yearly and "year" not in fields:
        raise SequenceError(
            "format must contain {year} when numbering restarts every year", "format"
        )
    return fmt


def _insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any]) -> None:
    """INSERT a row unless a row with the same key exists (another transaction may win)."""
    dialect = session.connection().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
    else:  # other databases: a savepoint absorbs the duplicate
        try:
            with session.begin_nested():
                session.execute(insert(table).values(**values))
        except IntegrityError:
            pass


def get_sequence(session: Session, code: str) -> DocumentSequence:
    """The definition of sequence ``code``; :class:`UnknownSequenceError` if there is none."""
    found = session.scalar(select(DocumentSequence).where(DocumentSequence.code == code))
    if found is None:
        raise UnknownSequenceError(
            f"no document sequence is defined with code {code!r}; call define_sequence() first",
            "code",
        )
    return found


def define_sequence(
    session: Session,
    code: str,
    prefix: str,
    padding: int = 5,
    yearly: bool = True,
    *,
    name: str = "",
    format: str | None = None,
) -> DocumentSequence:
    """Create sequence ``code`` unless it exists; returns the stored definition.

    Idempotent and safe when two transactions define it at once: an existing definition is
    returned unchanged (an admin may have edited its prefix or padding on the Sequences
    screen). ``format`` defaults to :func:`default_format`.
    """
    fmt = validate_definition(code, prefix, padding, yearly, format)
    existing = session.scalar(select(DocumentSequence).where(DocumentSequence.code == code))
    if existing is not None:
        return existing
    _insert_ignoring_conflict(
        session,
        DocumentSequence.__table__,
        {
            "code": code,
            "name": name or code,
            "prefix": prefix,
            "padding": padding,
            "yearly": yearly,
            "format": fmt,
            "changed_on": utcnow(),
        },
    )
    return get_sequence(session, code)


def update_sequence(
    session: Session,
    code: str,
    *,
    name: str | None = None,
    prefix: str | None = None,
    padding: int | None = None,
    yearly: bool | None = None,
    format: str | None = _UNSET,
) -> DocumentSequence:
    """Change how sequence ``code`` looks (the admin's Sequences screen); caller commits.

    ``format=None`` or ``""`` returns to the default format. Whether numbering restarts
    every year cannot change once numbers were drawn (numbers could repeat).
    """
    seq = get_sequence(session, code)
    new_prefix = seq.prefix if prefix is None else prefix
    new_padding = seq.padding if padding is None else padding
    new_yearly = seq.yearly if yearly is None else yearly
    new_format = seq.format if format is _UNSET else format
    fmt = validate_definition(code, new_prefix, new_padding, new_yearly, new_format)
    if name is not None:
        name = name.strip()
        if not name or len(name) > 120:
            raise SequenceError("name must be 1 to 120 characters", "name")
        seq.name = name
    if new_yearly != seq.yearly:
        used = session.scalar(
            select(SequenceCounter.year).where(SequenceCounter.sequence_id == seq.id).limit(1)
        )
        if used is not None:
            raise SequenceError(
                "yearly restart cannot change once numbers have been drawn", "yearly"
            )
    seq.prefix, seq.padding, seq.yearly, seq.format = new_prefix, new_padding, new_yearly, fmt
    session.flush()
    return seq


def _counter_year(seq: DocumentSequence, on: datetime.date) -> int:
    return on.year if seq.yearly else NO_YEAR


def next_number(session: Session, code: str, *, on: datetime.date | None = None) -> str:
    """Take the next number of sequence ``code`` for date ``on`` (default: company today).

    Runs in the caller's transaction: a rollback gives the number back. Yearly sequences
    restart at 1 on January 1st. Raises :class:`UnknownSequenceError` for an unknown code.
    """
    if on is not None and not isinstance(on, datetime.date):
        raise SequenceError("on must be a date", "on")
    seq = get_sequence(session, code)
    day = on or company_today(session)
    if isinstance(day, datetime.datetime):
        day = day.date()
    year = _counter_year(seq, day)
    table = SequenceCounter.__table__
    bump = (
        update(table)
        .where(table.c.sequence_id == seq.id, table.c.year == year)
        .values(next_value=table.c.next_value + 1)
        .returning(table.c.next_value)
    )
    taken = session.execute(bump).scalar()
    if taken is None:
        _insert_ignoring_conflict(
            session, table, {"sequence_id": seq.id, "year": year, "next_value": 1}
        )
        taken = session.execute(bump).scalar_one()
    return render(
        seq.format or default_format(seq.yearly), seq.prefix, seq.padding, day.year, taken - 1
    )


def preview_next(session: Session, code: str, *, on: datetime.date | None = None) -> str:
    """The number :func:`next_number` would give now, without taking it."""
    seq = get_sequence(session, code)
    day = on or company_today(session)
    value = session.scalar(
        select(SequenceCounter.next_value).where(
            SequenceCounter.sequence_id == seq.id,
            SequenceCounter.year == _counter_year(seq, day),
        )
    )
    return render(
        seq.format or default_format(seq.yearly), seq.prefix, seq.padding, day.year, value or 1
    )


def sequence_overview(
    session: Session, *, on: datetime.date | None = None
) -> list[SequenceOverview]:
    """Every sequence with its next number for ``on``'s year (two queries in all)."""
    day = on or company_today(session)
    sequences = list(session.scalars(select(DocumentSequence).order_by(DocumentSequence.code)))
    counters = {
        (c.sequence_id, c.year): c.next_value
        for c in session.scalars(
            select(SequenceCounter).where(SequenceCounter.year.in_([day.year, NO_YEAR]))
        )
    }
    rows = []
    for seq in sequences:
        fmt = seq.format or default_format(seq.yearly)
        value = counters.get((seq.id, _counter_year(seq, day)), 1)
        rows.append(
            SequenceOverview(
                id=seq.id,
                code=seq.code,
                name=seq.name,
                prefix=seq.prefix,
                padding=seq.padding,
                yearly=seq.yearly,
                format=fmt,
                next_value=value,
                next_number=render(fmt, seq.prefix, seq.padding, day.year, value),
            )
        )
    return rows
