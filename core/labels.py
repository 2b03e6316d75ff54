"""One set of column labels per model: the REST API speaks the words of the screen.

Flask-AppBuilder gives a ``ModelRestApi`` its own ``label_columns`` and, for every column it
does not name, a label made from the column's key (``card_number`` becomes "Card Number", in
English only). :func:`share_screen_labels`, run once every plugin has registered its screens
and APIs, gives each :class:`~core.security.permissions.BusinessModelApi` the labels of the
screens serving the same model for the columns it does not label itself, so
``/_info?_l_=zh`` and the ``label_columns`` of lists and records are translated wherever the
screen is, without a second copy of the labels.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder import AppBuilder


def _generated(api: Any, column: str, label: Any) -> bool:
    """Whether ``label`` is Flask-AppBuilder's own label for ``column`` (a plain string made
    from its key), not one the plugin wrote."""
    return type(label) is str and label == api._prettify_column(column)


def screen_labels(appbuilder: AppBuilder) -> dict[type, dict[str, Any]]:
    """The labels the business screens give their columns, merged per model."""
    from core.security.permissions import BusinessModelView

    labels: dict[type, dict[str, Any]] = {}
    for view in appbuilder.baseviews:
        if not isinstance(view, BusinessModelView):
            continue
        own = labels.setdefault(view.datamodel.obj, {})
        for column, label in (view.label_columns or {}).items():
            if not _generated(view, column, label):
                own.setdefault(column, label)
    return labels


def share_screen_labels(appbuilder: AppBuilder) -> None:
    """Give every business API the screen's label of each column it leaves to FAB."""
    from core.security.permissions import BusinessModelApi

    by_model = screen_labels(appbuilder)
    for api in appbuilder.baseviews:
        if not isinstance(api, BusinessModelApi):
            continue
        shared = by_model.get(api.datamodel.obj, {})
        labels = dict(api.label_columns or {})  # FAB may share one dict between classes
        for column, label in shared.items():
            if _generated(api, column, labels.get(column, api._prettify_column(column))):
                labels[column] = label
        api.label_columns = labels
