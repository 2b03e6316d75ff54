"""Row-level visibility: which rows of a model the signed-in user may see.

A plugin declares the rule of a model once, in its services, and returns it from the
``aftersales_row_rules`` hook as a :class:`core.contributions.RowRule`: either a function
giving the SQL condition on the model's rows that a :class:`Viewer` sees (``None``: every
row), or the many-to-one relation through which the model's rows follow their parent's rule
(a work order's clock events are visible exactly when the work order is).

Core applies the rule everywhere the model's rows are reached from a request:

* every list, show, edit and delete of a :class:`~core.security.permissions.BusinessModelView`
  or ``BusinessModelApi`` on the model (a base filter: others' rows are 404);
* every relation picker and filter drop-down that offers the model's rows, on screens and in
  the API's ``_info`` and ``related`` answers;
* every relation field a REST body sets (:mod:`core.relations`: an invisible row is "no
  record with id N");
* a plugin's own screens, reports and PDFs through :func:`check_visible` and
  :func:`visible_only`.

Services stay free of ``flask.request``: a rule receives the viewer as an argument. Jobs, the
CLI and services called without a viewer see every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app, g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.contributions import RowRule


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the user's id and a test of the permissions they hold.

    ``may(permission, view_menu)`` answers like Flask-AppBuilder's ``has_access``
    (``viewer.may("can_dispatch", "maintenance_work_order")``).
    """

    user_id: int | None
    may: Callable[[str, str], bool]


def current_viewer() -> Viewer | None:
    """The signed-in user of this request as a :class:`Viewer`; ``None`` outside a request
    (jobs, CLI), where every row is visible."""
    if not has_request_context():
        return None
    return Viewer(getattr(g.get("user"), "id", None), current_app.appbuilder.sm.has_access)


def row_rules() -> dict[type, RowRule]:
    """The row rules of the current app, by model (collected once per app)."""
    from core.runtime import runtime

    rt = runtime()
    rules = rt.extra.get("row_rules")
    if rules is None:
        rules = {rule.model: rule for rule in rt.hooks.row_rules()}
        rt.extra["row_rules"] = rules
    return rules


def visibility_clause(model: type, viewer: Viewer | None) -> Any:
    """The SQL condition on ``model`` that limits it to the rows ``viewer`` sees, or
    ``None`` when the viewer sees every row (no rule, no viewer, or the rule says so)."""
    if viewer is None:
        return None
    rule = row_rules().get(model)
    if rule is None:
        return None
    if rule.visible is not None:
        return rule.visible(viewer)
    relation = getattr(model, rule.parent)
    parent_clause = visibility_clause(relation.property.mapper.class_, viewer)
    if parent_clause is None:
        return None
    return relation.has(parent_clause)


def has_rule(model: type) -> bool:
    """Whether some plugin limits which rows of ``model`` a user sees."""
    return model in row_rules()


def visible_only(query: Any, model: type, viewer: Viewer | None = None) -> Any:
    """``query`` (a ``select`` or an ORM ``Query``) limited to the rows of ``model`` that
    ``viewer`` (default: the signed-in user) sees."""
    clause = visibility_clause(model, viewer if viewer is not None else current_viewer())
    if clause is None:
        return query
    return query.where(clause) if hasattr(query, "where") else query.filter(clause)


def is_visible(session: Session, model: type, pk: Any, viewer: Viewer | None = None) -> bool:
    """Whether the row ``pk`` of ``model`` exists and ``viewer`` (default: the signed-in
    user) sees it."""
    key = sa_inspect(model).primary_key[0]
    query = visible_only(select(key).where(key == pk), model, viewer)
    return session.execute(query.limit(1)).first() is not None


def check_visible(
    session: Session,
    record: Any,
    refusal: Callable[[], Exception],
    viewer: Viewer | None = None,
) -> None:
    """Raise ``refusal()`` (a 404 "does not exist" of the plugin's own) unless ``viewer``
    (default: the signed-in user) sees ``record``."""
    model = type(record)
    if not has_rule(model):
        return
    viewer = viewer if viewer is not None else current_viewer()
    if visibility_clause(model, viewer) is None:
        return
    pk = sa_inspect(record).identity
    if pk is None or not is_visible(session, model, pk[0], viewer):
        raise refusal()


class VisibleRows(BaseFilter):
    """Flask-AppBuilder base filter applying the row rule of the filtered model (nothing
    when the model has none); core installs it on every business screen and API and on
    every relation picker."""

    name = "visible rows"

    def apply(self, query: Any, value: Any) -> Any:
        """Keep the rows the signed-in user sees."""
        return visible_only(query, self.model)


def visible_rows_filter(model: type) -> list[Any]:
    """A Flask-AppBuilder filter spec (``[column, VisibleRows, value]``) for ``model``."""
    return [sa_inspect(model).primary_key[0].key, VisibleRows, lambda: None]
