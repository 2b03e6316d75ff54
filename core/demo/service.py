"""Loading demo data and the first admin account."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.orm import Session

from core.runtime import hooks

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD_FILE = "admin-password.txt"
DEMO_PASSWORDS_FILE = "demo-passwords.txt"


@dataclass(frozen=True)
class AdminLogin:
    """The first admin's login, as printed by ``aftersales setup``."""

    username: str
    password: str | None
    created: bool


def database_has_users(app: Flask) -> bool:
    """Whether any user account exists (an empty database has none)."""
    return app.appbuilder.sm.count_users() > 0


def ensure_admin(app: Flask) -> AdminLogin:
    """Create the ``admin`` user with a random password if there is no user at all.

    The password is written to ``instance/admin-password.txt`` (mode 600) so ``make run`` can
    print it again; it is never in the repository. Change it after the first login.
    """
    password_file = Path(app.instance_path) / ADMIN_PASSWORD_FILE
    sm = app.appbuilder.sm
    if database_has_users(app):
        known = password_file.read_text().strip() if password_file.exists() else None
        return AdminLogin(ADMIN_USERNAME, known, created=False)
    password = new_password()
    user = sm.add_user(
        ADMIN_USERNAME,
        "Admin",
        "User",
        "admin@localhost",
        sm.find_role("Admin"),
        password=password,
    )
    if not user:
        raise RuntimeError("could not create the admin user")
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    return AdminLogin(ADMIN_USERNAME, password, created=True)


def new_password() -> str:
    """A random password, as given to the first admin and to demo users."""
    return secrets.token_urlsafe(12)


def demo_password(username: str) -> str:
    """A new random password for demo user ``username``, kept in
    ``instance/demo-passwords.txt`` (mode 600) for ``aftersales setup`` to print.

    Plugins' demo data create their users with it (never a fixed password)::

        sm.add_user(name, ..., password=demo_password(name))
    """
    password = new_password()
    path = Path(current_app.instance_path) / DEMO_PASSWORDS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(f"{username} {password}\n")
    return password


def demo_logins(app: Flask) -> dict[str, str]:
    """``{username: password}`` of the demo users created so far, from
    ``instance/demo-passwords.txt`` (the latest line of a name wins)."""
    path = Path(app.instance_path) / DEMO_PASSWORDS_FILE
    if not path.exists():
        return {}
    logins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, password = line.strip().partition(" ")
        if name and password:
            logins[name] = password
    return logins


def load_demo(session: Session, scale: int = 1) -> None:
    """Let core and every enabled plugin add demo records, then commit."""
    if scale < 1:
        raise ValueError("scale: must be 1 or more")
    hooks().load_demo(session, scale)
    session.commit()
