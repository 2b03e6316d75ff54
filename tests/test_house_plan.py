"""Every plugin keeps the house plan of ``docs/architecture.md``: the same rooms in the same places.

A reader who knows one plugin finds their way in any other: a topic's rule, screen and
endpoint are ``services/<topic>.py``, ``views/<topic>.py`` and ``api/<topic>.py``; files stay
short; no module reaches into another module's private names.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted(
    [p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file()]
    + [p.parent for p in (ROOT / "examples").glob("*/*/plugin.py")]
)
TOP_LEVEL_FILES = {"__init__", "plugin", "models", "events", "hookspecs", "jobs", "demo", "cli"}
FOLDERS = {
    "services",
    "views",
    "api",
    "tests",
    "templates",
    "translations",
    "migrations",
    "models",
    "static",
}
MAX_LINES = 450
MAX_MODEL_LINES = 650
# Screens that are not a topic of their own: the list filters shared by several screens.
VIEWS_WITHOUT_RULES = {"filters"}


def plugin_id(path):
    return path.name


def code_files(plugin):
    """The plugin's Python files, migrations and caches left out."""
    return [
        path
        for path in sorted(plugin.rglob("*.py"))
        if "migrations" not in path.relative_to(plugin).parts and "__pycache__" not in path.parts
    ]


def test_every_plugin_is_checked():
    names = {p.name for p in PLUGINS}
    assert {"contracts", "inventory", "maintenance", "parts_compatibility"} <= names
    assert "aftersales_warranty_cards" in names


@pytest.mark.parametrize("plugin", PLUGINS, ids=plugin_id)
def test_a_plugin_has_only_the_rooms_of_the_plan(plugin):
    strays = []
    for entry in sorted(plugin.iterdir()):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            if entry.name not in FOLDERS:
                strays.append(f"{entry.name}/")
        elif entry.suffix == ".py" and entry.stem not in TOP_LEVEL_FILES:
            strays.append(entry.name)
    assert not strays, f"{plugin.name}: not in the house plan: {strays}"
    for package in ("services", "views", "api", "tests"):
        folder = plugin / package
        if folder.is_dir():
            assert (folder / "__init__.py").is_file(), f"{plugin.name}/{package} is not a package"


@pytest.mark.parametrize("plugin", PLUGINS, ids=plugin_id)
def test_the_package_init_holds_the_manifest_only(plugin):
    tree = ast.parse((plugin / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module == "core.manifest":
            continue
        targets = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        assert targets == ["MANIFEST"], (
            f"{plugin.name}/__init__.py line {node.lineno}: only MANIFEST lives here"
        )


@pytest.mark.parametrize("plugin", PLUGINS, ids=plugin_id)
def test_every_screen_and_endpoint_has_its_rules_under_the_same_name(plugin):
    rules = {p.stem for p in (plugin / "services").glob("*.py")}
    missing = []
    for folder in ("views", "api"):
        for module in sorted((plugin / folder).glob("*.py")):
            topic = module.stem
            if topic == "__init__" or (folder == "views" and topic in VIEWS_WITHOUT_RULES):
                continue
            if topic not in rules:
                missing.append(f"{folder}/{topic}.py")
    assert not missing, f"{plugin.name}: no services/<topic>.py twin for {missing}"


@pytest.mark.parametrize("plugin", PLUGINS, ids=plugin_id)
def test_files_stay_short(plugin):
    long = []
    for path in code_files(plugin):
        relative = path.relative_to(plugin)
        if relative.parts[0] == "tests":
            continue
        limit = (
            MAX_MODEL_LINES if relative.parts[0] == "models" or path.stem == "models" else MAX_LINES
        )
        lines = len(path.read_text().splitlines())
        if lines > limit:
            long.append(f"{relative} ({lines} > {limit})")
    assert not long, f"{plugin.name}: split by topic: {long}"


def _own_module(name):
    """Whether an imported module is this project's (core, a plugin, an example's package)."""
    top = name.split(".")[0]
    return top in {"core", "plugins", "tests"} or top in {p.name for p in PLUGINS}


def private_uses(path):
    """``from m import _x`` and ``m._x`` where ``m`` is another of the project's modules."""
    tree = ast.parse(path.read_text())
    modules = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or _own_module(node.module or "")):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _own_module(alias.name):
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("plugin", PLUGINS, ids=plugin_id)
def test_no_module_uses_another_modules_private_names(plugin):
    found = {
        str(path.relative_to(plugin)): uses
        for path in code_files(plugin)
        if (uses := private_uses(path))
    }
    assert not found, f"{plugin.name}: make these public or move the code: {found}"


def test_the_private_name_check_finds_both_forms(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from plugins.inventory import services\n"
        "from plugins.inventory.services import _post, fmt_quantity\n"
        "import datetime\n"
        "services._part(1)\n"
        "datetime._secret\n"
        "services.__name__\n"
    )
    assert private_uses(sample) == [
        "line 2: from plugins.inventory.services import _post",
        "line 4: services._part",
    ]
