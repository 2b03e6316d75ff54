"""Reading and changing the company settings.

``company_settings(session)`` returns a frozen :class:`CompanySettings` (creating the row from
the configured defaults on first read); ``update_company_settings(session, **values)`` checks
every value before changing anything. ``company_zone()`` and ``company_currency()`` are the
shortcuts other code uses to show times and money.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, g, has_app_context
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.column_limits import column_limit
from core.company.models import COMPANY_ROW_ID, Company
from core.money import currency_refusal
from core.timeutil import utcnow

FIELDS = (
    "name",
    "legal_name",
    "tax_id",
    "address",
    "phone",
    "email",
    "time_zone",
    "currency",
    "language",
)
REQUIRED = ("name", "time_zone", "currency", "language")
# The free-text settings' limits are their columns'.
MAX_LENGTHS = {
    name: column_limit(Company.__table__.c[name])
    for name in ("name", "legal_name", "tax_id", "address", "phone", "email")
}
_G_CACHE = "_core_company_settings"

# GB 32100-2015: the unified social credit code's alphabet (no I, O, S, V, Z) and weights.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_TAX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]*$")
_PHONE = re.compile(r"^[0-9+()\-. /]+(\s*(ext|x|转)\.?\s*[0-9]+)?$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CompanyError(ValueError):
    """Invalid company settings; ``errors`` maps each bad field to what is wrong with it.

    ``field`` is the first bad field (for the ``{"message", "field"}`` error body).
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        self.field = next(iter(self.errors))
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))


@dataclass(frozen=True)
class CompanySettings:
    """A read-only copy of the company settings."""

    name: str
    legal_name: str | None
    tax_id: str | None
    address: str | None
    phone: str | None
    email: str | None
    time_zone: str
    currency: str
    language: str

    @property
    def zone(self) -> ZoneInfo:
        """The company time zone as a :class:`zoneinfo.ZoneInfo`."""
        return ZoneInfo(self.time_zone)

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for forms and JSON)."""
        return asdict(self)


def _settings_source() -> Mapping[str, Any]:
    if has_app_context():
        return current_app.config
    import config

    return vars(config)


def default_settings(source: Mapping[str, Any] | None = None) -> CompanySettings:
    """The settings a new deployment starts with, from ``COMPANY_*`` configuration."""
    source = source if source is not None else _settings_source()
    return CompanySettings(
        name=source.get("COMPANY_NAME") or "AfterSales",
        legal_name=None,
        tax_id=None,
        address=None,
        phone=None,
        email=None,
        time_zone=source.get("COMPANY_TIME_ZONE") or "Asia/Shanghai",
        currency=source.get("COMPANY_CURRENCY") or "CNY",
        language=source.get("BABEL_DEFAULT_LOCALE") or "en",
    )


def _snapshot(row: Company) -> CompanySettings:
    return CompanySettings(**{name: getattr(row, name) for name in FIELDS})


def _company_row(session: Session) -> Company:
    row = session.get(Company, COMPANY_ROW_ID)
    if row is not None:
        return row
    row = Company(id=COMPANY_ROW_ID, **default_settings().as_dict())
    try:
        with session.begin_nested():  # another worker may create it at the same moment
            session.add(row)
    except IntegrityError:
        row = session.get(Company, COMPANY_ROW_ID, populate_existing=True)
        assert row is not None
    return row


def company_settings(session: Session) -> CompanySettings:
    """The company settings; the first read creates the row from the configured defaults.

    The new row is flushed in the caller's transaction; the caller commits (or not: an
    uncommitted row is simply created again from the same defaults next time).
    """
    return _snapshot(_company_row(session))


def update_company_settings(session: Session, **values: Any) -> CompanySettings:
    """Change some settings; raises :class:`CompanyError` naming every bad field.

    Values are checked all together before anything changes, so a refused update changes
    nothing. Strings are stripped; empty optional values become ``None``. The caller commits.
    """
    cleaned = clean_company_values(values)
    row = _company_row(session)
    for name, value in cleaned.items():
        setattr(row, name, value)
    session.flush()
    if has_app_context():
        g.pop(_G_CACHE, None)
    return _snapshot(row)


def clean_company_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise and check ``values``; returns them cleaned or raises :class:`CompanyError`."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in FIELDS:
            errors[name] = gettext(
                "unknown company setting (known: %(names)s)", names=", ".join(FIELDS)
            )
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value in ("", None):
            if name in REQUIRED:
                errors[name] = gettext("is required")
                continue
            cleaned[name] = None
            continue
        if not isinstance(value, str):
            errors[name] = gettext("must be text")
            continue
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            errors[name] = gettext("must be at most %(n)d characters", n=limit)
            continue
        problem, value = _check(name, value)
        if problem:
            errors[name] = problem
        else:
            cleaned[name] = value
    if errors:
        raise CompanyError(errors)
    return cleaned


def _check(name: str, value: str) -> tuple[str | None, str]:
    """``(problem, normalised value)`` for one field."""
    if name == "time_zone":
        return _check_time_zone(value), value
    if name == "currency":
        return currency_refusal(value), value.upper()
    if name == "language":
        known = list(_settings_source().get("LANGUAGES") or {}) or ["en"]
        if value not in known:
            return gettext(
                "%(value)r is not an available language (%(known)s)",
                value=value,
                known=", ".join(known),
            ), value
        return None, value
    if name == "tax_id":
        code = value.upper().replace(" ", "")
        return _check_tax_id(code), code
    if name == "phone" and not _PHONE.match(value):
        return gettext("%(value)r is not a phone number", value=value), value
    if name == "email" and not _EMAIL.match(value):
        return gettext("%(value)r is not an e-mail address", value=value), value
    return None, value


def _check_time_zone(value: str) -> str | None:
    problem = gettext(
        "%(value)r is not a known time zone (use an IANA name such as Asia/Shanghai)",
        value=value,
    )
    if value not in available_timezones():
        return problem
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return problem
    return None


def uscc_check_character(first17: str) -> str:
    """The check character (18th) of a unified social credit code (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _check_tax_id(code: str) -> str | None:
    if len(code) == 18 and all(c in USCC_ALPHABET for c in code):
        if uscc_check_character(code[:17]) != code[17]:
            return gettext(
                "%(value)r is not a valid unified social credit code (its check character "
                "should be %(check)s)",
                value=code,
                check=uscc_check_character(code[:17]),
            )
        return None
    if not _TAX_ID.match(code):
        return gettext("%(value)r is not a tax id (letters, digits, '-', '.', '/')", value=code)
    return None


def _settings_in(session: Session) -> CompanySettings:
    """The saved settings as ``session`` sees them, or the defaults; never creates the row."""
    row = session.get(Company, COMPANY_ROW_ID)
    return _snapshot(row) if row is not None else default_settings()


def current_company_settings() -> CompanySettings:
    """The settings for the current request, read at most once per request.

    Outside an app context, the configured defaults. Never creates the row.
    """
    if not has_app_context():
        return default_settings()
    cached = g.get(_G_CACHE)
    if cached is None:
        from core.extensions import db

        cached = _settings_in(db.session)
        g.setdefault(_G_CACHE, cached)
    return cached


def company_zone() -> ZoneInfo:
    """The company time zone (default ``COMPANY_TIME_ZONE``, Asia/Shanghai)."""
    return current_company_settings().zone


def company_today(session: Session | None = None) -> datetime.date:
    """Today's date in the company time zone: the one function every plugin calls.

    The zone is Admin > Company's; before that screen is saved (or outside an app context)
    it is ``COMPANY_TIME_ZONE`` (default Asia/Shanghai). A service working in its own
    ``session`` passes it, so the settings are read in that transaction rather than in the
    request's (which on SQLite would wait for the service's own lock). Tests move the clock
    with ``time-machine``, never by patching this function.
    """
    zone = company_zone() if session is None else _settings_in(session).zone
    return utcnow().astimezone(zone).date()


def company_currency() -> str:
    """The company currency, an ISO 4217 code (default ``COMPANY_CURRENCY``, CNY)."""
    return current_company_settings().currency
