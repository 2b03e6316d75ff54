"""Field checks that plugins' services share; each raises the caller's own error class."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import gettext


def checked_choice(
    obj: Any,
    attr: str,
    label: str,
    choices: Sequence[str],
    error: Callable[[str, str], Exception],
) -> str:
    """``obj.attr`` when it is one of ``choices``; otherwise raise ``error(message, attr)``
    naming the field (``label``), the value and the choices."""
    value = getattr(obj, attr)
    if value not in choices:
        raise error(
            gettext(
                "%(field)s: %(value)r is not one of %(choices)s",
                field=label,
                value=value,
                choices=", ".join(choices),
            ),
            attr,
        )
    return value
