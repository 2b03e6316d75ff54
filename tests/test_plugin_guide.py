"""docs/plugin-guide.md is right: its Python parses, its runnable blocks run, its babel.cfg is
the one the scaffold writes and the tree uses.

A block preceded by ``<!-- guide-test: PLUGIN[,PLUGIN] -->`` runs in an app with those
plugins enabled, with ``session`` (the app's ``db.session``) in scope.
"""

from __future__ import annotations

import ast
import re
import textwrap

import pytest

from core.extensions import db
from core.testing import ROOT

GUIDE = ROOT / "docs" / "plugin-guide.md"
BLOCK = re.compile(
    r"(?:<!-- guide-test: (?P<plugins>[\w, ]+) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)```", re.S
)


def blocks(lang: str) -> list[tuple[int, str | None, str]]:
    """``(line, plugins or None, code)`` of the guide's fenced blocks in ``lang``."""
    text = GUIDE.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 1, m["plugins"], m["code"])
        for m in BLOCK.finditer(text)
        if m["lang"] == lang
    ]


def config_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_every_python_block_of_the_guide_parses():
    found = blocks("python")
    assert len(found) >= 10
    for line, _, code in found:
        try:
            ast.parse(textwrap.dedent(code))
        except SyntaxError as error:
            pytest.fail(f"docs/plugin-guide.md line {line}: {error}")


RUNNABLE = [(line, plugins, code) for line, plugins, code in blocks("python") if plugins]


@pytest.mark.parametrize(("line", "plugins", "code"), RUNNABLE, ids=[str(b[0]) for b in RUNNABLE])
def test_the_guides_runnable_blocks_run(make_app, line, plugins, code):
    app = make_app(plugins=[name.strip() for name in plugins.split(",")])
    with app.app_context():
        exec(compile(code, f"docs/plugin-guide.md:{line}", "exec"), {"session": db.session})
        db.session.rollback()


def test_the_guide_has_runnable_blocks():
    assert len(RUNNABLE) >= 1


def test_the_guides_babel_cfg_is_the_scaffolds_and_the_trees():
    (guide,) = [code for _, _, code in blocks("ini") if "extract_python_and_manifest" in code]
    scaffold = ROOT / "core" / "scaffold" / "templates" / "plugin" / "babel.cfg.tmpl"
    tree = ROOT / "babel.cfg"
    expected = config_lines(guide)
    assert config_lines(scaffold.read_text(encoding="utf-8")) == expected
    assert config_lines(tree.read_text(encoding="utf-8")) == expected
