"""What the contracts screens share: drop-downs and labelled choices for enumerated columns,
exact amounts, the text of a contract term, and the base class of their model views."""

from __future__ import annotations

from typing import Any

from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired, Optional

from core.crud import CheckedModelView
from plugins.contracts.services.labels import CHOICES, LABELS


def selects(*columns: str, **renamed: str) -> dict[str, SelectField]:
    """Drop-down fields for the enumerated columns (``kind="entitlement_kind"`` renames)."""
    fields = {c: SelectField(LABELS[c], choices=CHOICES[c]) for c in columns}
    for column, key in renamed.items():
        fields[column] = SelectField(LABELS[column], choices=CHOICES[key])
    return fields


def choice_labels(*columns: str, **renamed: str) -> dict[str, Any]:
    """Formatters showing enumerated columns by their translated label, not their stored code
    (``kind="entitlement_kind"`` renames, as in :func:`selects`)."""
    keys = {**{c: c for c in columns}, **renamed}

    def label(key: str) -> Any:
        return lambda value: dict(CHOICES[key]).get(value, value) if value else ""

    return {column: label(key) for column, key in keys.items()}


def amounts(required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Exact decimal fields for money and percent columns (stored as integer hundredths,
    which Flask-AppBuilder would otherwise offer as whole numbers)."""
    fields: dict[str, Any] = {
        c: DecimalField(LABELS[c], places=2, validators=[InputRequired()]) for c in required
    }
    fields.update({c: DecimalField(LABELS[c], places=2, validators=[Optional()]) for c in optional})
    return fields


class ContractsView(CheckedModelView):
    """Screens whose add/edit go through a service check; a refusal is flashed."""

    label_columns = LABELS


TERM_CHOICES = ("billing_cycle", "renewal", "dispute_resolution")


def term_text(term: str, value: Any) -> str:
    """A term's value as the screens show it (choices translated, unit lists joined)."""
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if term in TERM_CHOICES:
        return str(dict(CHOICES[term]).get(value, value))
    return str(value)
