"""Choosing the enabled set: closure over depends, order, glue plugins, every problem at once."""

import pytest

from core.manifest import Manifest, ManifestError
from core.plugins import PluginConfigError, dependants, resolve


def m(name, depends=(), version="1.0", **extra):
    return Manifest(name=name, version=version, label=name.title(), depends=depends, **extra)


INSTALLED = {
    p.name: p
    for p in [
        m("contracts"),
        m("inventory"),
        m("maintenance", ["contracts"]),
        m("billing", ["contracts"]),
        m("feedback", ["maintenance"]),
        m("maintenance_stock", ["maintenance", "inventory"], auto_install=True),
    ]
}


def names(manifests):
    return [x.name for x in manifests]


def test_requesting_a_plugin_brings_what_it_depends_on_first():
    assert names(resolve(INSTALLED, ["feedback"], "0.1.0")) == [
        "contracts",
        "maintenance",
        "feedback",
    ]


def test_none_means_every_installed_plugin_in_dependency_order():
    order = names(resolve(INSTALLED, None, "0.1.0"))
    assert set(order) == set(INSTALLED)
    for manifest in INSTALLED.values():
        for dep in manifest.dependency_names:
            assert order.index(dep) < order.index(manifest.name)


def test_order_does_not_depend_on_request_order():
    a = resolve(INSTALLED, ["billing", "inventory", "feedback"], "0.1.0")
    b = resolve(INSTALLED, ["feedback", "inventory", "billing"], "0.1.0")
    assert names(a) == names(b)


def test_glue_plugin_joins_when_all_it_glues_is_enabled():
    assert "maintenance_stock" not in names(resolve(INSTALLED, ["maintenance"], "0.1.0"))
    both = names(resolve(INSTALLED, ["maintenance", "inventory"], "0.1.0"))
    assert both[-1] == "maintenance_stock"


def test_every_problem_is_reported_in_one_message():
    installed = {
        **INSTALLED,
        "legal": m("legal", ["contracts", "disputes"]),
        "old": m("old", ["contracts>=2.0"]),
    }
    with pytest.raises(PluginConfigError) as error:
        resolve(installed, ["legal", "old", "nosuch"], "0.1.0")
    message = str(error.value)
    assert "unknown plugin 'nosuch'" in message
    assert "'legal' depends on 'disputes', which is not installed" in message
    assert "'old' needs contracts>=2.0, but contracts 1.0 is installed" in message
    assert len(error.value.problems) == 3


def test_cycle_is_refused_naming_the_plugins():
    installed = {"aa": m("aa", ["bb"]), "bb": m("bb", ["cc"]), "cc": m("cc", ["aa"])}
    with pytest.raises(PluginConfigError) as error:
        resolve(installed, ["aa"], "0.1.0")
    assert "cycle" in str(error.value)
    for name in ("aa", "bb", "cc"):
        assert name in str(error.value)


def test_plugin_needing_a_newer_core_is_refused():
    installed = {"future": m("future", requires_core=">=9.0")}
    with pytest.raises(PluginConfigError, match="requires core >=9.0, this is core 0.1.0"):
        resolve(installed, ["future"], "0.1.0")


def test_blocked_plugin_is_refused_and_not_pulled_in():
    with pytest.raises(PluginConfigError, match="depends on 'contracts', which is blocked"):
        resolve(INSTALLED, ["billing"], "0.1.0", blocked=["contracts"])


def test_dependants_are_found_through_chains():
    enabled = ["contracts", "maintenance", "feedback", "billing"]
    assert dependants(INSTALLED, "contracts", enabled) == ["billing", "feedback", "maintenance"]
    assert dependants(INSTALLED, "feedback", enabled) == []


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"name": "Bad Name"}, "name must be"),
        ({"version": "one"}, "not a PEP 440 version"),
        ({"label": ""}, "label is required"),
        ({"depends": ["contracts >>> 1"]}, "depends entry"),
        ({"requires_core": "~~1"}, "requires_core"),
    ],
)
def test_invalid_manifest_names_the_field(fields, complaint):
    values = {"name": "good", "version": "1.0", "label": "Good", **fields}
    with pytest.raises(ManifestError, match=complaint):
        Manifest(**values)
