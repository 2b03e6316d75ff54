"""Creating the roles and permissions that core and plugins declare; safe to run again."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from flask_appbuilder import AppBuilder
from flask_appbuilder.security.manager import BaseSecurityManager

from core.contributions import RoleSpec
from core.database import has_table
from core.extensions import db

log = logging.getLogger(__name__)
_LOCK_KEY = zlib.crc32(b"aftersales.permissions")


def schema_ready() -> bool:
    """Whether the security tables exist (``aftersales db upgrade`` has run)."""
    return has_table(db.engine, "ab_permission_view_role")


@contextmanager
def _cluster_lock() -> Iterator[None]:
    """Serialise permission syncs of several workers starting at once (PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({_LOCK_KEY})")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_LOCK_KEY})")
            connection.commit()


def sync_roles_and_permissions(appbuilder: AppBuilder, roles: Sequence[RoleSpec]) -> None:
    """Create every view's permissions, the built-in Admin/Public roles and declared roles.

    ``("*", view_menu)`` expands to every permission the registered views with that
    ``class_permission_name`` define. Existing grants are kept; nothing is revoked.
    """
    sm = appbuilder.sm
    with _cluster_lock():
        BaseSecurityManager.create_db(sm)  # Admin and Public roles, before views grant to Admin
        appbuilder.add_permissions(update_perms=True)
        view_permissions = _permissions_by_view_menu(appbuilder)
        for spec in _merge(roles):
            role = sm.find_role(spec.name) or sm.add_role(spec.name)
            granted = {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
            for permission, view_menu in spec.permissions:
                names = view_permissions.get(view_menu, []) if permission == "*" else [permission]
                for name in names:
                    if (name, view_menu) in granted:
                        continue
                    pv = sm.add_permission_view_menu(name, view_menu)
                    sm.add_permission_role(role, pv)
                    granted.add((name, view_menu))


def _permissions_by_view_menu(appbuilder: AppBuilder) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for view in appbuilder.baseviews:
        names = found.setdefault(view.class_permission_name, [])
        names.extend(p for p in view.base_permissions or [] if p not in names)
    return found


def _merge(roles: Sequence[RoleSpec]) -> list[RoleSpec]:
    """One spec per role name (several plugins may add to "Technician")."""
    merged: dict[str, list[tuple[str, str]]] = {}
    for spec in roles:
        merged.setdefault(spec.name, []).extend(spec.permissions)
    return [RoleSpec(name, tuple(perms)) for name, perms in merged.items()]
