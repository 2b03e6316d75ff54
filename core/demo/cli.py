"""``aftersales setup`` (first run), ``aftersales demo``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from core.demo.service import (
    DEMO_PASSWORDS_FILE,
    database_has_users,
    demo_logins,
    ensure_admin,
    load_demo,
)
from core.extensions import db


@click.command("setup")
@click.option("--demo/--no-demo", default=True, help="Load demo data into an empty database.")
@with_appcontext
def setup_command(demo: bool) -> None:
    """Migrate the database, create the admin on first run and load demo data if empty."""
    from core.migrate import upgrade

    upgrade(current_app)
    empty = not database_has_users(current_app)
    login = ensure_admin(current_app)
    if demo and empty:
        load_demo(db.session)
        click.echo("Loaded demo data.")
    click.echo("")
    click.echo(f"  Log in as: {login.username}")
    if login.password:
        click.echo(f"  Password:  {login.password}")
    else:
        click.echo("  Password:  (set by you; reset with `aftersales users reset-password admin`)")
    echo_demo_logins()


def echo_demo_logins() -> None:
    """Print the demo users' logins (random passwords, from ``instance/demo-passwords.txt``)."""
    logins = demo_logins(current_app)
    if not logins:
        return
    click.echo("")
    click.echo(f"  Demo users (passwords kept in instance/{DEMO_PASSWORDS_FILE}):")
    width = max(len(name) for name in logins)
    for name, password in logins.items():
        click.echo(f"    {name:<{width}}  {password}")


@click.group("demo", cls=AppGroup)
def demo_cli() -> None:
    """Demo and benchmark data."""


@demo_cli.command("load")
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Multiply the amount of demo data (for benchmarks).",
)
def load_command(scale: int) -> None:
    """Add demo records of core and every enabled plugin."""
    load_demo(db.session, scale)
    click.echo(f"Loaded demo data at scale {scale}.")
    echo_demo_logins()
