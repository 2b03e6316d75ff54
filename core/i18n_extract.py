"""The Babel extraction method for AfterSales code: Python's, plus the manifest's words.

A plugin's ``MANIFEST = Manifest(label="Warranty Cards", summary="...")`` holds plain
strings (the manifest is read before any app or locale exists), so Babel's ``python`` method
never extracts them, yet the Modules screen and API show them translated. This method yields
everything Babel's own ``python`` method yields, and the ``label`` and ``summary`` of every
``Manifest(...)`` call in the file. ``babel.cfg`` names it::

    [core.i18n_extract.extract_python_and_manifest: **.py]
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

MANIFEST_WORDS = ("label", "summary")


def _called_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def manifest_messages(source: str) -> Iterator[tuple[int, str, str]]:
    """``(line, keyword, text)`` of each non-empty literal ``label``/``summary`` given to a
    ``Manifest(...)`` call in ``source``; nothing for code that does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _called_name(node.func) != "Manifest":
            continue
        for keyword in node.keywords:
            value = keyword.value
            literal = isinstance(value, ast.Constant) and isinstance(value.value, str)
            if keyword.arg in MANIFEST_WORDS and literal and value.value.strip():
                yield value.lineno, keyword.arg, value.value


def extract_python_and_manifest(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel's ``python`` extraction, then the manifest's ``label`` and ``summary``."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for line, word, text in manifest_messages(source):
        yield line, "", text, [f"manifest {word}"]
