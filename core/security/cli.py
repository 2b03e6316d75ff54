"""``aftersales users create|list|reset-password|unlock``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core.security import lockout


def _sm():  # noqa: ANN202 - FAB's security manager has no public type
    return current_app.appbuilder.sm


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Manage user accounts."""


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="Role name (repeat for several), e.g. Admin.",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (prompted for when omitted).",
)
@click.option("--email", default=None, help="E-mail address (default USERNAME@localhost).")
@click.option("--first-name", default=None)
@click.option("--last-name", default="")
def create_user(
    username: str,
    roles: tuple[str, ...],
    password: str,
    email: str | None,
    first_name: str | None,
    last_name: str,
) -> None:
    """Create user USERNAME with the given roles; the password is stored hashed."""
    sm = _sm()
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    found = []
    for name in roles:
        role = sm.find_role(name)
        if role is None:
            known = ", ".join(sorted(r.name for r in sm.get_all_roles()))
            raise click.BadParameter(f"no role {name!r} (roles: {known})", param_hint="--role")
        found.append(role)
    if sm.find_user(username=username):
        raise click.ClickException(f"user {username!r} already exists")
    user = sm.add_user(
        username=username,
        first_name=first_name or username,
        last_name=last_name,
        email=email or f"{username}@localhost",
        role=found,
        password=password,
    )
    if not user:
        raise click.ClickException(f"user {username!r} could not be created (e-mail in use?)")
    click.echo(f"Created user {username} with roles {', '.join(roles)}.")


@users_cli.command("list")
def list_users() -> None:
    """List users with their roles."""
    sm = _sm()
    for user in sm.get_all_users():
        roles = ", ".join(r.name for r in user.roles)
        state = "" if user.active else " (inactive)"
        if lockout.active_lock(sm.session, user) is not None:
            state += " (locked)"
        click.echo(f"{user.username:<20} {roles}{state}")


@users_cli.command("reset-password")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The new password (prompted for when omitted).",
)
def reset_password(username: str, password: str) -> None:
    """Set a new password for USERNAME (stored hashed)."""
    sm = _sm()
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    user = sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    sm.reset_password(user.id, password)
    click.echo(f"Password of {username} changed.")


@users_cli.command("unlock")
@click.argument("username")
def unlock_user(username: str) -> None:
    """End the lockout of USERNAME after failed logins (and forget those failures)."""
    sm = _sm()
    user = sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    if lockout.unlock(sm.session, user):
        click.echo(f"Unlocked {username}.")
    else:
        click.echo(f"{username} was not locked; its failed logins are forgotten.")
