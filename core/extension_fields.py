"""Extension fields: a plugin adds fields to another plugin's record without touching its table.

The extending plugin declares a one-to-one side table in one statement, next to its models::

    EquipmentWarranty = extension_table(
        "warranty_cards_equipment",
        Equipment,
        warranty_card=ExtensionField(String(40), _("Warranty card")),
        warranty_until=ExtensionField(Date(), _("Warranty until")),
    )

and returns it from ``aftersales_models`` like any model, so its own migrations create the
table (``record_id`` is the primary key and a foreign key to the record, deleted with it).
While that plugin is enabled, every business screen and API of ``Equipment`` (built on
:class:`~core.security.permissions.BusinessModelView` / ``BusinessModelApi``) shows and
accepts the fields: the add and edit forms and the record page list them, and the API's
record, create and change bodies carry them under their keys (``"warranty_card": "WC-1"``).
The values are saved with the record, in its transaction, and audited as rows of the side
table. Lists do not show them (one query per row). When the plugin is disabled the fields
vanish from screens and API; the side table and its data stay until it is enabled again.

Keys must not clash with the record's own attributes; prefix them with the plugin's name or
topic. A value the field's type cannot hold is refused by the form or the API naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import fields as api_fields
from marshmallow import validate
from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import backref, relationship
from sqlalchemy.types import TypeEngine
from wtforms import fields as form_fields
from wtforms import validators

from core.column_limits import LongText, type_limit
from core.extensions import db

#: What an extension class carries: the model it extends and its fields by key.
EXTENDS = "__extends__"
FIELDS = "__extension_fields__"
LINKS = "__extension_links__"  # on the extended model: its relations to side rows
_APP_KEY = "aftersales.extension_fields"


@dataclass(frozen=True)
class ExtensionField:
    """One field added to another plugin's record: its column type (``String(n)``,
    ``LongText(n)``, ``Integer()``, ``Numeric(p, s)``, ``Date()``, ``Boolean()``), its label
    (a ``lazy_gettext`` string) and an optional description shown under the form field."""

    type: TypeEngine[Any]
    label: Any
    description: Any = ""


def extension_table(table_name: str, target: type, **extra: ExtensionField) -> type:
    """A mapped class for the side table ``table_name`` adding ``extra`` fields to
    ``target`` (see the module). Each key becomes a property of ``target`` reading and
    writing the side row, created on the first value written."""
    if not extra:
        raise ValueError(f"{table_name}: an extension table needs at least one field")
    target_table = target.__table__  # type: ignore[attr-defined]
    (target_key,) = target_table.primary_key.columns
    link = f"ext_{table_name}"
    for key, field in extra.items():
        if hasattr(target, key):
            raise ValueError(f"{table_name}: {target.__name__} already has {key!r}")
        _check_type(table_name, key, field.type)
    columns = {key: Column(key, field.type, nullable=True) for key, field in extra.items()}
    body: dict[str, Any] = {
        "__tablename__": table_name,
        "__audit__": True,
        EXTENDS: target,
        FIELDS: dict(extra),
        "__doc__": f"Fields that {table_name} adds to {target.__name__}.",
        "record_id": Column(
            Integer,
            ForeignKey(f"{target_table.name}.{target_key.name}", ondelete="CASCADE"),
            primary_key=True,
        ),
        "record": relationship(
            target,
            backref=backref(
                link, uselist=False, cascade="all, delete-orphan", passive_deletes=True
            ),
        ),
        **columns,
    }
    name = "".join(part.title() for part in table_name.split("_"))
    extension = type(name, (db.Model,), body)
    for key in extra:
        setattr(target, key, _proxy(extension, link, key))
    setattr(target, LINKS, {*getattr(target, LINKS, set()), link})
    return extension


def _check_type(table_name: str, key: str, column_type: TypeEngine[Any]) -> None:
    allowed = (String, LongText, Integer, Numeric, Date, Boolean)
    if not isinstance(column_type, allowed):
        raise ValueError(
            f"{table_name}.{key}: an extension field is String, LongText, Integer, Numeric, "
            f"Date or Boolean, not {type(column_type).__name__}"
        )


def _proxy(extension: type, link: str, key: str) -> property:
    def read(record: Any) -> Any:
        row = getattr(record, link)
        return None if row is None else getattr(row, key)

    def write(record: Any, value: Any) -> None:
        row = getattr(record, link)
        if row is None:
            if value is None or value == "":
                return  # nothing to keep: no side row for a record without values
            row = extension()
            setattr(record, link, row)
        setattr(row, key, None if value == "" else value)

    return property(read, write, doc=f"{extension.__tablename__}.{key}")


def enabled_extensions(model: type) -> dict[str, ExtensionField]:
    """The extension fields of ``model`` declared by the plugins enabled in the current app
    (found once per app, when its screens and APIs are built)."""
    from flask import current_app

    from core.runtime import hooks

    index = current_app.extensions.get(_APP_KEY)
    if index is None:
        owners = hooks().models_by_owner()
        index = {}
        for candidate in (m for group in owners.values() for m in group):
            target = getattr(candidate, EXTENDS, None)
            if target is not None:
                index.setdefault(target, {}).update(getattr(candidate, FIELDS))
        current_app.extensions[_APP_KEY] = index
    return index.get(model, {})


# --- screens and API -------------------------------------------------------------------------


def form_field(field: ExtensionField) -> Any:
    """The WTForms field of a screen's add and edit forms for ``field`` (optional)."""
    column_type = field.type
    options: dict[str, Any] = {"description": field.description}
    optional = [validators.Optional()]
    if isinstance(column_type, Boolean):
        return form_fields.BooleanField(field.label, **options)
    if isinstance(column_type, Date):
        return form_fields.DateField(field.label, validators=optional, **options)
    if isinstance(column_type, Integer):
        return form_fields.IntegerField(field.label, validators=optional, **options)
    if isinstance(column_type, Numeric):
        return form_fields.DecimalField(field.label, validators=optional, **options)
    limit = type_limit(column_type)
    checks = [*optional, validators.Length(max=limit)] if limit else optional
    if isinstance(column_type, LongText):
        return form_fields.TextAreaField(field.label, validators=checks, **options)
    return form_fields.StringField(field.label, validators=checks, **options)


def api_field(field: ExtensionField) -> api_fields.Field:
    """The marshmallow field of an API's bodies for ``field`` (optional, ``null`` allowed)."""
    column_type = field.type
    options: dict[str, Any] = {"required": False, "allow_none": True}
    if isinstance(column_type, Boolean):
        return api_fields.Boolean(**options)
    if isinstance(column_type, Date):
        return api_fields.Date(**options)
    if isinstance(column_type, Integer):
        return api_fields.Integer(strict=True, **options)
    if isinstance(column_type, Numeric):
        return api_fields.Decimal(as_string=True, **options)
    limit = type_limit(column_type)
    return api_fields.String(validate=validate.Length(max=limit) if limit else None, **options)


def _add_extension_columns(target: Any) -> dict[str, ExtensionField]:
    """Append the enabled extension fields of ``target``'s model (a screen or an API being
    built) to its add, edit and show columns (Flask-AppBuilder's default, the model's
    columns, where a list is ``None``) and label them; new lists and dicts, so the classes
    stay untouched. Returns the fields."""
    extra = enabled_extensions(target.datamodel.obj)
    if not extra:
        return extra
    for attr in ("add_columns", "edit_columns", "show_columns"):
        columns = getattr(target, attr)
        base = target.datamodel.get_user_columns_list() if columns is None else list(columns)
        setattr(target, attr, [*base, *(key for key in extra if key not in base)])
    labels = {key: field.label for key, field in extra.items()}
    target.label_columns = {**(target.label_columns or {}), **labels}
    return extra


def extend_view(view: Any) -> None:
    """Give a business screen being built the enabled extension fields of its model: on the
    add and edit forms and the record page."""
    extra = _add_extension_columns(view)
    fields_of_forms = {key: form_field(field) for key, field in extra.items()}
    if fields_of_forms:
        view.add_form_extra_fields = {**(view.add_form_extra_fields or {}), **fields_of_forms}
        view.edit_form_extra_fields = {**(view.edit_form_extra_fields or {}), **fields_of_forms}


def extend_api(api: Any) -> None:
    """Give a business API being built the enabled extension fields of its model: in the
    record it returns and in create and change bodies (not in lists)."""
    _add_extension_columns(api)


def extension_api_field(model: type, key: str) -> api_fields.Field | None:
    """The API field of extension ``key`` of ``model`` when an enabled plugin declares it."""
    field = enabled_extensions(model).get(key)
    return None if field is None else api_field(field)


__all__ = [
    "ExtensionField",
    "api_field",
    "enabled_extensions",
    "extend_api",
    "extend_view",
    "extension_api_field",
    "extension_table",
    "form_field",
]
