"""A screen's REST API, made from the screen: one declaration serves both.

Most business screens have an API that repeats them: the same model, the same ``prepare``
rule and ``filled_by_prepare`` columns, the same state machine, permission object, columns,
search, order and row filters. :func:`api_for` builds that API class from the screen class,
and ``Screen(..., api="loan")`` in :func:`core.declare.declare` registers it::

    declare(globals(), screens=[Screen("my_plugin.views:LoanView", _("Loans"), api="loan")])

gives ``/api/v1/loan/`` with list, record, create, change and delete, ``/<id>/actions`` for
the state machine's transitions (:class:`core.states.api.StatefulApi`), the screen's labels
(:mod:`core.labels`) and the screen's permission (a role that may write on the screen may
write through the API). Its bodies take the screen's ``add_columns`` and ``edit_columns``
(a relation as the id of a row the caller may read); its lists and records show ``id``,
those columns, the state and the screen's other record columns (a relation the screen shows
as ``customer.name`` as the related record, ``{"id", "name", ...}``). An API that differs
from its screen is written as its own :class:`core.crud.CheckedModelApi` class and named in
``apis=``.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.crud import CheckedModelApi, CheckedModelView
from core.security.permissions import BusinessModelApi
from core.states.api import StatefulApi
from core.states.views import StatefulView

#: What a screen class and its API class hold the same way, copied when set on the screen.
SHARED_SETTINGS = (
    "class_permission_name",
    "filled_by_prepare",
    "state_field",
    "search_columns",
    "base_order",
    "base_filters",
    "label_columns",
)


def api_columns(view: type) -> list[str]:
    """The columns an API made from ``view`` lists and shows: ``id``, the form's columns, the
    state, then the record page's columns, a dotted ``relation.attribute`` as ``relation``
    (the related record)."""
    columns = ["id", *(view.add_columns or []), *(view.edit_columns or [])]
    if getattr(view, "state_machine", None) is not None:
        columns.append(view.state_field)
    columns += [name.partition(".")[0] for name in view.show_columns or view.list_columns or []]
    return list(dict.fromkeys(columns))


def api_bases(view: type) -> tuple[type, ...]:
    """The API classes matching ``view``'s: state actions for a stateful screen, the
    ``prepare`` check for a checked one."""
    if issubclass(view, StatefulView):
        return (StatefulApi, CheckedModelApi)
    if issubclass(view, CheckedModelView):
        return (CheckedModelApi,)
    return (BusinessModelApi,)


def api_for(view: type, resource_name: str) -> type:
    """The REST API class of the screen class ``view`` at ``/api/v1/<resource_name>/`` (see
    the module). Raises ``ValueError`` for a view without a model."""
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        raise ValueError(f"api_for({view.__name__}): the screen has no datamodel")
    settings: dict[str, Any] = {
        name: getattr(view, name) for name in SHARED_SETTINGS if getattr(view, name, None)
    }
    if getattr(view, "prepare", None) is not None:
        settings["prepare"] = staticmethod(view.prepare)
    if getattr(view, "state_machine", None) is not None:
        settings["state_machine"] = view.state_machine
    columns = api_columns(view)
    name = f"{view.__name__}Api"  # unique beside a hand-written API of the same model
    return type(
        name,
        api_bases(view),
        {
            **settings,
            "__module__": view.__module__,
            "__doc__": f"The REST API of {view.__name__}, made from it (core.screen_api).",
            "resource_name": resource_name,
            "datamodel": SQLAInterface(datamodel.obj),
            "add_columns": list(view.add_columns or []),
            "edit_columns": list(view.edit_columns or []),
            "list_columns": columns,
            "show_columns": columns,
        },
    )
