"""List screens and list APIs: the related records they show come with their rows, and the
total is counted without building the rows.

Flask-AppBuilder's ``ModelView`` queries a list page without naming its columns, so every
relation a list shows (``part.sku``, ``location``) is loaded lazily, one query per row and
relation. :class:`ListLoadingInterface` adds a ``joinedload`` for each of those relations to the
list query.

To count the rows, Flask-AppBuilder wraps its whole list query, every column and the joins
that load the shown relations included, in ``SELECT count(*) FROM (...)``. The interface counts
the primary keys of the filtered query instead: the same filters (and the joins they need),
no loading joins, no ordering. :class:`core.security.permissions.BusinessModelView` and
``BusinessModelApi`` install it on every screen and API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import func
from sqlalchemy.orm import Query, joinedload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from core.extension_fields import LINKS as EXTENSION_LINKS
from core.record_links import RecordLinks
from core.saved_messages import note_saved


class ListLoadingInterface(RecordLinks, SQLAInterface):
    """A ``SQLAInterface`` whose list queries load the relations named in ``list_columns``
    (and whose list and record values link related records, :mod:`core.record_links`)."""

    def __init__(self, obj: type, session: Any = None, optional: Iterable[str] = ()) -> None:
        super().__init__(obj, session=session)
        self.record_links = {}
        self.list_load_options: list[_AbstractLoad] = []
        self.optional_columns = frozenset(optional)

    def _without_extension_links(self, names: list[str]) -> list[str]:
        links = getattr(self.obj, EXTENSION_LINKS, ())
        return [name for name in names if name not in links]

    def get_columns_list(self) -> list[str]:
        """FAB's columns, without the relations to other plugins' side rows
        (:mod:`core.extension_fields`): those are shown as their fields, never as a relation."""
        return self._without_extension_links(super().get_columns_list())

    def get_user_columns_list(self) -> list[str]:
        """FAB's default columns of forms and pages, without the side-row relations."""
        return self._without_extension_links(super().get_user_columns_list())

    def is_nullable(self, col_name: str) -> bool:
        """Whether forms and API bodies may leave ``col_name`` out: a nullable column, or
        one the view's ``prepare`` fills (``filled_by_prepare``, see :mod:`core.crud`)."""
        return col_name in self.optional_columns or super().is_nullable(col_name)

    def add(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        """FAB's add; the success message names the record (:mod:`core.saved_messages`)."""
        note_saved(item)
        return super().add(item, *args, **kwargs)

    def edit(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        """FAB's edit; the success message names the record."""
        note_saved(item)
        return super().edit(item, *args, **kwargs)

    def delete(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        """FAB's delete; the success message names the record (named before it goes)."""
        note_saved(item)
        return super().delete(item, *args, **kwargs)

    def load_with_list(self, list_columns: list[str]) -> None:
        """Load the relations that ``list_columns`` show with every list query."""
        self.list_load_options = relation_loads(self.obj, list_columns)

    def apply_all(  # noqa: PLR0913 - FAB's signature
        self,
        query: Query,
        filters: Any = None,
        order_column: str = "",
        order_direction: str = "",
        page: int | None = None,
        page_size: int | None = None,
        select_columns: list[str] | None = None,
        outer_default_load: bool = False,
    ) -> Query:
        """FAB's query, plus the relation loads when FAB does not choose the columns itself."""
        query = super().apply_all(
            query,
            filters,
            order_column,
            order_direction,
            page,
            page_size,
            select_columns,
            outer_default_load,
        )
        if select_columns is None and self.list_load_options:
            query = query.options(*self.list_load_options)
        return query

    def query_count(
        self, query: Query, filters: Any = None, select_columns: list[str] | None = None
    ) -> int:
        """How many rows the filters let through (``select_columns`` do not change it: they
        only join many-to-one relations to load them)."""
        filtered = self.apply_filters(query, self.get_inner_filters(filters))
        return filtered.order_by(None).with_entities(func.count(self.get_pk())).scalar() or 0


def relation_loads(model: type, columns: list[str]) -> list[_AbstractLoad]:
    """``joinedload`` options for the many-to-one relations that ``columns`` show.

    ``"part.sku"`` and ``"part"`` both load ``model.part``; ``"location.warehouse.code"``
    loads the chain. Columns that are not relations (plain columns, properties) are skipped.
    """
    loads: dict[str, _AbstractLoad] = {}
    for column in columns:
        owner, load, path = model, None, []
        for name in column.split("."):
            prop = getattr(owner, name, None)
            relation = getattr(getattr(prop, "property", None), "mapper", None)
            if relation is None or prop.property.uselist:
                break
            path.append(name)
            load = joinedload(prop) if load is None else load.joinedload(prop)
            loads.setdefault(".".join(path), load)
            owner = relation.class_
    # Only the longest chains: "a.b" already loads "a".
    return [
        load
        for path, load in loads.items()
        if not any(other.startswith(path + ".") for other in loads)
    ]
