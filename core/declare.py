"""A plugin's models, menu, screens, APIs and roles declared as data, beside its code.

Instead of writing the hooks ``aftersales_models``, ``aftersales_register_views``,
``aftersales_register_apis`` and ``aftersales_roles`` by hand, a plugin's ``plugin.py`` says::

    declare(
        globals(),
        models=["aftersales_warranty_cards.models:WarrantyCard"],
        menu=Menu("Warranty", _("Warranty"), icon="fa-shield"),
        screens=[
            Screen("aftersales_warranty_cards.views:WarrantyCardView", _("Warranty Cards")),
            Screen("aftersales_warranty_cards.views:WarrantyCheckView", _("Warranty Check")),
        ],
        apis=["aftersales_warranty_cards.api:WarrantyCardApi"],
        roles={"Warranty Clerk": {"warranty_cards_card": "write", "warranty_cards_check": "read"}},
    )

Classes are named ``"module:Class"`` and imported only when the app is built, so importing
``plugin.py`` stays cheap. Each screen goes under the plugin's menu (``menu=False``: a page
without a menu entry, reached by links). A role maps each permission object (a screen's or
API's ``class_permission_name``) to ``"read"``, ``"write"`` (read and write) or a list of
permission names (``["can_read", "can_approve"]``); it also gets the menu entries of the
screens it may read and the menu itself. ``includes`` names the permission sets each role
holds (:class:`core.contributions.RoleSpec`). ``Screen(..., api="cards")`` also gives the
screen a REST API made from it (:mod:`core.screen_api`); ``apis`` names API classes written
by hand. ``row_rules=[Rows("pkg.models:Card", visible="pkg.services:visible_cards"),
Rows("pkg.models:CardNote", parent="card")]`` says which rows each user sees
(:mod:`core.visibility`). ``declare`` writes the hook functions into the
module (``globals()``); a hook the module defines itself is refused, so nothing is silently
replaced. Other hooks (jobs, dashboard, demo data...) are written as usual.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.contributions import RoleSpec, RowRule
from core.hooks import hookimpl
from core.security.permissions import read_only, read_write

Access = str | Sequence[str]


@dataclass(frozen=True)
class Menu:
    """The plugin's menu: its key (never changes: roles' ``menu_access`` names it), its
    label (``lazy_gettext``) and a Font Awesome icon."""

    name: str
    label: Any
    icon: str = "fa-folder"


@dataclass(frozen=True)
class Screen:
    """A screen: its class (``"module:Class"``), its label (``lazy_gettext``), an icon, its
    menu key (default: the class's name; roles' ``menu_access`` names it, so it never
    changes), whether it has a menu entry, and the resource name of the REST API made from
    it (:func:`core.screen_api.api_for`), if it has one."""

    view: str
    label: Any
    icon: str = "fa-list"
    name: str | None = None
    menu: bool = True
    api: str | None = None

    @property
    def key(self) -> str:
        """The screen's menu key (Flask-AppBuilder's view name)."""
        return self.name or self.view.partition(":")[2]


@dataclass(frozen=True)
class Rows:
    """Which rows of a model (``"module:Class"``) a user sees: give ``visible``, a function
    ``"module:function"`` taking the :class:`core.visibility.Viewer` and returning the SQL
    condition on the model (``None``: every row), or ``parent``, the many-to-one relation
    whose target's rule the rows follow. A :class:`core.contributions.RowRule` once loaded."""

    model: str
    visible: str | None = None
    parent: str | None = None

    def __post_init__(self) -> None:
        if (self.visible is None) == (self.parent is None):
            raise ValueError(f"Rows({self.model!r}): give visible or parent, not both")

    def rule(self) -> RowRule:
        """The row rule, with the model and the function imported."""
        visible = load(self.visible) if self.visible else None
        return RowRule(load(self.model), visible=visible, parent=self.parent)


def load(target: str) -> Any:
    """The object that ``"package.module:Name"`` names (imported now)."""
    module, _, name = target.partition(":")
    if not name:
        raise ValueError(f"{target!r}: name a class as 'package.module:Class'")
    return getattr(importlib.import_module(module), name)


def role_permissions(
    grants: Mapping[str, Access], screens: Sequence[tuple[Screen, str]], menu: Menu | None
) -> list[tuple[str, str]]:
    """The ``(permission, view_menu)`` pairs of a role granted ``grants`` (object to access),
    with the menu entries of the screens (``(screen, permission object)``) it may read."""
    pairs: list[tuple[str, str]] = []
    for target, access in grants.items():
        if access == "write":
            pairs += read_write(target)
        elif access == "read":
            pairs += read_only(target)
        elif isinstance(access, str):
            raise ValueError(f"{target}: access is 'read', 'write' or a list, not {access!r}")
        else:
            pairs += [(permission, target) for permission in access]
    readable = {target for permission, target in pairs if permission == "can_read"}
    entries = [s.key for s, target in screens if s.menu and target in readable]
    if entries and menu is not None:
        pairs.append(("menu_access", menu.name))
    return pairs + [("menu_access", entry) for entry in entries]


def declare(
    namespace: dict[str, Any],
    *,
    models: Sequence[str] = (),
    menu: Menu | None = None,
    screens: Sequence[Screen] = (),
    apis: Sequence[str] = (),
    roles: Mapping[str, Mapping[str, Access]] | None = None,
    includes: Mapping[str, Sequence[str]] | None = None,
    row_rules: Sequence[Rows] = (),
) -> None:
    """Write the hooks for what is declared into ``namespace`` (a ``plugin.py``'s
    ``globals()``); see the module. Raises ``ValueError`` for a hook already defined there."""
    hooks: dict[str, Callable[..., Any]] = {}
    if models:

        def aftersales_models() -> list[type]:
            """The declared models."""
            return [load(target) for target in models]

        hooks["aftersales_models"] = aftersales_models
    if screens:

        def aftersales_register_views(appbuilder: Any) -> None:
            """The declared screens, under the declared menu."""
            for screen in screens:
                view = load(screen.view)
                if not screen.menu:
                    appbuilder.add_view_no_menu(view)
                    continue
                where: dict[str, Any] = {}
                if menu is not None:
                    where = {
                        "category": menu.name,
                        "category_label": menu.label,
                        "category_icon": menu.icon,
                    }
                appbuilder.add_view(view, screen.key, label=screen.label, icon=screen.icon, **where)

        hooks["aftersales_register_views"] = aftersales_register_views
    if apis or any(screen.api for screen in screens):

        def aftersales_register_apis(appbuilder: Any) -> None:
            """The declared REST APIs, and those made from the declared screens."""
            from core.screen_api import api_for

            for target in apis:
                appbuilder.add_api(load(target))
            for screen in screens:
                if screen.api:
                    appbuilder.add_api(api_for(load(screen.view), screen.api))

        hooks["aftersales_register_apis"] = aftersales_register_apis
    if roles:

        def aftersales_roles() -> list[RoleSpec]:
            """The declared roles, with the menu entries of the screens they may read."""
            placed = [(s, load(s.view).class_permission_name) for s in screens]
            return [
                RoleSpec(
                    name,
                    role_permissions(grants, placed, menu),
                    includes=tuple((includes or {}).get(name, ())),
                )
                for name, grants in roles.items()
            ]

        hooks["aftersales_roles"] = aftersales_roles
    if row_rules:

        def aftersales_row_rules() -> list[RowRule]:
            """The declared row rules."""
            return [rows.rule() for rows in row_rules]

        hooks["aftersales_row_rules"] = aftersales_row_rules
    taken = sorted(name for name in hooks if name in namespace)
    if taken:
        raise ValueError(f"declare(): the module already defines {', '.join(taken)}")
    for name, function in hooks.items():
        function.__module__ = namespace.get("__name__", function.__module__)
        namespace[name] = hookimpl(function)
