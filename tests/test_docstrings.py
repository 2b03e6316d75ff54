"""Every public function, class and method of core, the plugins and the example says what it
does: the reference a plugin author reads is these docstrings."""

from __future__ import annotations

import ast
from pathlib import Path

from core.testing import ROOT

#: Folders whose code is not an API: tests, migration scripts, file templates.
SKIPPED_FOLDERS = {"tests", "migrations", "templates", "sample_plugins"}


def source_files() -> list[Path]:
    """The Python modules of core, the plugins and the example, tests left out."""
    files = []
    for base in ("core", "plugins", "examples"):
        for path in sorted((ROOT / base).rglob("*.py")):
            if not SKIPPED_FOLDERS & set(path.relative_to(ROOT).parts):
                files.append(path)
    return files


def public_without_docstring(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line name`` of each public top-level function or class, and public method of a
    public class, that has no docstring (``file`` relative to ``root``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(root)
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    found = []
    for node in tree.body:
        if not isinstance(node, definitions) or node.name.startswith("_"):
            continue
        if ast.get_docstring(node) is None:
            found.append(f"{where}:{node.lineno} {node.name}")
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                public = isinstance(member, definitions[:2]) and not member.name.startswith("_")
                if public and ast.get_docstring(member) is None:
                    found.append(f"{where}:{member.lineno} {node.name}.{member.name}")
    return found


def test_every_public_function_class_and_method_has_a_docstring():
    files = source_files()
    assert len(files) > 100
    missing = [entry for path in files for entry in public_without_docstring(path)]
    assert missing == []


def test_the_check_finds_what_has_no_docstring(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        'def told():\n    """Says."""\n\n\ndef silent():\n    pass\n\n\n'
        "class Thing:\n    def act(self):\n        pass\n\n    def _own(self):\n        pass\n",
        encoding="utf-8",
    )
    assert public_without_docstring(probe, tmp_path) == [
        "probe.py:5 silent",
        "probe.py:9 Thing",
        "probe.py:10 Thing.act",
    ]
