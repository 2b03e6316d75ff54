"""Every set of plugins closed under ``depends`` boots and serves its screens; a plugin that
is not enabled leaves no menu entry and no route behind."""

import itertools

import pytest

from core.plugins import installed_from_package, resolve
from core.testing import builtin_plugin_packages, create_user

SAMPLES = ["sample_alpha", "sample_beta"]
PACKAGES = builtin_plugin_packages() + SAMPLES


def manifests():
    found = {}
    for package in PACKAGES:
        manifest = installed_from_package(package).manifest
        found[manifest.name] = manifest
    return found


def closed_subsets():
    """Every subset of the plugins that is closed under depends (and glue auto-install)."""
    known = manifests()
    seen = set()
    for size in range(len(known) + 1):
        for combo in itertools.combinations(sorted(known), size):
            enabled = tuple(m.name for m in resolve(known, combo, "0.1.0"))
            if set(enabled) == set(combo) and enabled not in seen:
                seen.add(enabled)
                yield list(combo)


def routes(app):
    return {rule.rule for rule in app.url_map.iter_rules()}


def menu_links(app):
    links = []
    for item in app.appbuilder.menu.get_list():
        for child in item.childs or [item]:
            if child.name != "-" and child.href is not None:
                links.append((child.name, child))
    return links


@pytest.fixture(scope="module")
def plugin_routes(tmp_path_factory):
    """The routes each plugin adds on top of what it depends on."""
    from core.app import create_app
    from core.testing import base_overrides

    def build(enabled):
        overrides = base_overrides(tmp_path_factory.mktemp("routes"))
        overrides.update(PLUGIN_PACKAGES=PACKAGES, ENABLED_PLUGINS=enabled)
        return routes(create_app(overrides))

    known = manifests()
    result = {}
    for name in known:
        deps = [m.name for m in resolve(known, [name], "0.1.0") if m.name != name]
        result[name] = build([*deps, name]) - build(deps)
    return result


@pytest.mark.parametrize("enabled", list(closed_subsets()), ids=lambda s: "+".join(s) or "none")
def test_plugin_set_boots_and_serves_only_its_screens(make_app, plugin_routes, enabled):
    app = make_app(plugins=enabled, packages=SAMPLES)
    client = app.test_client()
    with app.app_context():
        create_user(app, ["Admin"], username="root")
    login = client.post("/login/", data={"username": "root", "password": "s3cret-pass"})
    assert login.status_code == 302
    present = routes(app)
    for name, added in plugin_routes.items():
        if name in enabled:
            assert added <= present, f"{name} routes missing"
        else:
            assert not (added & present), f"disabled {name} left routes: {added & present}"
    with app.test_request_context():
        links = [(label, item.get_url()) for label, item in menu_links(app)]
    for label, url in links:
        if url.startswith("/"):
            response = client.get(url)
            assert response.status_code == 200, (
                f"menu {label} ({url}) answered {response.status_code}"
            )
