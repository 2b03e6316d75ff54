"""``aftersales db upgrade|current|check|revision``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.migrate.runner import (
    MigrationError,
    check_models_match,
    current_revisions,
    describe_difference,
    head_revisions,
    make_revision,
    pending_revisions,
    upgrade,
)


@click.group("db")
def db_cli() -> None:
    """Create and upgrade the database: core first, then each enabled plugin."""


@db_cli.command("upgrade")
@click.option(
    "--component",
    "only",
    metavar="NAME",
    help="Upgrade only this component (core or an enabled plugin).",
)
@click.option(
    "--to", "target", default="heads", show_default=True, help="Revision (needs --component)."
)
@with_appcontext
def upgrade_command(only: str | None, target: str) -> None:
    """Apply pending migrations, then create the declared roles and permissions."""
    try:
        results = upgrade(target=target, only=[only] if only else None)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    for result in results:
        click.echo(result.describe())
    click.echo("Roles and permissions are in place.")


@db_cli.command("current")
@with_appcontext
def current_command() -> None:
    """Show the revision each component's tables are at, and what is pending."""
    heads = head_revisions()
    pending = pending_revisions()
    for name, revision in current_revisions().items():
        if name not in heads:
            state = "no migrations folder"
        elif name in pending:
            state = f"{len(pending[name])} pending, head {', '.join(heads[name])}"
        else:
            state = "head"
        click.echo(f"{name:<20} {revision or '-':<24} {state}")


@db_cli.command("check")
@with_appcontext
def check_command() -> None:
    """Exit with status 1, listing the differences, when models and migrations disagree."""
    pending = pending_revisions()
    for name, revisions in pending.items():
        click.echo(f"{name}: not upgraded, pending {', '.join(revisions)}")
    if pending:
        raise click.ClickException("the database is behind: run 'aftersales db upgrade' first")
    differences = check_models_match()
    for name, found in differences.items():
        click.echo(f"{name}: models and migrations disagree:")
        for difference in found:
            click.echo(f"  - {describe_difference(difference)}")
    if differences:
        raise click.ClickException(
            "write the missing migrations with 'aftersales db revision COMPONENT -m MESSAGE "
            "--autogenerate'"
        )
    click.echo("Models and migrations match.")


@db_cli.command("revision")
@click.argument("component")
@click.option("-m", "--message", required=True, help="What the revision does.")
@click.option(
    "--autogenerate",
    is_flag=True,
    help="Fill the revision from the differences between the models and the database.",
)
@click.option("--rev-id", default=None, help="Revision id to use instead of a random one.")
@with_appcontext
def revision_command(component: str, message: str, autogenerate: bool, rev_id: str | None) -> None:
    """Write a new revision for COMPONENT (core or an enabled plugin)."""
    try:
        path = make_revision(component, message, autogenerate=autogenerate, rev_id=rev_id)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    if path is None:
        click.echo(f"No differences between {component}'s models and the database: no revision.")
    else:
        click.echo(f"Wrote {path}")
