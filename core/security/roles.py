"""Creating the roles and permissions that core and plugins declare; safe to run again."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask_appbuilder import AppBuilder
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from sqlalchemy import insert, select

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
    """Create every view's and menu's permissions, the Admin/Public roles and declared roles.

    Admin holds every permission. ``("*", view_menu)`` expands to every permission the
    registered views with that ``class_permission_name`` define. Existing grants are kept;
    nothing is revoked (a disabled plugin's grants wait for it to come back). Done in a few
    bulk statements and one commit: FAB's own per-permission sync commits each row and took
    seconds per app.
    """
    sm = appbuilder.sm
    session = sm.session
    view_permissions = _permissions_by_view_menu(appbuilder)
    pairs = {(p, view) for view, perms in view_permissions.items() for p in perms}
    pairs |= {("menu_access", name) for name in _menu_names(appbuilder)}
    specs = _merge(roles)
    grants: dict[str, set[tuple[str, str]]] = {sm.auth_role_admin: set(pairs)}
    grants.setdefault(sm.auth_role_public, set())
    for spec in specs:
        wanted = grants.setdefault(spec.name, set())
        for permission, view_menu in spec.permissions:
            names = view_permissions.get(view_menu, []) if permission == "*" else [permission]
            wanted.update((name, view_menu) for name in names)
    with _cluster_lock():
        for _, extra in grants.items():
            pairs |= extra
        role_ids = _ensure_named(session, sm.role_model, grants)
        permission_ids = _ensure_named(session, sm.permission_model, {p for p, _ in pairs})
        view_ids = _ensure_named(session, sm.viewmenu_model, {v for _, v in pairs})
        pv_model = sm.permissionview_model
        existing_pvs = {
            (row.permission_id, row.view_menu_id): row.id
            for row in session.execute(
                select(pv_model.id, pv_model.permission_id, pv_model.view_menu_id)
            )
        }
        missing = {(permission_ids[p], view_ids[v]) for p, v in pairs} - set(existing_pvs)
        new_pvs = [pv_model(permission_id=p, view_menu_id=v) for p, v in sorted(missing)]
        session.add_all(new_pvs)
        session.flush()
        existing_pvs.update({(pv.permission_id, pv.view_menu_id): pv.id for pv in new_pvs})
        links = {
            (role_id, pv_id)
            for role_id, pv_id in session.execute(
                select(
                    assoc_permissionview_role.c.role_id,
                    assoc_permissionview_role.c.permission_view_id,
                )
            )
        }
        rows = []
        for role_name, wanted in grants.items():
            role_id = role_ids[role_name]
            for permission, view_menu in sorted(wanted):
                pv_id = existing_pvs[(permission_ids[permission], view_ids[view_menu])]
                if (role_id, pv_id) not in links:
                    links.add((role_id, pv_id))
                    rows.append({"role_id": role_id, "permission_view_id": pv_id})
        if rows:
            session.execute(insert(assoc_permissionview_role), rows)
        session.commit()


def _ensure_named(session: Any, model: Any, names: Iterable[str]) -> dict[str, int]:
    """Ids of the rows of ``model`` with these names, inserting the missing ones."""
    names = set(names)
    # (a Result has .keys(), so dict(result) would take it for a mapping)
    found = {name: id_ for name, id_ in session.execute(select(model.name, model.id))}
    new = [model(name=name) for name in sorted(names - set(found))]
    session.add_all(new)
    session.flush()
    found.update({row.name: row.id for row in new})
    return found


def _menu_names(appbuilder: AppBuilder) -> set[str]:
    names: set[str] = set()
    for item in appbuilder.menu.get_list():
        names.add(item.name)
        names.update(child.name for child in item.childs or [] if child.name != "-")
    return names


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
