"""Success messages that name the record: "“CT-2026-00012” added.", not "Added Row".

Flask-AppBuilder flashes ``add_row_message`` ("Added Row"), ``edit_row_message`` and
``delete_row_message`` after a screen saves or deletes a record. A business screen's data
interface notes the name of the record it has just saved in the request (:func:`note_saved`:
its ``str()``, when the model defines one), and the screen's messages
(:class:`SavedMessages`) name it, translated. A record without a name of its own, or a screen
that sets its own messages, keeps Flask-AppBuilder's words.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_appbuilder.baseviews import BaseCRUDView as FAB
from flask_babel import lazy_gettext

SAVED = "_aftersales_saved_record"


def record_name(item: Any) -> str | None:
    """How a message names ``item``: its ``str()`` when its model defines ``__str__``."""
    if type(item).__str__ is object.__str__:
        return None
    name = str(item).strip()
    return name or None


def note_saved(item: Any) -> None:
    """Remember, for this request's message, the name of the record just saved or deleted."""
    if has_request_context():
        setattr(g, SAVED, record_name(item))


def saved_name() -> str | None:
    """The name :func:`note_saved` remembered in this request."""
    return getattr(g, SAVED, None) if has_request_context() else None


class SavedMessages:
    """Mixin of a screen: its add, edit and delete messages name the record."""

    @property
    def add_row_message(self) -> Any:
        """“<record>” added. (else Flask-AppBuilder's "Added Row")."""
        name = saved_name()
        return lazy_gettext("“%(record)s” added.", record=name) if name else FAB.add_row_message

    @property
    def edit_row_message(self) -> Any:
        """“<record>” saved. (else "Changed Row")."""
        name = saved_name()
        return lazy_gettext("“%(record)s” saved.", record=name) if name else FAB.edit_row_message

    @property
    def delete_row_message(self) -> Any:
        """“<record>” deleted. (else "Deleted Row")."""
        name = saved_name()
        if name:
            return lazy_gettext("“%(record)s” deleted.", record=name)
        return FAB.delete_row_message
