"""The one Alembic environment shared by core and every plugin.

Each component's ``migrations/env.py`` is only::

    from core.migrate.env import run_migrations

    run_migrations()

:mod:`core.migrate.runner` puts what the environment needs in ``config.attributes``: the
component name, the connection, the metadata and the filter that shows the component only its
own tables. Alembic is always driven through ``aftersales db ...`` (or the functions of
:mod:`core.migrate`), never through the ``alembic`` command, which would not set them.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator


def run_migrations() -> None:
    """Configure Alembic for the component named in ``config.attributes`` and run it."""
    config = context.config
    attributes = config.attributes
    missing = [k for k in ("component", "connection", "metadata", "filter") if k not in attributes]
    if missing:
        raise RuntimeError(
            "this migrations folder is run by 'aftersales db ...', not by the 'alembic' "
            f"command (missing: {', '.join(missing)})"
        )
    if context.is_offline_mode():
        raise RuntimeError("offline (--sql) migrations are not supported")
    component: str = attributes["component"]
    table_filter = attributes["filter"]
    applied: list[Any] = attributes.setdefault("applied", [])

    def on_version_apply(*, step: Any, **_: Any) -> None:
        applied.append(step)

    context.configure(
        connection=attributes["connection"],
        target_metadata=attributes["metadata"],
        version_table=version_table(component),
        render_as_batch=True,
        compare_type=True,
        include_name=table_filter.include_name,
        include_object=table_filter.include_object,
        on_version_apply=on_version_apply,
        render_item=render_core_types,
        template_args={"component": component},
    )
    with context.begin_transaction():
        context.run_migrations()


def render_core_types(kind: str, value: Any, _autogen_context: Any) -> str | bool:
    """How autogenerate writes a column of one of core's types (``LongText``,
    ``MoneyAmount``...): as the plain SQLAlchemy type it stores (``sa.Text()``), so that a
    revision never imports core; ``False`` (Alembic's own rendering) for anything else."""
    ours = isinstance(value, TypeDecorator) and type(value).__module__.startswith("core.")
    return f"sa.{value.impl!r}" if kind == "type" and ours else False


def version_table(component: str) -> str:
    """The table holding ``component``'s current revision: ``alembic_version_<component>``."""
    return f"alembic_version_{component}"
