"""Uploaded files kept between the dry run and the import, so the user uploads once.

Files live under ``<instance>/uploads/`` named by a random token and their owner's user
id; a token of another user is not found. Files older than a day are removed on each save.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from pathlib import Path

from flask import current_app
from flask_babel import gettext

from core.tabular.reading import TabularError

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[^\w.\-]+")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(data: bytes, filename: str, owner: int | None) -> str:
    """Keep ``data`` for user ``owner``; returns the token that finds it again."""
    folder = _folder()
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    safe = _UNSAFE.sub("_", Path(filename or "upload").name)[-80:] or "upload"
    (folder / f"{token}__{owner or 0}__{safe}").write_bytes(data)
    return token


def _find(token: str, owner: int | None) -> Path:
    if not _TOKEN.match(token or ""):
        raise TabularError(gettext("file: the upload has expired; choose the file again"))
    found = list(_folder().glob(f"{token}__{owner or 0}__*"))
    if not found:
        raise TabularError(gettext("file: the upload has expired; choose the file again"))
    return found[0]


def load_upload(token: str, owner: int | None) -> tuple[bytes, str]:
    """The bytes and original file name kept under ``token`` for ``owner``."""
    path = _find(token, owner)
    return path.read_bytes(), path.name.split("__", 2)[2]


def discard_upload(token: str, owner: int | None) -> None:
    """Forget the upload (after a successful import)."""
    with contextlib.suppress(TabularError):
        _find(token, owner).unlink(missing_ok=True)
