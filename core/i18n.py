"""Translation catalogs: compile (install step), extract and update (developers), check.

Languages: English (the source strings), Simplified Chinese (``zh``) and Traditional Chinese
(``zh_TW`` in ``LANGUAGES``). Babel parses ``zh_TW`` as ``zh_Hant_TW`` and gettext then looks
for the folders ``zh_Hant_TW`` and ``zh``, never ``zh_TW``; so Traditional catalogs live in
``translations/zh_Hant_TW/``. (A ``zh_TW`` folder would be ignored and the Simplified strings
shown instead.)

Flask-AppBuilder ships Simplified strings only for ``zh`` (its ``zh_HK`` catalog is never
picked for ``zh_TW``). Core therefore carries ``flask_appbuilder.po`` beside its own
``messages.po`` for both locales: FAB's strings translated for the mainland and for Taiwan.
Compiling merges every extra ``*.po`` of a folder under ``messages.po`` into the one
``messages.mo`` Flask-Babel reads (``messages.po`` wins on a clash). Flask-Babel merges the
folders of ``BABEL_TRANSLATION_DIRECTORIES`` in order (FAB's, core's, each plugin's), later
ones overriding earlier ones.

Commands (``python -m core.i18n ...``):

* ``compile``: compile every catalog of core and of the plugins in this tree (``make install``
  runs it; ``.mo`` files are never committed).
* ``update [core|PLUGIN ...]``: re-extract the strings of core and/or the named plugins (all
  when none is named) and merge them into their ``zh`` and ``zh_Hant_TW`` catalogs.
* ``check [core|PLUGIN ...]``: list messages without a translation (or still fuzzy) and
  translations whose placeholders do not match; exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
#: Catalog folder names, as gettext looks them up for the ``LANGUAGES`` keys ``zh``, ``zh_TW``.
LOCALES = ("zh", "zh_Hant_TW")
#: Folder names that gettext never finds, and the name they must have instead.
MISNAMED = {"zh_TW": "zh_Hant_TW", "zh_Hant": "zh_Hant_TW"}
DOMAIN = "messages"
KEYWORDS = ("lazy_gettext", "_l", "gettext", "ngettext:1,2", "lazy_ngettext:1,2", "_")


def catalog_folders(root: Path = ROOT) -> list[Path]:
    """Every ``translations`` folder of core, the built-in plugins and the examples."""
    candidates = [root / "core" / "translations"]
    candidates += sorted(root.glob("plugins/*/translations"))
    candidates += sorted(root.glob("examples/*/*/translations"))
    return [c for c in candidates if c.is_dir()]


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name)


def merged_catalog(po_path: Path) -> Catalog:
    """The catalog compiled for ``po_path``: its extra ``*.po`` siblings, then itself.

    Only translated, non-fuzzy messages of the extras are taken; a translated message of
    ``messages.po`` replaces an extra's.
    """
    catalog = _read(po_path)
    extras = sorted(p for p in po_path.parent.glob("*.po") if p.name != po_path.name)
    if not extras:
        return catalog
    merged = Catalog(locale=catalog.locale, domain=DOMAIN, charset="utf-8")
    merged.mime_headers = catalog.mime_headers
    for extra in [*(_read(p) for p in extras), catalog]:
        for message in extra:
            if message.id and message.string and not message.fuzzy:
                if message.id in merged:  # Catalog.__setitem__ would keep the old string
                    del merged[message.id]
                merged[message.id] = message
    return merged


def _write_atomically(path: Path, catalog: Catalog) -> None:
    """Write ``path`` through a temporary file, so parallel test workers never read half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def po_files(folders: Iterable[Path]) -> list[Path]:
    """The ``messages.po`` of every locale in ``folders``."""
    return [po for folder in folders for po in sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))]


def misnamed_locale_folders(folders: Iterable[Path]) -> list[Path]:
    """Locale folders gettext will never find (``zh_TW`` instead of ``zh_Hant_TW``)."""
    return [folder / name for folder in folders for name in MISNAMED if (folder / name).is_dir()]


def compile_catalogs(folders: Iterable[Path]) -> int:
    """Compile each ``messages.po`` (with its extras) next to it; returns how many."""
    folders = list(folders)
    for wrong in misnamed_locale_folders(folders):
        print(
            f"warning: {wrong} is never used: rename it to {MISNAMED[wrong.name]} "
            "(python -m core.i18n update does it)",
            file=sys.stderr,
        )
    count = 0
    for po_path in po_files(folders):
        _write_atomically(po_path.with_suffix(".mo"), merged_catalog(po_path))
        count += 1
    return count


def stale_catalogs(folders: Iterable[Path]) -> list[Path]:
    """The ``messages.po`` files whose ``.mo`` is missing or older than a ``.po`` beside it."""
    stale = []
    for po_path in po_files(folders):
        mo_path = po_path.with_suffix(".mo")
        newest = max(p.stat().st_mtime for p in po_path.parent.glob("*.po"))
        if not mo_path.exists() or mo_path.stat().st_mtime < newest:
            stale.append(po_path)
    return stale


def ensure_compiled(folders: Iterable[Path] | None = None) -> int:
    """Compile the catalogs of ``folders`` (default: the whole tree) when any is stale.

    Tests call this first, so ``pytest`` works on a fresh clone. Returns how many catalogs
    were compiled (0 when all were up to date).
    """
    folders = catalog_folders() if folders is None else list(folders)
    if not stale_catalogs(folders):
        return 0
    return compile_catalogs(folders)


def _babel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def _version() -> str:
    from core import __version__

    return __version__


def update_catalogs(source: Path, folder: Path) -> None:
    """Extract the strings of package ``source`` and merge them into its catalogs.

    Missing catalogs are created; a misnamed ``zh_TW`` folder is renamed first.
    """
    for wrong in misnamed_locale_folders([folder]):
        target = folder / MISNAMED[wrong.name]
        if not target.exists():
            wrong.rename(target)
    pot = folder / f"{DOMAIN}.pot"
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    _babel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *keywords,
        "--no-location",
        "--sort-output",
        "--project=AfterSales",
        f"--version={_version()}",
        "-o",
        str(pot),
        str(source),
    )
    for locale in LOCALES:
        po = folder / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            _babel(
                "update",
                "-i",
                str(pot),
                "-d",
                str(folder),
                "-l",
                locale,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            )
        else:
            _babel("init", "-i", str(pot), "-d", str(folder), "-l", locale)


def untranslated(folders: Iterable[Path]) -> dict[Path, list[str]]:
    """Messages of each ``messages.po`` that have no translation or a fuzzy one."""
    missing: dict[Path, list[str]] = {}
    for po_path in po_files(folders):
        ids = [
            str(m.id)
            for m in _read(po_path)
            if m.id
            and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
        ]
        if ids:
            missing[po_path] = ids
    return missing


def format_errors(folders: Iterable[Path]) -> dict[Path, list[str]]:
    """Translations whose placeholders break formatting (``%(nam)s`` for ``%(name)s``)."""
    errors: dict[Path, list[str]] = {}
    for folder in folders:
        for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
            found = [f"{m.id}: {e}" for m, problems in _read(po_path).check() for e in problems]
            if found:
                errors[po_path] = found
    return errors


def select_folders(names: list[str], root: Path = ROOT) -> list[Path]:
    """The catalog folders of ``core`` and/or the named plugins (all when ``names`` is empty)."""
    folders = catalog_folders(root)
    if not names:
        return folders
    wanted = []
    for name in names:
        folder = root / "core" / "translations" if name == "core" else None
        if folder is None:
            found = [f for f in folders if f.parent.name == name]
            folder = found[0] if found else root / "plugins" / name / "translations"
        if not folder.parent.is_dir():
            raise SystemExit(f"no package named {name!r} (core or a folder under plugins/)")
        folder.mkdir(exist_ok=True)
        wanted.append(folder)
    return wanted


def main(argv: list[str] | None = None) -> int:
    """Command line: ``compile``, ``update [names]`` or ``check [names]``."""
    parser = argparse.ArgumentParser(prog="python -m core.i18n")
    parser.add_argument("command", choices=["compile", "update", "check"])
    parser.add_argument("names", nargs="*", help="core and/or plugin names (default: all)")
    args = parser.parse_args(argv)
    folders = select_folders(args.names)
    if args.command == "compile":
        print(f"compiled {compile_catalogs(folders)} catalogs")
        return 0
    if args.command == "update":
        for folder in folders:
            update_catalogs(folder.parent, folder)
        print(f"updated the catalogs of {len(folders)} package(s)")
        return 0
    missing = untranslated(folders)
    for po_path, ids in missing.items():
        print(f"{po_path.relative_to(ROOT)}: {len(ids)} untranslated")
        for msgid in ids:
            print(f"    {msgid}")
    broken = format_errors(folders)
    for po_path, problems in broken.items():
        print(f"{po_path.relative_to(ROOT)}: {len(problems)} broken placeholders")
        for problem in problems:
            print(f"    {problem}")
    return 1 if missing or broken else 0


if __name__ == "__main__":
    sys.exit(main())
