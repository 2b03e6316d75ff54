"""Database migrations: core and every plugin own their Alembic history and version table.

``aftersales db upgrade`` upgrades core (``core/migrations``, version table
``alembic_version_core``), then each enabled plugin in dependency order (``<plugin>/migrations``,
version table ``alembic_version_<plugin>``), then creates the declared roles and permissions.
Each component only sees its own tables (core: ``core_*`` and Flask-AppBuilder's ``ab_*``;
plugin ``x``: ``x_*``). Disabled plugins are not touched; their tables, rows and version
table stay. ``aftersales db current`` shows where each component is, ``aftersales db check``
fails when models and migrations disagree, and ``aftersales db revision COMPONENT -m MESSAGE
--autogenerate`` writes a new revision (creating a plugin's ``migrations/`` folder if needed).

A plugin's ``migrations/env.py`` is always just::

    from core.migrate.env import run_migrations

    run_migrations()

Regenerating core's initial revision (before the first release, after adding core models):
delete the old file and autogenerate a new one against an empty database, from the
repository root::

    rm core/migrations/versions/*.py
    rm -rf /tmp/aftersales-regen && mkdir /tmp/aftersales-regen
    AFTERSALES_INSTANCE_PATH=/tmp/aftersales-regen AFTERSALES_ENABLED_PLUGINS='[]' \\
        .venv/bin/aftersales db revision core -m "initial schema" --autogenerate
    .venv/bin/python -m pytest tests/test_migrations.py

(The instance folder gives a fresh SQLite database; ``--autogenerate`` refuses to run on a
database that is behind.) A plugin's initial revision is made the same way with its name
instead of ``core`` and ``AFTERSALES_ENABLED_PLUGINS='["<plugin>"]'``. Development databases
upgraded with the replaced revision then fail loudly ("Can't locate revision"): delete them.
"""

from core.migrate.runner import (
    Component,
    MigrationError,
    UpgradeResult,
    check_models_match,
    components,
    current_revisions,
    describe_difference,
    head_revisions,
    init_migrations,
    make_revision,
    owner_of,
    pending_revisions,
    upgrade,
)

__all__ = [
    "Component",
    "MigrationError",
    "UpgradeResult",
    "check_models_match",
    "components",
    "current_revisions",
    "describe_difference",
    "head_revisions",
    "init_migrations",
    "make_revision",
    "owner_of",
    "pending_revisions",
    "upgrade",
]
