"""Settings typed by ``config.py``: environment text read the natural way, wrong types refused.

``config.py`` declares every setting's type, by annotation (``ENABLED_PLUGINS: list[str] |
None``) or by its default value (``MAIL_PORT = 25``). An ``AFTERSALES_<NAME>`` variable is read
as that type:

* a list takes a JSON list (``["contracts", "maintenance"]``) or, as most tools take it, a
  comma-separated value (``contracts,maintenance``);
* a boolean takes ``true/false``, ``yes/no``, ``on/off`` or ``1/0``;
* a number takes a number; a mapping takes a JSON object; text is taken as it is;
* an optional setting (``| None``) is emptied by an empty value, ``null`` or ``none``.

Settings ``config.py`` does not declare (a plugin's own) keep the old reading: JSON when the
value parses, the text otherwise. After every source is merged, each declared setting is
checked against its type; the first start-up with a wrong one stops with
:class:`SettingsError`, one message naming each wrong setting and the type it expects.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_EMPTY = {"", "null", "none"}


class SettingsError(RuntimeError):
    """A setting has a value of the wrong type; the message names it and the expected type."""


def declared_types(defaults: types.ModuleType) -> dict[str, Any]:
    """Each upper-case setting of ``defaults`` and its type (annotation, else the default's)."""
    annotations = getattr(defaults, "__annotations__", {})
    declared: dict[str, Any] = {}
    for name in dir(defaults):
        if not name.isupper():
            continue
        if name in annotations:
            declared[name] = annotations[name]
        elif getattr(defaults, name) is not None:
            declared[name] = type(getattr(defaults, name))
    return declared


def _kinds(expected: Any) -> set[type]:
    """The plain types a declaration allows: ``list[str] | None`` -> ``{list, NoneType}``."""
    if isinstance(expected, types.UnionType) or typing.get_origin(expected) is typing.Union:
        return set().union(*(_kinds(arg) for arg in typing.get_args(expected)))
    origin = typing.get_origin(expected)
    if origin is not None:
        return {origin}
    return {expected} if isinstance(expected, type) else set()


def describe(expected: Any) -> str:
    """The expected type in words, as an admin setting a variable reads it."""
    kinds = _kinds(expected)
    words = []
    if list in kinds or tuple in kinds:
        words.append("a list (comma-separated, or a JSON list)")
    if bool in kinds:
        words.append("true or false")
    if int in kinds and bool not in kinds:
        words.append("a whole number")
    if float in kinds:
        words.append("a number")
    if dict in kinds:
        words.append("a JSON object")
    if str in kinds:
        words.append("text")
    if type(None) in kinds:
        words.append("empty")
    return " or ".join(words) or getattr(expected, "__name__", str(expected))


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def from_environment(raw: str, expected: Any | None) -> Any:
    """The value of an ``AFTERSALES_*`` variable, read as the setting's declared type.

    A value that cannot be read as that type is returned as it came, for :func:`check`
    to name.
    """
    if expected is None:
        return _json_or_text(raw)
    kinds = _kinds(expected)
    text = raw.strip()
    if type(None) in kinds and text.lower() in _EMPTY:
        return None
    if kinds & {list, tuple}:
        if text.startswith("["):
            return _json_or_text(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    if bool in kinds:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        return raw
    if kinds & {int, float, dict}:
        parsed = _json_or_text(text)
        return parsed if not isinstance(parsed, str) or str in kinds else raw
    if str in kinds:
        return raw
    return _json_or_text(raw)


def _matches(value: Any, kinds: set[type]) -> bool:
    if value is None:
        return type(None) in kinds
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, list | tuple | set | frozenset):
        return bool(kinds & {list, tuple, set, frozenset})
    if isinstance(value, int) and float in kinds:
        return True
    return any(isinstance(value, kind) for kind in kinds)


def check(settings: dict[str, Any], declared: dict[str, Any]) -> None:
    """Raise :class:`SettingsError` naming every declared setting whose value has the wrong type."""
    wrong = []
    for name, expected in declared.items():
        kinds = _kinds(expected)
        if name in settings and kinds and not _matches(settings[name], kinds):
            wrong.append(f"{name} must be {describe(expected)}, not {settings[name]!r}")
    if wrong:
        raise SettingsError("; ".join(wrong))
