"""Screen titles in the user's language, made from the screen's menu label.

Flask-AppBuilder titles a screen that sets no titles from its model's class name, in English
only: "List Loan", "Add Loan", "Edit Loan", "Show Loan". Once every plugin has registered its
screens, :func:`title_screens` replaces each such title of a business screen that has a menu
entry with one made from the entry's (translated) label, as Odoo's breadcrumbs read: "Loans",
"Loans — New", "Loans — Edit", "Loans — Details" (借用记录 — 新建 ...). A title the screen
sets itself is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask_babel import lazy_gettext


def titles_for(label: Any) -> dict[str, Any]:
    """The four titles of a screen whose menu label is ``label``, translated when shown."""
    return {
        "list_title": label,
        "add_title": lazy_gettext("%(screen)s — New", screen=label),
        "edit_title": lazy_gettext("%(screen)s — Edit", screen=label),
        "show_title": lazy_gettext("%(screen)s — Details", screen=label),
    }


def flask_appbuilder_titles(view: Any) -> dict[str, str]:
    """The titles Flask-AppBuilder gives ``view`` when it sets none."""
    name = view._prettify_name(view.datamodel.model_name)
    return {
        "list_title": f"List {name}",
        "add_title": f"Add {name}",
        "edit_title": f"Edit {name}",
        "show_title": f"Show {name}",
    }


def _menu_items(items: Iterable[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _menu_items(item.childs or [])


def menu_labels(appbuilder: Any) -> dict[int, Any]:
    """The menu label of each screen with a menu entry, by the screen's ``id()``."""
    labels: dict[int, Any] = {}
    for item in _menu_items(appbuilder.menu.get_list()):
        if item.baseview is not None and item.label:
            labels.setdefault(id(item.baseview), item.label)
    return labels


def title_screens(appbuilder: Any) -> None:
    """Give business screens with a menu entry their titles from its label (see the module)."""
    from core.security.permissions import BusinessModelView

    labels = menu_labels(appbuilder)
    for view in appbuilder.baseviews:
        label = labels.get(id(view))
        if label is None or not isinstance(view, BusinessModelView):
            continue
        defaults = flask_appbuilder_titles(view)
        for attr, title in titles_for(label).items():
            current = getattr(view, attr, None)
            if type(current) is str and current == defaults[attr]:  # FAB's, not the screen's
                setattr(view, attr, title)
        view.title = view.list_title
