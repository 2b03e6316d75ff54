"""Relation fields of REST bodies take ids of rows the caller may read, nothing else.

Flask-AppBuilder builds its API schemas with marshmallow-sqlalchemy, whose ``Related`` field
accepts a JSON *object* in a relation field and, when no row matches it, builds a new row of
the related table from it: a user who may only read equipment created equipment through a
fault report, and a login account through a contract's ``manager``. An id that does not exist
became a half-built row and a database error.

:class:`IdOnlySchemaConverter`, used by every
:class:`~core.security.permissions.BusinessModelApi`, gives add and edit schemas
:class:`RelatedId` / :class:`RelatedIds` fields instead. They accept an id (a list of ids for
to-many relations, ``null`` where the relation is optional) of a row that exists, that the
row rules of :mod:`core.visibility` let the caller see, and whose object the caller holds the
read permission of; anything else is a validation error naming the field, which the API
answers as 422 ``{"message", "field"}`` before anything is written. A value the record
already holds is accepted as it is (a ``PUT`` that leaves a relation alone does not need
read access to it).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context
from flask_appbuilder.api.convert import Model2SchemaConverter, TreeNode
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from marshmallow import ValidationError, fields
from marshmallow_sqlalchemy.fields import Related, RelatedList
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from core.extension_fields import extension_api_field
from core.extensions import db
from core.visibility import visible_only

#: The largest id a database integer key holds (64-bit signed).
MAX_ID = 2**63 - 1


def _checked_id(value: Any) -> int:
    """``value`` as a row id, or a :class:`ValidationError` saying what an id is."""
    if isinstance(value, dict):
        raise ValidationError(gettext("must be the id of an existing record, not an object"))
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(gettext("must be the id of an existing record (a whole number)"))
    if not 1 <= value <= MAX_ID:
        raise ValidationError(gettext("no record with id %(id)s", id=value))
    return value


def _rows(model: type, ids: list[int]) -> dict[int, Any]:
    """The rows of ``model`` with these ids that the signed-in user sees, by id."""
    key = sa_inspect(model).primary_key[0]
    query = visible_only(select(model).where(key.in_(ids)), model)
    return {getattr(row, key.key): row for row in db.session.scalars(query)}


def _pk(row: Any) -> Any:
    identity = sa_inspect(row).identity
    return identity[0] if identity else None


def may_read(model: type) -> bool:
    """Whether the signed-in user holds the read permission of some business screen or API
    serving ``model``. Rows of models that no business screen serves (Flask-AppBuilder's
    users, say, picked as a contract's manager) may be referred to by anyone who may write
    the referring record."""
    if not has_request_context():
        return True
    from core.security.permissions import BusinessModelApi, BusinessModelView

    sm = current_app.appbuilder.sm
    readers = {
        view.class_permission_name
        for view in current_app.appbuilder.baseviews
        if isinstance(view, BusinessModelView | BusinessModelApi)
        and getattr(view.datamodel, "obj", None) is model
    }
    return not readers or any(sm.has_access("can_read", name) for name in readers)


class _RelatedIdMixin:
    """Shared loading of related rows by id for :class:`RelatedId` and :class:`RelatedIds`."""

    @property
    def related_model(self) -> type:
        """The model the relation points to."""
        relation = getattr(self.root.opts.model, self.attribute or self.name)
        return relation.property.mapper.class_

    def _current_ids(self) -> set[Any]:
        """Ids the record being changed already refers to through this field."""
        instance = getattr(self.root, "instance", None)
        if instance is None:
            return set()
        current = getattr(instance, self.attribute or self.name, None)
        if current is None:
            return set()
        rows = current if isinstance(current, list | set | tuple) else [current]
        return {_pk(row) for row in rows}

    def _load(self, ids: list[int]) -> list[Any]:
        """The rows with ``ids``, in that order; an id unknown or hidden by a row rule is
        the same error, so that a refusal never tells whether a hidden row exists."""
        if not ids:
            return []
        found = _rows(self.related_model, ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(gettext("no record with id %(id)s", id=missing[0]))
        if not set(ids) <= self._current_ids() and not may_read(self.related_model):
            raise ValidationError(gettext("you may not read the records this field refers to"))
        return [found[i] for i in ids]


class RelatedId(_RelatedIdMixin, Related):
    """A many-to-one relation given by the id of an existing, readable row (documented as
    an integer in the OpenAPI document)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"type": "integer", "description": "id"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return self._load([_checked_id(value)])[0]


class RelatedIds(_RelatedIdMixin, RelatedList):
    """A to-many relation given by a list of ids of existing, readable rows."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Related(metadata={"type": "integer"}), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list):
            raise ValidationError(gettext("must be a list of ids of existing records"))
        ids = list(dict.fromkeys(_checked_id(item) for item in value))
        return self._load(ids)


class StrictBoolean(fields.Boolean):
    """A boolean that takes JSON ``true`` or ``false`` only: marshmallow also reads ``"yes"``,
    ``"on"``, ``1`` or ``"0"``, and a typo then silently becomes a value."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(gettext("must be true or false"))
        return value


class IdOnlySchemaConverter(Model2SchemaConverter):
    """Flask-AppBuilder's schema converter, with :class:`RelatedId` / :class:`RelatedIds`
    for the relation fields of add and edit schemas (list and show schemas still nest the
    related columns they show) and :class:`StrictBoolean` for boolean columns."""

    def _column2field(
        self,
        datamodel: SQLAInterface,
        column: TreeNode,
        nested: bool = True,
        parent_schema_name: str | None = None,
    ) -> fields.Field:
        extension = extension_api_field(datamodel.obj, column.name)
        if extension is not None:  # another plugin's field (core.extension_fields)
            return extension
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        if type(field) is fields.Boolean and not field.dump_only:
            strict = StrictBoolean(
                required=field.required,
                allow_none=field.allow_none,
                validate=field.validators or None,
                metadata=field.metadata,
            )
            strict.unique = getattr(field, "unique", False)
            return strict
        return field

    def _column2relation(
        self,
        datamodel: SQLAInterface,
        column: TreeNode,
        nested: bool = False,
        parent_schema_name: str | None = None,
    ) -> fields.Field:
        if nested:
            return super()._column2relation(datamodel, column, nested, parent_schema_name)
        name = column.name
        if datamodel.is_relation_many_to_many(name) or datamodel.is_relation_one_to_many(name):
            required = bool(datamodel.get_info(name).get("required", False))
            field: fields.Field = RelatedIds(required=required)
        else:
            nullable = datamodel.is_nullable(name)
            field = RelatedId(required=not nullable, allow_none=nullable)
        field.unique = datamodel.is_unique(name)
        return field
