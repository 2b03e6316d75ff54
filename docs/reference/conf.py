"""Sphinx configuration of the AfterSales API reference (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "aftersales-warranty-cards"))
sys.path.insert(0, str(ROOT))

project = "AfterSales"
author = "AfterSales contributors"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]

root_doc = "index"
exclude_patterns = ["_build"]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}

nitpicky = False
html_theme = "alabaster"
html_title = "AfterSales API reference"


def drop_openapi_yaml(
    app: Any, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    """Cut an endpoint's docstring at its ``---`` line: what follows is the OpenAPI YAML that
    Flask-AppBuilder reads into the API document, not reStructuredText."""
    for index, line in enumerate(lines):
        if line.strip() == "---":
            del lines[index:]
            return


def setup(app: Any) -> None:
    """Register :func:`drop_openapi_yaml`."""
    app.connect("autodoc-process-docstring", drop_openapi_yaml)
