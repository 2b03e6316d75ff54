"""Loading demo data and the first admin account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from core.runtime import hooks

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD_FILE = "admin-password.txt"


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
    password = secrets.token_urlsafe(12)
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


def load_demo(session: Session, scale: int = 1) -> None:
    """Let core and every enabled plugin add demo records, then commit."""
    if scale < 1:
        raise ValueError("scale: must be 1 or more")
    hooks().load_demo(session, scale)
    session.commit()
