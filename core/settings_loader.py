"""Reading settings: ``config.py``, then ``$AFTERSALES_CONFIG``, then ``AFTERSALES_*``."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

from core.settings_types import check, declared_types, from_environment

ENV_PREFIX = "AFTERSALES_"


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the effective settings as a dict (upper-case keys only).

    Variables are read as the type ``config.py`` declares (see :mod:`core.settings_types`);
    a setting of the wrong type, from any source, raises ``SettingsError``.
    """
    import config as defaults

    declared = declared_types(defaults)
    settings = {k: getattr(defaults, k) for k in dir(defaults) if k.isupper()}
    config_file = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise RuntimeError(f"AFTERSALES_CONFIG names {config_file!r}, which does not exist")
        settings.update({k: v for k, v in runpy.run_path(str(path)).items() if k.isupper()})
    for key, raw in os.environ.items():
        if key.startswith(ENV_PREFIX) and key != f"{ENV_PREFIX}CONFIG":
            name = key[len(ENV_PREFIX) :]
            settings[name] = from_environment(raw, declared.get(name))
    settings.update(overrides or {})
    check(settings, declared)
    return settings


def instance_path(settings: dict[str, Any]) -> Path:
    """The instance folder (SQLite file, secret key), created when missing."""
    path = Path(settings.get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(settings: dict[str, Any], instance: Path) -> str:
    """``DATABASE_URL``, or the SQLite file in the instance folder."""
    url = settings.get("DATABASE_URL") or settings.get("SQLALCHEMY_DATABASE_URI")
    return url or f"sqlite:///{instance / 'aftersales.db'}"


def secret_key(settings: dict[str, Any], instance: Path) -> str:
    """``SECRET_KEY`` from settings, else one generated once into ``instance/secret_key``."""
    if settings.get("SECRET_KEY"):
        return str(settings["SECRET_KEY"])
    key_file = instance / "secret_key"
    if not key_file.exists():
        import secrets

        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker won the race; use its key
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()
