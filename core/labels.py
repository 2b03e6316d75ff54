"""Column labels: made from the column's key and translated, and one set per model.

A column no screen or API labels gets :func:`column_label`: its key in words
(``serial_number``: "Serial Number"; ``customer.name``: "Customer", a relation's name
standing for the relation) looked up in the translation catalogs when shown, as Odoo does
for a field without a ``string``. The extraction method
(:func:`core.i18n_extract.extract_python_and_manifest`) puts those words of every mapped
column of a model into the plugin's catalog, so a plugin writes ``label_columns`` only where
it wants other words than its column names.

Flask-AppBuilder gives a ``ModelRestApi`` its own ``label_columns`` and, for every column it
does not name, a label made from the column's key (``card_number`` becomes "Card Number", in
English only). :func:`share_screen_labels`, run once every plugin has registered its screens
and APIs, gives each :class:`~core.security.permissions.BusinessModelApi` the labels of the
screens serving the same model for the columns it does not label itself, so
``/_info?_l_=zh`` and the ``label_columns`` of lists and records are translated wherever the
screen is, without a second copy of the labels.
"""

from __future__ import annotations

import re
from typing import Any

from flask_appbuilder import AppBuilder
from flask_babel import gettext
from flask_babel.speaklater import LazyString


class ColumnLabel(LazyString):
    """A label made from a column's key (:func:`column_label`), translated when shown."""


#: Words written in capitals in a label made from a key.
ACRONYMS = {"id": "ID", "sku": "SKU", "rma": "RMA", "sla": "SLA", "url": "URL", "vat": "VAT"}


def column_words(key: str) -> str:
    """A column key in words: ``"due_back"`` is "Due Back", ``"customer.name"`` is
    "Customer" (a relation's name stands for the relation), ``"site.city"`` "Site City",
    ``"tax_id"`` "Tax ID" (:data:`ACRONYMS`)."""
    relation, _, attribute = key.partition(".")
    words = re.split("[._]", relation if attribute == "name" else key)
    return " ".join(ACRONYMS.get(word.lower(), word.title()) for word in words if word)


def column_label(key: str) -> ColumnLabel:
    """The label of column ``key`` where nobody wrote one: :func:`column_words`, translated
    by the catalogs when shown."""
    return ColumnLabel(gettext, column_words(key))


def _generated(api: Any, column: str, label: Any) -> bool:
    """Whether ``label`` was made from ``column``'s key (by core or Flask-AppBuilder), not
    written by the plugin."""
    return isinstance(label, ColumnLabel) or (
        type(label) is str and label == str(api._prettify_column(column))
    )


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
