"""Signed copies of amendments: the accepted file types and size limit, where they are
stored under the instance folder, and the upload check.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import Session

from plugins.contracts.models import (
    ContractAmendment,
)
from plugins.contracts.services.amendments import require_draft
from plugins.contracts.services.errors import ContractError

# Signed copies: extension -> (media type, leading bytes the file must start with).
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
}
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def attachment_folder() -> Path:
    """Where signed copies are stored: ``<instance>/contracts/amendments``."""
    return Path(current_app.instance_path) / "contracts" / "amendments"


def attachment_file(amendment: ContractAmendment) -> Path | None:
    """The stored signed copy of ``amendment``, or ``None``."""
    if not amendment.attachment_path:
        return None
    return Path(current_app.instance_path) / amendment.attachment_path


def _original_name(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-200:]


def attach_signed_copy(
    session: Session, amendment: ContractAmendment, filename: str, data: bytes
) -> ContractAmendment:
    """Store the signed copy of a draft amendment under the instance folder, keeping its
    original file name. PDF, PNG, JPEG or OFD only, at most ``CONTRACTS_AMENDMENT_MAX_BYTES``
    (10 MB by default); the content must match the extension."""
    require_draft(amendment)
    name = _original_name(filename)
    extension = Path(name).suffix.lower()
    if not name or extension not in ATTACHMENT_TYPES:
        raise ContractError(
            gettext(
                "attachment: %(name)r is not one of the accepted types (%(types)s)",
                name=name,
                types=", ".join(sorted(ATTACHMENT_TYPES)),
            ),
            "attachment",
        )
    limit = int(
        current_app.config.get("CONTRACTS_AMENDMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)
    )
    if not data:
        raise ContractError(gettext("attachment: the file is empty"), "attachment")
    if len(data) > limit:
        raise ContractError(
            gettext(
                "attachment: %(size)d bytes is more than the limit of %(limit)d bytes",
                size=len(data),
                limit=limit,
            ),
            "attachment",
            413,
        )
    media_type, signatures = ATTACHMENT_TYPES[extension]
    if not any(data.startswith(sig) for sig in signatures):
        raise ContractError(
            gettext(
                "attachment: the content of %(name)s is not a %(type)s file",
                name=name,
                type=extension[1:].upper(),
            ),
            "attachment",
        )
    relative = Path("contracts", "amendments", str(amendment.contract_id))
    folder = Path(current_app.instance_path) / relative
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{extension}"
    (folder / stored).write_bytes(data)
    amendment.attachment_name = name
    amendment.attachment_path = str(relative / stored)
    amendment.attachment_type = media_type
    amendment.attachment_size = len(data)
    session.flush()
    return amendment
