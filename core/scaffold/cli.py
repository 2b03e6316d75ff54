"""``aftersales plugins new NAME [--directory DIR]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import has_app_context
from flask.cli import ScriptInfo

from core.scaffold.service import ScaffoldError, Skeleton, create_skeleton


def _installed_plugin_names() -> set[str]:
    """The installed plugins as the app sees them (entry points and ``PLUGIN_PACKAGES``);
    without an app (the command used on its own), those found by entry points."""
    from core.runtime import runtime

    if has_app_context():
        rt = runtime()
    else:
        info = click.get_current_context().find_object(ScriptInfo)
        if info is None:
            from core.plugins import discover

            return set(discover().plugins)
        rt = runtime(info.load_app())
    return set(rt.registry.plugins) | set(rt.enabled_names)


@click.command("new")
@click.argument("name")
@click.option(
    "--directory",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder in which the plugin's project folder (aftersales-NAME) is created.",
)
@click.option("--label", default=None, help="Human-readable name (default: from NAME).")
@click.option(
    "--depends",
    multiple=True,
    help="A plugin this one depends on (repeatable). With contracts, each item belongs to a "
    "customer (a foreign key and a picker).",
)
def new_plugin_command(
    name: str, directory: Path, label: str | None, depends: tuple[str, ...]
) -> None:
    """Create the project of a new plugin NAME (aftersales-NAME/, ready to pip install).

    It has the package with MANIFEST and hooks, one table with a state field, a screen, a
    REST API, services, migrations, zh/zh_TW catalogs, a template and tests.
    """
    try:
        skeleton = create_skeleton(
            name, directory, _installed_plugin_names(), label=label, depends=depends
        )
    except ScaffoldError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{exc.field}'") from exc
    _report(skeleton)


def _report(skeleton: Skeleton) -> None:
    click.echo(f"Created plugin {skeleton.name!r} in {skeleton.project}:")
    for path in sorted(skeleton.files):
        click.echo(f"  {path.relative_to(skeleton.project)}")
    click.echo("")
    click.echo("Next steps:")
    click.echo(f"  pip install -e {skeleton.project}")
    click.echo(f"  aftersales plugins enable {skeleton.name}")
    click.echo("  aftersales db upgrade")
    click.echo(f"  cd {skeleton.project} && python -m pytest")
