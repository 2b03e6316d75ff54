"""The Babel extraction method for AfterSales code: Python's, plus manifest and column words.

A plugin's ``MANIFEST = Manifest(label="Warranty Cards", summary="...")`` holds plain
strings (the manifest is read before any app or locale exists), so Babel's ``python`` method
never extracts them, yet the Modules screen and API show them translated. Screens and APIs
label a column nobody labels with its key in words, translated (:mod:`core.labels`). This
method yields everything Babel's own ``python`` method yields, the ``label`` and ``summary``
of every ``Manifest(...)`` call in the file, and the words of every mapped column of a model
(an annotated ``Mapped[...]`` attribute of a class with a ``__tablename__``; not ``id``, nor
a ``customer_id`` beside its ``customer`` relation). ``babel.cfg`` names it::

    [core.i18n_extract.extract_python_and_manifest: **.py]
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

from core.labels import column_words

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


def _mapped_attributes(model: ast.ClassDef) -> list[tuple[int, str]]:
    """``(line, name)`` of each ``name: Mapped[...]`` in a class body."""
    found = []
    for node in model.body:
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        annotation = node.annotation
        if isinstance(annotation, ast.Subscript) and _called_name(annotation.value) == "Mapped":
            found.append((node.lineno, node.target.id))
    return found


def _is_table(model: ast.ClassDef) -> bool:
    return any(
        isinstance(node, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(target, ast.Name) and target.id == "__tablename__"
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
        for node in model.body
    )


def column_messages(source: str) -> Iterator[tuple[int, str]]:
    """``(line, words)`` of each mapped column of each model class in ``source`` (see the
    module); nothing for code that does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for model in ast.walk(tree):
        if not isinstance(model, ast.ClassDef) or not _is_table(model):
            continue
        attributes = _mapped_attributes(model)
        names = {name for _line, name in attributes}
        for line, name in attributes:
            foreign_key = name.endswith("_id") and name.removesuffix("_id") in names
            if name != "id" and not name.startswith("_") and not foreign_key:
                yield line, column_words(name)


def extract_python_and_manifest(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel's ``python`` extraction, then the manifest's ``label`` and ``summary``, then the
    words of the models' columns."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for line, word, text in manifest_messages(source):
        yield line, "", text, [f"manifest {word}"]
    for line, words in column_messages(source):
        yield line, "", words, ["column label"]
