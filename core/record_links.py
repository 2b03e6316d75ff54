"""Links everywhere: a related record on a list or a record page is a link to its page.

Flask-AppBuilder shows a many-to-one relation (``customer``, ``customer.name``) as plain
text. Once every plugin has registered its screens, :func:`link_related_screens` finds, for
each column of each business screen that shows a many-to-one relation, the screen of the
related model (the first business screen registered for it with a record page) and records
it on the screen's data interface. Lists and record pages then show the value as a link to
``<that screen>/show/<id>``, for users who may read that screen; others see the text.

The link is made when the page is built (:meth:`RecordLinks.linked_rows`), from the related
record the list query already loaded (see :mod:`core.listing`): no query per row. A screen's
own formatter for such a column still runs, on the value inside the link. A screen that
should not be the target of links sets ``record_links_target = False``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import inspect


@dataclass(frozen=True)
class Link:
    """Where a column's related record has its page: the relation's name on the row, the
    target screen's ``show`` URL prefix and the permission object a user must read."""

    relation: str
    url: str
    permission: str


@dataclass(frozen=True)
class LinkedValue:
    """A value shown as a link (HTML-escaped; an empty value shows nothing)."""

    value: Any
    url: str

    def __html__(self) -> str:
        """The link, as Jinja renders it."""
        if self.value is None or self.value == "":
            return ""
        return Markup('<a href="{}">{}</a>').format(self.url, self.value)

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


class RecordLinks:
    """Mixin of a screen's data interface: the links of its columns (set at start-up) and
    the rows of a list or record page with those links in them while :meth:`linking`."""

    record_links: dict[str, Link]
    _linking: bool = False

    def links_for_viewer(self) -> dict[str, Link]:
        """The links whose target screen the signed-in user may read."""
        from flask import current_app

        links = getattr(self, "record_links", None) or {}
        if not links:
            return {}
        security = current_app.appbuilder.sm
        allowed: dict[str, bool] = {}
        for link in links.values():
            if link.permission not in allowed:
                allowed[link.permission] = bool(security.has_access("can_read", link.permission))
        return {column: link for column, link in links.items() if allowed[link.permission]}

    @contextmanager
    def linking(self) -> Iterator[None]:
        """While the page is built, rows come with their links."""
        self._linking = True
        try:
            yield
        finally:
            self._linking = False

    @staticmethod
    def linked_row(
        item: Any, columns: list[str], values: list[Any], links: dict[str, Link]
    ) -> list[Any]:
        """``values`` (of ``columns`` on ``item``) with each column of ``links`` a link."""
        return [
            _linked(item, links[column], value) if column in links else value
            for column, value in zip(columns, values, strict=True)
        ]

    def get_values(self, lst: list[Any], list_columns: list[str]) -> Any:
        """Flask-AppBuilder's list values; with links while :meth:`linking`."""
        rows = super().get_values(lst, list_columns)  # type: ignore[misc]
        links = self.links_for_viewer() if self._linking else {}
        if not links:
            return rows
        linked = []
        for item, row in zip(lst, rows, strict=True):
            values = self.linked_row(item, list_columns, [row[c] for c in list_columns], links)
            linked.append({**row, **dict(zip(list_columns, values, strict=True))})
        return linked

    def get_values_item(self, item: Any, show_columns: list[str]) -> list[Any]:
        """Flask-AppBuilder's record values; with links while :meth:`linking`."""
        values = super().get_values_item(item, show_columns)  # type: ignore[misc]
        links = self.links_for_viewer() if self._linking else {}
        return self.linked_row(item, show_columns, values, links) if links else values


def _linked(item: Any, link: Link, value: Any) -> Any:
    related = getattr(item, link.relation, None)
    if related is None:
        return value
    identity = inspect(related).identity
    if not identity:
        return value
    return LinkedValue(value, f"{link.url}{identity[0]}")


def _keeping_links(formatter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``formatter`` applied inside a link."""

    def format_value(value: Any) -> Any:
        if isinstance(value, LinkedValue):
            return LinkedValue(formatter(value.value), value.url)
        return formatter(value)

    return format_value


def record_pages(appbuilder: Any) -> dict[type, Any]:
    """The screen each model's records are linked to: the first business screen registered
    for it that has a record page."""
    from core.security.permissions import BusinessModelView

    pages: dict[type, Any] = {}
    for view in appbuilder.baseviews:
        if not isinstance(view, BusinessModelView):
            continue
        if not getattr(view, "record_links_target", True):
            continue
        if "show" in (getattr(view, "exclude_route_methods", None) or ()):
            continue
        pages.setdefault(view.datamodel.obj, view)
    return pages


def column_links(view: Any, pages: dict[type, Any]) -> dict[str, Link]:
    """The links of ``view``'s list and record columns that show a many-to-one relation
    (``customer`` or ``customer.<attribute>``) whose model has a record page."""
    mapper = inspect(view.datamodel.obj)
    links: dict[str, Link] = {}
    for column in [*(view.list_columns or []), *(view.show_columns or [])]:
        relation, _, attribute = column.partition(".")
        prop = mapper.relationships.get(relation)
        if prop is None or prop.uselist or "." in attribute:
            continue
        target = pages.get(prop.mapper.class_)
        if target is not None:
            url = f"{target.route_base}/show/"
            links[column] = Link(relation, url, target.class_permission_name)
    return links


def link_related_screens(appbuilder: Any) -> None:
    """Give every business screen the links of its related-record columns (see the module)."""
    from core.security.permissions import BusinessModelView

    pages = record_pages(appbuilder)
    for view in appbuilder.baseviews:
        if not isinstance(view, BusinessModelView):
            continue
        links = column_links(view, pages)
        view.datamodel.record_links = links
        formatters = dict(view.formatters_columns or {})
        for column in links:
            if column in formatters:
                formatters[column] = _keeping_links(formatters[column])
        view.formatters_columns = formatters
