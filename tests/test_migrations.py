"""Migrations: core and each plugin own their Alembic history and their own version table."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from core.database import owned_tables
from core.extensions import db
from core.manifest import load_manifest
from core.migrate import (
    check_models_match,
    current_revisions,
    describe_difference,
    head_revisions,
    make_revision,
    pending_revisions,
    upgrade,
)
from core.migrate.runner import ENV_PY
from core.testing import ROOT, builtin_plugin_packages

SAMPLES = ["sample_alpha", "sample_beta"]
_plugin_numbers = itertools.count(1)


@pytest.fixture
def fresh(make_app):
    """The sample plugins on a database without any table."""
    app = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    with app.app_context():
        yield app


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def schema_snapshot() -> dict[str, list[str]]:
    inspector = inspect(db.engine)
    return {
        name: sorted(
            [f"{c['name']} {c['type']} {c['nullable']}" for c in inspector.get_columns(name)]
            + [f"index {i['name']}" for i in inspector.get_indexes(name)]
        )
        for name in sorted(inspector.get_table_names())
    }


def count(table: str) -> int:
    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def version_in_table(component: str) -> list[str]:
    rows = db.session.execute(text(f"SELECT version_num FROM alembic_version_{component}"))
    return [row[0] for row in rows]


# --- A fresh database ------------------------------------------------------------------------


def test_upgrade_creates_every_table_the_models_declare(fresh):
    declared = {t.name for t in owned_tables("core") + owned_tables("sample_alpha")}
    assert not declared & table_names()

    upgrade(sync_permissions=False)

    assert declared <= table_names()
    assert check_models_match() == {}


def test_upgrade_runs_core_first_then_plugins_in_dependency_order(fresh):
    results = upgrade(sync_permissions=False)

    assert [r.component for r in results] == ["core", "sample_alpha", "sample_beta"]
    heads = head_revisions()
    by_name = {r.component: r for r in results}
    for name in ("core", "sample_alpha"):
        assert by_name[name].before == ()
        assert by_name[name].after == heads[name]
        assert by_name[name].applied[-1][0] in heads[name]
        assert "applied" in by_name[name].describe()


def test_plugin_without_migrations_folder_is_skipped_with_a_message(fresh):
    beta = {r.component: r for r in upgrade(sync_permissions=False)}["sample_beta"]

    assert beta.skipped and "no migrations folder" in beta.skipped
    assert "sample_beta: skipped" in beta.describe()


def test_each_component_has_its_own_version_table(fresh):
    upgrade(sync_permissions=False)

    names = table_names()
    assert "alembic_version" not in names
    assert {"alembic_version_core", "alembic_version_sample_alpha"} <= names
    assert "alembic_version_sample_beta" not in names  # nothing to record for it
    heads = head_revisions()
    assert version_in_table("core") == list(heads["core"])
    assert version_in_table("sample_alpha") == list(heads["sample_alpha"])
    assert current_revisions() == {
        "core": heads["core"][0],
        "sample_alpha": heads["sample_alpha"][0],
        "sample_beta": None,
    }
    assert pending_revisions() == {}


def test_upgrade_creates_the_declared_roles_and_permissions(fresh):
    upgrade()

    role = fresh.appbuilder.sm.find_role("Alpha User")
    assert role is not None
    granted = {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
    assert ("can_read", "sample_alpha_note") in granted
    assert fresh.appbuilder.sm.find_role("Admin") is not None


def test_second_upgrade_changes_nothing(fresh):
    upgrade()
    schema = schema_snapshot()
    rows = {t: count(t) for t in ("ab_role", "ab_permission_view", "ab_permission_view_role")}
    versions = current_revisions()
    db.session.rollback()  # upgrade refuses to run under an open transaction

    second = upgrade()

    assert [r.applied for r in second] == [[], [], []]
    assert schema_snapshot() == schema
    assert {t: count(t) for t in rows} == rows
    assert current_revisions() == versions


def test_upgrade_refuses_to_run_inside_an_open_transaction(fresh):
    from core.migrate import MigrationError

    upgrade(sync_permissions=False)
    count("core_module_choice")  # the session now holds a transaction (and its locks)

    with pytest.raises(MigrationError, match="commit or roll it back"):
        upgrade(sync_permissions=False)
    db.session.rollback()
    assert [r.applied for r in upgrade(sync_permissions=False)] == [[], [], []]


@pytest.mark.postgres
def test_workers_upgrading_at_once_apply_each_revision_once(fresh, tmp_path):
    """Several app servers running ``aftersales db upgrade`` as they start."""
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": fresh.config["SQLALCHEMY_DATABASE_URI"],
        "AFTERSALES_INSTANCE_PATH": str(tmp_path / "workers"),
        "AFTERSALES_SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
        "AFTERSALES_DISCOVER_ENTRY_POINTS": "false",
        "AFTERSALES_PLUGIN_PACKAGES": json.dumps(SAMPLES),
        "AFTERSALES_ENABLED_PLUGINS": json.dumps(SAMPLES),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "sample_plugins")]),
    }
    command = [sys.executable, "-c", "from core.cli import main; main()", "db", "upgrade"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=600)[0].decode() for w in workers]

    assert [w.returncode for w in workers] == [0, 0, 0], outputs
    heads = head_revisions()
    for name in ("core", "sample_alpha"):
        # "core: applied <rev> (...), <head> (...); now at <head>": one worker applied them.
        applied = [out for out in outputs if f"{name}: applied " in out]
        assert len(applied) == 1, outputs
        assert f"now at {heads[name][0]}" in applied[0], outputs
    assert check_models_match() == {}


# --- Disabling a plugin ----------------------------------------------------------------------


def test_upgrade_still_works_after_a_plugin_is_disabled_and_leaves_its_data(make_app):
    from sample_alpha.models import AlphaNote

    first = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    with first.app_context():
        upgrade(sync_permissions=False)
        db.session.add(AlphaNote(title="kept while disabled"))
        db.session.commit()
        alpha_version = version_in_table("sample_alpha")

    without = make_app(plugins=[], packages=SAMPLES, schema=False)
    with without.app_context():
        results = upgrade(sync_permissions=False)
        assert [r.component for r in results] == ["core"]
        assert "sample_alpha_note" in table_names()
        assert db.session.execute(text("SELECT title FROM sample_alpha_note")).scalars().all() == [
            "kept while disabled"
        ]
        assert version_in_table("sample_alpha") == alpha_version
        # the disabled plugin's tables are not reported as tables to drop
        assert check_models_match() == {}

    again = make_app(plugins=SAMPLES, packages=SAMPLES, schema=False)
    with again.app_context():
        alpha = {r.component: r for r in upgrade(sync_permissions=False)}["sample_alpha"]
        assert alpha.applied == []
        assert count("sample_alpha_note") == 1


# --- Command line ----------------------------------------------------------------------------


def test_cli_db_upgrade_prints_what_it_applied_then_check_passes(fresh):
    runner = fresh.test_cli_runner()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert "core: applied" in result.output
    assert "sample_alpha: applied" in result.output
    assert "sample_beta: skipped" in result.output
    assert fresh.appbuilder.sm.find_role("Alpha User") is not None
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    assert "Models and migrations match." in check.output
    db.session.rollback()
    again = runner.invoke(args=["db", "upgrade"])
    assert "core: up to date" in again.output


def test_cli_db_check_fails_listing_the_differences(fresh):
    upgrade(sync_permissions=False)
    db.session.execute(text("ALTER TABLE sample_alpha_note ADD COLUMN stray VARCHAR(10)"))
    db.session.commit()

    result = fresh.test_cli_runner().invoke(args=["db", "check"])

    assert result.exit_code == 1
    assert "sample_alpha: models and migrations disagree" in result.output
    assert "remove_column sample_alpha_note.stray" in result.output
    assert "core" not in result.output.split("disagree")[0]


def test_cli_db_check_fails_while_the_database_is_behind(fresh):
    result = fresh.test_cli_runner().invoke(args=["db", "check"])

    assert result.exit_code == 1
    assert "core: not upgraded" in result.output
    assert "aftersales db upgrade" in result.output


def test_cli_db_upgrade_names_the_component_whose_revision_is_unknown(fresh):
    upgrade(sync_permissions=False)
    db.session.execute(text("UPDATE alembic_version_sample_alpha SET version_num = 'gone'"))
    db.session.commit()

    result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code == 1
    assert "sample_alpha: Can't locate revision identified by 'gone'" in result.output


def test_cli_db_current_shows_each_component(fresh):
    runner = fresh.test_cli_runner()
    before = runner.invoke(args=["db", "current"])
    assert "pending" in before.output
    runner.invoke(args=["db", "upgrade"])

    result = runner.invoke(args=["db", "current"])

    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert lines["core"].endswith("head")
    assert head_revisions()["sample_alpha"][0] in lines["sample_alpha"]
    assert "no migrations folder" in lines["sample_beta"]


def test_cli_db_revision_rejects_an_unknown_component(fresh):
    result = fresh.test_cli_runner().invoke(args=["db", "revision", "nosuch", "-m", "x"])

    assert result.exit_code == 1
    assert "'nosuch' is neither core nor an enabled plugin" in result.output


# --- Writing revisions, with throwaway plugins -----------------------------------------------


@pytest.fixture
def throwaway_plugin(tmp_path, monkeypatch):
    """Write a plugin package ``migN`` with a parent and a child table into ``tmp_path``."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    made: list[str] = []

    def write(name_length: int = 200) -> str:
        name = f"mig{next(_plugin_numbers)}"
        package = folder / name
        package.mkdir()
        (package / "__init__.py").write_text(
            f"MANIFEST = {{'name': {name!r}, 'version': '1.0', 'label': 'Throwaway'}}\n"
        )
        (package / "models.py").write_text(
            textwrap.dedent(
                f"""
                from sqlalchemy import ForeignKey, Integer, String
                from sqlalchemy.orm import Mapped, mapped_column

                from core.extensions import db


                class Parent(db.Model):
                    __tablename__ = "{name}_parent"
                    id: Mapped[int] = mapped_column(Integer, primary_key=True)
                    name: Mapped[str] = mapped_column(String({name_length}), nullable=False)


                class Child(db.Model):
                    __tablename__ = "{name}_child"
                    id: Mapped[int] = mapped_column(Integer, primary_key=True)
                    parent_id: Mapped[int] = mapped_column(
                        ForeignKey("{name}_parent.id"), nullable=False
                    )
                """
            )
        )
        (package / "plugin.py").write_text(
            textwrap.dedent(
                f"""
                from core.hooks import hookimpl


                @hookimpl
                def aftersales_models():
                    from {name}.models import Child, Parent

                    return [Parent, Child]
                """
            )
        )
        made.append(name)
        return name

    yield write
    for name in made:  # keep the shared metadata as it was for the following tests
        for table in list(db.metadata.tables.values()):
            if table.name.startswith(f"{name}_"):
                db.metadata.remove(table)
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_plugin_models_without_migrations_fail_the_check_until_a_revision_is_written(
    make_app, throwaway_plugin
):
    name = throwaway_plugin()
    app = make_app(plugins=[name], packages=[name], schema=False)
    with app.app_context():
        upgrade(sync_permissions=False)
        missing = check_models_match()
        assert list(missing) == [name]
        assert sorted(describe_difference(d) for d in missing[name]) == [
            f"add_table {name}_child",
            f"add_table {name}_parent",
        ]

        path = make_revision(name, "initial schema")

        folder = Path(load_manifest(name).path) / "migrations"
        assert path is not None and path.parent == folder / "versions"
        assert (folder / "env.py").read_text() == ENV_PY
        assert "Component: " + name in path.read_text()
        assert {r.component: r for r in upgrade(sync_permissions=False)}[name].applied[0][
            1
        ] == "initial schema"
        assert {f"{name}_parent", f"{name}_child", f"alembic_version_{name}"} <= table_names()
        assert check_models_match() == {}
        assert make_revision(name, "nothing changed") is None
        assert len(list((folder / "versions").glob("*.py"))) == 1


def test_make_revision_refuses_a_database_that_is_behind(make_app, throwaway_plugin):
    from core.migrate import MigrationError

    name = throwaway_plugin()
    app = make_app(plugins=[name], packages=[name], schema=False)
    with app.app_context():
        upgrade(sync_permissions=False)
        make_revision(name, "initial schema")
        with pytest.raises(MigrationError, match="aftersales db upgrade"):
            make_revision(name, "too early")


def test_a_revision_rebuilding_a_referenced_table_keeps_its_rows(make_app, throwaway_plugin):
    """On SQLite, changing a column type rebuilds the table (batch mode) under rows that
    other rows point to: foreign keys must not stop it, and must still hold afterwards."""
    name = throwaway_plugin(name_length=200)
    versions = Path(load_manifest(name).path) / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions.parent / "env.py").write_text(ENV_PY)
    (versions / "0001_tables.py").write_text(
        textwrap.dedent(
            f"""
            import sqlalchemy as sa
            from alembic import op

            revision = "0001"
            down_revision = None


            def upgrade():
                op.create_table(
                    "{name}_parent",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("name", sa.String(length=50), nullable=False),
                )
                op.create_table(
                    "{name}_child",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column(
                        "parent_id", sa.Integer(), sa.ForeignKey("{name}_parent.id"),
                        nullable=False,
                    ),
                )
            """
        )
    )
    (versions / "0002_longer_names.py").write_text(
        textwrap.dedent(
            f"""
            import sqlalchemy as sa
            from alembic import op

            revision = "0002"
            down_revision = "0001"


            def upgrade():
                with op.batch_alter_table("{name}_parent") as batch:
                    batch.alter_column(
                        "name", type_=sa.String(length=200), existing_nullable=False
                    )
            """
        )
    )
    app = make_app(plugins=[name], packages=[name], schema=False)
    with app.app_context():
        upgrade(only=["core"], sync_permissions=False)
        upgrade(only=[name], target="0001", sync_permissions=False)
        db.session.execute(text(f"INSERT INTO {name}_parent (id, name) VALUES (1, 'pump')"))
        db.session.execute(text(f"INSERT INTO {name}_child (id, parent_id) VALUES (1, 1)"))
        db.session.commit()
        assert {r.component: r for r in upgrade(sync_permissions=False)}[name].applied == [
            ("0002", "")
        ]

        assert db.session.execute(text(f"SELECT name FROM {name}_parent")).scalar_one() == "pump"
        assert count(f"{name}_child") == 1
        assert check_models_match() == {}
        with pytest.raises(Exception, match="(?i)foreign key"):
            db.session.execute(text(f"INSERT INTO {name}_child (id, parent_id) VALUES (2, 99)"))
        db.session.rollback()


# --- Built-in plugins ------------------------------------------------------------------------


def _builtin_with_migrations() -> list[str]:
    return [
        package
        for package in builtin_plugin_packages()
        if (ROOT.joinpath(*package.split(".")) / "migrations" / "env.py").is_file()
    ]


@pytest.mark.parametrize("package", _builtin_with_migrations())
def test_builtin_plugin_migrations_build_exactly_its_models(make_app, package):
    name = load_manifest(package).name
    app = make_app(plugins=[name], schema=False)
    with app.app_context():
        upgrade(sync_permissions=False)
        assert pending_revisions() == {}
        differences = {
            component: [describe_difference(d) for d in found]
            for component, found in check_models_match().items()
        }
        assert differences == {}


def test_core_and_every_builtin_plugin_together_upgrade_to_their_models(make_app):
    app = make_app(schema=False)
    with app.app_context():
        upgrade(sync_permissions=False)
        differences = {
            component: [describe_difference(d) for d in found]
            for component, found in check_models_match().items()
            if component == "core" or _has_migrations(component)
        }
        assert differences == {}
        assert upgrade(sync_permissions=False)[0].applied == []


def _has_migrations(component: str) -> bool:
    from core.migrate import components

    return any(c.name == component and c.has_migrations for c in components())


def test_autogenerate_writes_cores_column_types_as_plain_sqlalchemy_types():
    from sqlalchemy import Integer

    from core.column_limits import LongText
    from core.migrate.env import render_core_types
    from core.money import MoneyAmount

    assert render_core_types("type", LongText(1000), None) == "sa.Text()"
    assert render_core_types("type", MoneyAmount(), None) == "sa.BigInteger()"
    assert render_core_types("type", Integer(), None) is False
    assert render_core_types("column", LongText(10), None) is False
