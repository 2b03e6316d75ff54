"""Turning the permission sets a role includes into the permissions it holds.

A plugin offers sets (:class:`core.contributions.PermissionSet`, ``"contracts.read"``); its
roles and its dependants' roles name them in ``RoleSpec.includes``; a set's ``granted_with``
adds it to every role that holds another set. :func:`expand_roles` resolves all of that into
plain ``RoleSpec`` permissions before the roles are synced, and checks the rules: a plugin
names sets of itself and of the plugins it depends on only; a set of a plugin that is not
enabled is left out; an unknown set of an enabled plugin is a mistake that stops start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from core.contributions import PermissionSet, RoleSpec
from core.manifest import Manifest


class _Resolver:
    """The known sets, the problems found, and the checked references of each owner."""

    def __init__(
        self, sets: Iterable[tuple[str, PermissionSet]], manifests: Mapping[str, Manifest]
    ) -> None:
        self.manifests = manifests
        self.problems: list[str] = []
        self.known: dict[str, PermissionSet] = {}
        owners: dict[str, str] = {}
        for owner, offered in sets:
            prefix, dot, rest = offered.name.partition(".")
            if not dot or not rest or (owner in manifests and prefix != owner):
                self.problems.append(
                    f"plugin {owner!r} offers the permission set {offered.name!r}: a set is "
                    f"named after its plugin, '{owner}.<set>'"
                )
            elif offered.name in self.known:
                self.problems.append(f"the permission set {offered.name!r} is offered twice")
            else:
                self.known[offered.name] = offered
                owners[offered.name] = owner
        self.includes = {
            name: self.usable(owners[name], s.includes, f"the permission set {name!r}")
            for name, s in self.known.items()
        }
        self.granted_with = {
            name: self.usable(owners[name], s.granted_with, f"the permission set {name!r}")
            for name, s in self.known.items()
        }

    def usable(self, owner: str, names: Sequence[str], where: str) -> list[str]:
        """The set names ``owner`` may use and that apply here; problems are recorded."""
        usable = []
        manifest = self.manifests.get(owner)
        allowed = (owner, *manifest.dependency_names, *manifest.optional) if manifest else None
        for name in names:
            plugin = name.partition(".")[0]
            if allowed is not None and plugin not in allowed:
                self.problems.append(
                    f"{where} of plugin {owner!r} names the permission set {name!r}, but "
                    f"{owner!r} neither is nor depends on plugin {plugin!r}"
                )
            elif plugin not in self.manifests:
                continue  # an optional plugin that is not enabled: nothing to grant
            elif name not in self.known:
                offered = sorted(n for n in self.known if n.startswith(f"{plugin}.")) or ["none"]
                self.problems.append(
                    f"{where} of plugin {owner!r} names the permission set {name!r}, which "
                    f"plugin {plugin!r} does not offer (it offers: {', '.join(offered)})"
                )
            else:
                usable.append(name)
        return usable

    def held(self, included: list[str]) -> set[str]:
        """Every set a role holds: what it includes, what those include, what comes with them."""
        held: set[str] = set()
        pending = list(included)
        while pending:
            while pending:
                name = pending.pop()
                if name not in held:
                    held.add(name)
                    pending.extend(self.includes[name])
            pending = [
                name
                for name, triggers in self.granted_with.items()
                if name not in held and any(t in held for t in triggers)
            ]
        return held


def expand_roles(
    roles: Iterable[tuple[str, RoleSpec]],
    sets: Iterable[tuple[str, PermissionSet]],
    manifests: Mapping[str, Manifest],
) -> list[RoleSpec]:
    """Return the roles with the permissions of every set they hold added to their own.

    ``roles`` and ``sets`` come as ``(owner, item)`` pairs, the owner being the plugin name
    (core's and test hook modules are owners without a manifest: they may name any enabled
    plugin's sets). ``manifests`` are the enabled plugins'. ``includes`` of each returned
    role lists the sets it ended up holding. Raises
    :class:`core.plugins.PluginConfigError` listing every mistake at once.
    """
    from core.plugins import PluginConfigError

    resolver = _Resolver(sets, manifests)
    expanded = []
    for owner, role in roles:
        included = resolver.usable(owner, role.includes, f"the role {role.name!r}")
        held = sorted(resolver.held(included))
        permissions = [*role.permissions]
        for name in held:
            permissions.extend(resolver.known[name].permissions)
        expanded.append(replace(role, permissions=permissions, includes=tuple(held)))
    if resolver.problems:
        raise PluginConfigError(resolver.problems)
    return expanded
