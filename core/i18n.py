"""Translation catalogs: compile (install step), extract and update (developers).

``python -m core.i18n compile`` compiles every ``translations/*/LC_MESSAGES/messages.po`` of
core and of the plugin packages in this tree into ``.mo`` files (never committed).
``python -m core.i18n update`` re-extracts strings into each catalog.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("zh", "zh_TW")


def catalog_folders(root: Path = ROOT) -> list[Path]:
    """Every ``translations`` folder of core, the built-in plugins and the examples."""
    candidates = [root / "core" / "translations"]
    candidates += sorted(root.glob("plugins/*/translations"))
    candidates += sorted(root.glob("examples/*/*/translations"))
    return [c for c in candidates if c.is_dir()]


def compile_catalogs(folders: list[Path]) -> int:
    """Compile each ``messages.po`` next to it; returns how many were compiled."""
    count = 0
    for folder in folders:
        for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
            with po_path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            count += 1
    return count


def update_catalogs(source: Path, folder: Path) -> None:
    """Extract the strings of package ``source`` and merge them into its catalogs."""
    pot = folder / "messages.pot"
    cfg = ROOT / "babel.cfg"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(cfg),
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            str(source),
        ],
        check=True,
    )
    for locale in LOCALES:
        po = folder / locale / "LC_MESSAGES" / "messages.po"
        command = "update" if po.exists() else "init"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                command,
                "-i",
                str(pot),
                "-d",
                str(folder),
                "-l",
                locale,
                *(["--no-fuzzy-matching"] if po.exists() else []),
            ],
            check=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Command line: ``compile`` or ``update``."""
    parser = argparse.ArgumentParser(prog="python -m core.i18n")
    parser.add_argument("command", choices=["compile", "update"])
    args = parser.parse_args(argv)
    folders = catalog_folders()
    if args.command == "compile":
        print(f"compiled {compile_catalogs(folders)} catalogs")
        return 0
    for folder in folders:
        update_catalogs(folder.parent, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
