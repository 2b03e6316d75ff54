"""Reading typed values out of row text, for row builders (errors name the column)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale, gettext

from core.tabular.importing import RowError
from core.tabular.reading import normalise_header

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_WHOLE = re.compile(r"^[+-]?\d+$")


def parse_date(text: str, column: str, label: Any = None) -> datetime.date | None:
    """``2026-03-01``, ``2026/3/1``, ``2026.3.1`` or ``2026年3月1日`` as a date; ``None`` when
    empty; :class:`RowError` on ``column`` otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} 00:00(:00)?$", text) else text
    match = _DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise RowError(
        gettext(
            "%(column)s: %(value)r is not a date (YYYY-MM-DD)",
            column=label or column,
            value=text,
        ),
        column,
    )


def parse_whole(text: str, column: str, label: Any = None) -> int | None:
    """A whole number (``12``, ``12.0`` from a spreadsheet); ``None`` when empty."""
    text = (text or "").strip()
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not _WHOLE.match(text):
        raise RowError(
            gettext(
                "%(column)s: %(value)r is not a whole number", column=label or column, value=text
            ),
            column,
        )
    return int(text)


def match_choice(
    text: str,
    choices: Sequence[tuple[str, Any]],
    column: str,
    label: Any = None,
    default: str | None = None,
) -> str | None:
    """The value of ``choices`` (``[(value, lazy label)]``) that ``text`` names, by value or
    by label in any configured language; ``default`` when empty; :class:`RowError` otherwise."""
    wanted = normalise_header(text)
    if not wanted:
        return default
    locales = ["en", *(current_app.config.get("LANGUAGES") or {})] if has_app_context() else []
    for value, choice_label in choices:
        names = {normalise_header(value), normalise_header(str(choice_label))}
        for locale in locales:
            with force_locale(locale):
                names.add(normalise_header(str(choice_label)))
        if wanted in names:
            return value
    raise RowError(
        gettext(
            "%(column)s: %(value)r is not one of %(choices)s",
            column=label or column,
            value=text,
            choices=", ".join(str(v) for v, _ in choices if v),
        ),
        column,
    )
