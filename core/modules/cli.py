"""``aftersales plugins list|enable|disable``."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import inspect as sa_inspect

from core.extensions import db
from core.modules.models import ModuleChoice
from core.modules.service import ModuleError, UnchangedModuleError, change_module
from core.runtime import runtime


@click.group("plugins", cls=AppGroup)
def plugins_cli() -> None:
    """List, enable and disable plugins (modules)."""


@plugins_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_plugins(as_json: bool) -> None:
    """List installed plugins and whether each is enabled."""
    rt = runtime()
    manifests = rt.registry.manifests()
    enabled = set(rt.enabled_names)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {**m.as_dict(), "enabled": m.name in enabled}
                    for _, m in sorted(manifests.items())
                ],
                indent=2,
            )
        )
        return
    if not manifests:
        click.echo("No plugins are installed.")
    for name in sorted(manifests):
        manifest = manifests[name]
        state = "enabled " if name in enabled else "disabled"
        depends = f"  (depends: {', '.join(manifest.depends)})" if manifest.depends else ""
        click.echo(f"{state}  {name:<16} {manifest.version:<8} {manifest.summary}{depends}")
    for problem in rt.registry.problems:
        click.echo(f"warning: {problem}", err=True)


def _change(name: str, enable: bool) -> None:
    """Store the choice; a clear refusal (exit 1) when the database is not set up yet, and a
    plain notice (exit 0, so scripts can run again) when nothing changes."""
    if not sa_inspect(db.engine).has_table(ModuleChoice.__tablename__):
        raise click.ClickException(
            "the database has no AfterSales tables yet: run 'aftersales db upgrade' "
            "(or 'aftersales setup') first, then enable or disable plugins"
        )
    try:
        now = change_module(current_app._get_current_object(), db.session, name, enable, "cli")
    except UnchangedModuleError as exc:
        db.session.rollback()
        click.echo(f"{exc}; nothing to do.")
        return
    except ModuleError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{'Enabled' if enable else 'Disabled'} {name}. Enabled now: {', '.join(now) or '-'}"
    )


@plugins_cli.command("enable")
@click.argument("name")
def enable_plugin(name: str) -> None:
    """Enable plugin NAME (and what it depends on) in every worker."""
    _change(name, True)


@plugins_cli.command("disable")
@click.argument("name")
def disable_plugin(name: str) -> None:
    """Disable plugin NAME; refused while enabled plugins depend on it. Data is kept."""
    _change(name, False)
