"""Checking a new plugin's name and writing its skeleton from the templates of this package.

Templates live in ``core/scaffold/templates/plugin/``. Files ending in ``.tmpl`` are filled in
with :class:`string.Template` (``$name``, ``$package``...; ``$$`` is a dollar sign), after
Jinja2 has kept or dropped their optional parts, written on lines of their own::

    #{% if customer %}
    customer_id: Mapped[int] = ...
    #{% endif %}

(``customer`` is true when the plugin depends on contracts: its item then belongs to a
customer). Jinja's other delimiters are set to ones no template uses, so the ``{{ }}`` of
the HTML templates pass through. Other files are copied as they are. In paths,
``__package__``, ``__name__`` and ``__revision__`` are replaced, and ``dot-`` at the start of
a file name becomes ``.``.
"""

from __future__ import annotations

import importlib.util
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from jinja2 import Environment, StrictUndefined

from core import __version__
from core.manifest import NAME_PATTERN
from core.timeutil import utcnow

TEMPLATES = Path(__file__).resolve().parent / "templates" / "plugin"
BUILTIN_PLUGINS = Path(__file__).resolve().parent.parent.parent / "plugins"
# Names whose tables core would claim (core_*, ab_*) or that Alembic's tables use.
RESERVED_NAMES = ("core", "ab", "alembic", "aftersales", "plugins", "tests")
RESERVED_PREFIXES = ("core_", "ab_", "alembic_")
LABEL_PATTERN = re.compile(r"^[^\"'\\$\n]{1,60}$")
_OPTIONAL_PARTS = Environment(
    block_start_string="#{%",
    block_end_string="%}",
    variable_start_string="<<<",
    variable_end_string=">>>",
    comment_start_string="<##",
    comment_end_string="##>",
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=StrictUndefined,
)


class ScaffoldError(ValueError):
    """A plugin skeleton that cannot be written; ``field`` is ``"name"`` or ``"directory"``."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Skeleton:
    """A written plugin project: its name, package, folder and the files created."""

    name: str
    package: str
    project: Path
    files: list[Path] = field(default_factory=list)


def package_name(name: str) -> str:
    """The Python package of plugin ``name``: ``aftersales_<name>``."""
    return f"aftersales_{name}"


def project_folder_name(name: str) -> str:
    """The project (distribution) folder of plugin ``name``: ``aftersales-<name with ->``."""
    return "aftersales-" + name.replace("_", "-")


def check_name(name: str, installed: Iterable[str] = ()) -> None:
    """Refuse a plugin name that is malformed, reserved, taken or shadows a module.

    Rules: 2-40 characters, lowercase letters, digits and single ``_``, starting with a
    letter (the manifest's rule); not a name whose tables core would own; not an installed
    or built-in plugin; its package ``aftersales_<name>`` not already importable.
    """
    if not NAME_PATTERN.match(name) or name.endswith("_") or "__" in name:
        raise ScaffoldError(
            f"{name!r} is not a plugin name: use 2-40 lowercase letters, digits and single "
            "underscores, starting with a letter (e.g. 'loaner_units')"
        )
    if name in RESERVED_NAMES or name.startswith(RESERVED_PREFIXES):
        raise ScaffoldError(
            f"{name!r} is reserved: core owns the tables and names starting with "
            f"{', '.join(RESERVED_PREFIXES)} and the names {', '.join(RESERVED_NAMES)}"
        )
    if name in set(installed) or name in builtin_plugins():
        raise ScaffoldError(f"a plugin named {name!r} is already installed")
    package = package_name(name)
    if _importable(package):
        raise ScaffoldError(
            f"a Python module named {package!r} already exists: choose another plugin name"
        )


def builtin_plugins() -> set[str]:
    """The plugins this tree ships (``plugins/*``)."""
    return {p.parent.name for p in BUILTIN_PLUGINS.glob("*/__init__.py")}


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def template_values(
    name: str, label: str | None = None, depends: Sequence[str] = ()
) -> dict[str, str]:
    """What the templates are filled with, for plugin ``name`` depending on ``depends``."""
    camel = camel_case(name)
    label = label or name.replace("_", " ").title()
    now = utcnow()
    return {
        "name": name,
        "package": package_name(name),
        "distribution": project_folder_name(name),
        "label": label,
        "camel": camel,
        "role": f"{label} User",
        "route": name.replace("_", "-"),
        "revision": uuid.uuid4().hex[:12],
        "create_date": now.strftime("%Y-%m-%d %H:%M:%S"),
        "year": str(now.year),
        "core_version": ".".join(__version__.split(".")[:2]),
        "depends": "[" + ", ".join(f'"{d}"' for d in depends) + "]",
    }


def check_depends(depends: Sequence[str], installed: Iterable[str] = ()) -> list[str]:
    """The dependencies, each once, in the order given; refuses one that is not a plugin
    this tree ships or one installed."""
    known = builtin_plugins() | set(installed)
    unknown = [d for d in depends if d not in known]
    if unknown:
        raise ScaffoldError(
            f"cannot depend on {', '.join(map(repr, unknown))}: not an installed plugin "
            f"(known: {', '.join(sorted(known))})",
            field="depends",
        )
    return list(dict.fromkeys(depends))


def render_template(text: str, values: dict[str, str], flags: dict[str, bool]) -> str:
    """A ``.tmpl`` file's text: its optional parts chosen by ``flags``, then ``values``
    substituted."""
    chosen = _OPTIONAL_PARTS.from_string(text).render(**flags)
    return Template(chosen).substitute(values)


def _target_path(relative: Path, values: dict[str, str]) -> Path:
    parts = []
    for part in relative.parts:
        for token in ("revision", "package", "name"):
            part = part.replace(f"__{token}__", values[token])
        if part.startswith("dot-"):
            part = "." + part[len("dot-") :]
        if part.endswith(".tmpl"):
            part = part[: -len(".tmpl")]
        parts.append(part)
    return Path(*parts)


def create_skeleton(
    name: str,
    directory: Path,
    installed: Iterable[str] = (),
    label: str | None = None,
    depends: Sequence[str] = (),
) -> Skeleton:
    """Write the project of plugin ``name`` into ``directory/aftersales-<name>``.

    ``depends`` lists the plugins it depends on (with ``contracts``, each item belongs to a
    customer). Refuses (:class:`ScaffoldError`) a bad name or dependency or a project folder
    that already exists; no file is written then. Returns the written :class:`Skeleton`.
    """
    name = name.strip()
    installed = list(installed)
    check_name(name, installed)
    depends = check_depends(depends, installed)
    if label is not None and not LABEL_PATTERN.match(label.strip()):
        raise ScaffoldError(
            f"{label!r} is not a label: 1-60 characters, without quotes, backslashes or $",
            field="label",
        )
    values = template_values(name, label.strip() if label else None, depends)
    flags = {"customer": "contracts" in depends}
    project = Path(directory).resolve() / project_folder_name(name)
    if project.exists():
        raise ScaffoldError(
            f"{project} already exists: remove it or choose another directory", field="directory"
        )
    rendered = []  # rendered in full before anything is written
    for source in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        if "__pycache__" in source.parts:
            continue
        text = source.read_text(encoding="utf-8")
        if source.name.endswith(".tmpl"):
            text = render_template(text, values, flags)
        rendered.append((project / _target_path(source.relative_to(TEMPLATES), values), text))
    skeleton = Skeleton(name, values["package"], project)
    for target, text in rendered:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        skeleton.files.append(target)
    skeleton.files += _add_migrations_folder(project / values["package"] / "migrations")
    return skeleton


def _add_migrations_folder(folder: Path) -> list[Path]:
    """``env.py`` and ``script.py.mako``, the same as every component's (from core.migrate)."""
    from core.migrate import init_migrations

    init_migrations(folder)
    return [folder / "env.py", folder / "script.py.mako"]


def camel_case(name: str) -> str:
    """``loaner_units`` -> ``LoanerUnits``."""
    return re.sub(r"(?:^|_)([a-z0-9])", lambda m: m.group(1).upper(), name)
