"""Exact money: a value type, a column type, strict parsing and locale-aware formatting.

Amounts are :class:`~decimal.Decimal` values with exactly as many decimals as the currency's
minor unit (2 for CNY, 0 for JPY, 3 for KWD). Floats are refused everywhere: ``0.1 + 0.2`` is
not money. ::

    from core.money import CurrencyCode, Money, MoneyAmount, parse_amount, format_money

    price = Money("199.00")                      # currency: COMPANY_CURRENCY (default CNY)
    total = price * 3                            # Money('597.00', 'CNY')
    parts = total.allocate([1, 1, 1])            # three Money('199.00', 'CNY'), no cent lost
    amount = parse_amount(form["amount"], "amount")   # Decimal or AmountError naming the field

    class Invoice(db.Model):
        total: Mapped[Decimal] = mapped_column(MoneyAmount(), nullable=False)
        currency: Mapped[str] = mapped_column(CurrencyCode(), default=default_currency)

:class:`MoneyAmount` stores integer minor units (``BigInteger``) because SQLite keeps
``Numeric`` as a floating-point REAL (99999999999999.99 came back as ...98), and returns
``Decimal``; ``SUM`` over it is exact on SQLite and PostgreSQL alike. :class:`CurrencyCode`
is a ``VARCHAR(3)`` column that stores ISO 4217 codes only (checked on every flush by
:mod:`core.column_limits`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, total_ordering
from typing import Any

from babel.numbers import format_currency, get_currency_precision, list_currencies
from flask_babel import gettext
from sqlalchemy import BigInteger, String
from sqlalchemy.types import TypeDecorator

DEFAULT_CURRENCY = "CNY"
# Largest number of digits before the decimal point that parse_amount accepts: keeps every
# amount well inside a BigInteger of minor units (9.2e18), with room for sums.
MAX_INTEGER_DIGITS = 15
_AMOUNT_PATTERN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$")
_BIGINT_MAX = 2**63 - 1


class MoneyError(ValueError):
    """Money used against its rules; ``field`` names the input when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AmountError(MoneyError):
    """An amount typed or sent by a user that is not acceptable money."""


class CurrencyMismatchError(MoneyError):
    """Arithmetic or comparison between two different currencies."""


def default_currency() -> str:
    """The company currency: ``COMPANY_CURRENCY`` of the current app, else ``"CNY"``."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("COMPANY_CURRENCY") or DEFAULT_CURRENCY)
    return DEFAULT_CURRENCY


@cache
def _iso_4217_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_refusal(currency: Any) -> str | None:
    """Why ``currency`` is not an ISO 4217 currency code (a translated message), or ``None``.

    The codes are Babel's (CLDR's list of ISO 4217 codes); letters may be lower-case."""
    code = currency.upper() if isinstance(currency, str) else None
    if code is None or not re.fullmatch(r"[A-Z]{3}", code) or code not in _iso_4217_codes():
        return gettext("%(value)r is not an ISO 4217 currency code", value=currency)
    return None


def check_currency(currency: str, field: str = "currency") -> str:
    """Return the ISO 4217 code ``currency`` upper-cased, or raise :class:`MoneyError`
    naming ``field``."""
    problem = currency_refusal(currency)
    if problem:
        raise MoneyError(f"{field}: {problem}", field)
    return currency.upper()


def minor_digits(currency: str) -> int:
    """Decimals of the currency's minor unit: 2 for CNY, 0 for JPY, 3 for KWD."""
    return int(get_currency_precision(check_currency(currency)))


def _exponent(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)


def _to_decimal(value: Any, what: str) -> Decimal:
    """A Decimal from Decimal, int or str; floats and everything else are refused."""
    if isinstance(value, bool):
        raise TypeError(f"{what}: a boolean is not an amount")
    if isinstance(value, float):
        raise TypeError(
            f"{what}: floating-point numbers are not exact; give a Decimal, an int or a string"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{what}: {value!r} is not a number") from None
    else:
        raise TypeError(f"{what}: {type(value).__name__} is not an amount")
    if not result.is_finite():
        raise MoneyError(f"{what}: {value!r} is not a finite number")
    return result


def quantize_exact(amount: Decimal, digits: int, what: str = "amount") -> Decimal:
    """``amount`` with exactly ``digits`` decimals; raises if that would change its value."""
    exact = amount.quantize(_exponent(digits))
    if exact != amount:
        raise MoneyError(f"{what}: {amount} has more than {digits} decimal places")
    return exact


def round_half_up(amount: Decimal, digits: int) -> Decimal:
    """``amount`` rounded to ``digits`` decimals, halves away from zero (commercial rounding)."""
    return amount.quantize(_exponent(digits), rounding=ROUND_HALF_UP)


@total_ordering
class Money:
    """An exact amount of one currency.

    ``Money("12.5")`` is ``Money('12.50', 'CNY')`` (default currency from ``COMPANY_CURRENCY``).
    An amount with more decimals than the currency allows is refused; use
    :meth:`Money.rounded` to round on purpose. Adding, subtracting and comparing need the same
    currency (:class:`CurrencyMismatchError` otherwise); multiplying by a Decimal or int
    quantity rounds half up. ``sum()`` works (it starts from ``0``). Instances are immutable
    and hashable.
    """

    __slots__ = ("_amount", "_currency")

    _amount: Decimal
    _currency: str

    def __init__(self, amount: Decimal | int | str, currency: str | None = None) -> None:
        code = check_currency(currency) if currency is not None else default_currency()
        value = quantize_exact(_to_decimal(amount, "amount"), minor_digits(code))
        object.__setattr__(self, "_amount", value)
        object.__setattr__(self, "_currency", code)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Money is immutable")

    def __reduce__(self) -> tuple[type[Money], tuple[str, str]]:
        # pickle and copy rebuild through __init__ (slots plus immutability otherwise fail)
        return (Money, (str(self._amount), self._currency))

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def rounded(cls, amount: Decimal | int | str, currency: str | None = None) -> Money:
        """Money from ``amount`` rounded half up to the currency's minor unit."""
        code = check_currency(currency) if currency is not None else default_currency()
        return cls(round_half_up(_to_decimal(amount, "amount"), minor_digits(code)), code)

    @classmethod
    def zero(cls, currency: str | None = None) -> Money:
        """Nothing, in ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str | None = None) -> Money:
        """Money from an integer count of minor units (fen for CNY)."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise TypeError("minor units must be an int")
        code = check_currency(currency) if currency is not None else default_currency()
        return cls(Decimal(units).scaleb(-minor_digits(code)), code)

    # --- accessors ------------------------------------------------------------------------

    @property
    def amount(self) -> Decimal:
        """The amount, with exactly the currency's number of decimals."""
        return self._amount

    @property
    def currency(self) -> str:
        """The ISO 4217 currency code."""
        return self._currency

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units (``Money("1.23").minor_units == 123``)."""
        return int(self._amount.scaleb(minor_digits(self._currency)))

    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return self._amount == 0

    # --- arithmetic -----------------------------------------------------------------------

    def _same(self, other: Money, operation: str) -> None:
        if other._currency != self._currency:
            raise CurrencyMismatchError(
                f"cannot {operation} {other._currency} and {self._currency} amounts"
            )

    def __add__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._same(other, "add")
            return Money(self._amount + other._amount, self._currency)
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self  # lets sum() start from 0
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._same(other, "subtract")
            return Money(self._amount - other._amount, self._currency)
        return NotImplemented

    def __neg__(self) -> Money:
        return Money(-self._amount, self._currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self._amount), self._currency)

    def __mul__(self, quantity: object) -> Money:
        if isinstance(quantity, float):
            raise TypeError("cannot multiply money by a float; use a Decimal or an int")
        if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int):
            return NotImplemented
        return Money.rounded(self._amount * quantity, self._currency)

    __rmul__ = __mul__

    def allocate(self, ratios: Sequence[Decimal | int]) -> list[Money]:
        """Split into parts proportional to ``ratios`` whose sum is exactly this amount.

        Each part gets its share rounded down to the minor unit; the cents left over go one
        by one to the parts with the largest remainders (the earliest first on ties).
        ``Money("100").allocate([1, 1, 1])`` gives 33.34, 33.33, 33.33.
        """
        if not ratios:
            raise MoneyError("allocate needs at least one ratio", "ratios")
        weights = [_to_decimal(r, "ratio") for r in ratios]
        if any(w < 0 for w in weights):
            raise MoneyError("ratios must not be negative", "ratios")
        total_weight = sum(weights, Decimal(0))
        if total_weight == 0:
            raise MoneyError("ratios must not all be zero", "ratios")
        units = self.minor_units
        sign = -1 if units < 0 else 1
        units = abs(units)
        shares = [Decimal(units) * w / total_weight for w in weights]
        parts = [int(s) for s in shares]  # rounded toward zero
        left = units - sum(parts)
        order = sorted(range(len(parts)), key=lambda i: (-(shares[i] - parts[i]), i))
        for i in order[:left]:
            parts[i] += 1
        return [Money.from_minor_units(sign * p, self._currency) for p in parts]

    def split(self, count: int) -> list[Money]:
        """Split into ``count`` parts as equal as possible, summing exactly to this amount."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise MoneyError("split needs a positive whole number of parts", "count")
        return self.allocate([1] * count)

    # --- comparison -----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._currency == other._currency and self._amount == other._amount

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self._amount < other._amount

    def __hash__(self) -> int:
        return hash((self._amount, self._currency))

    def __bool__(self) -> bool:
        return not self.is_zero()

    def __repr__(self) -> str:
        return f"Money('{self._amount}', '{self._currency}')"

    def __str__(self) -> str:
        return f"{self._amount} {self._currency}"

    def format(self, locale: str | None = None) -> str:
        """This amount formatted for ``locale`` (see :func:`format_money`)."""
        return format_money(self._amount, self._currency, locale)


def money_sum(values: Iterable[Money], currency: str | None = None) -> Money:
    """The exact sum of ``values`` (zero of ``currency`` when empty)."""
    total = Money.zero(currency)
    for value in values:
        total = total + value
    return total


def parse_amount(
    text: Any,
    field: str,
    *,
    currency: str | None = None,
    allow_negative: bool = False,
) -> Decimal:
    """Read an amount a user typed or an API received, strictly.

    Accepts ``"1234.5"``, ``"1,234.50"``, an int or a Decimal. Refuses, with an
    :class:`AmountError` whose message names ``field`` and the rule: floats (JSON numbers
    arrive as floats: send amounts as strings), empty or non-numeric text, more decimals than
    ``currency`` (default: the company currency) allows, negative amounts unless
    ``allow_negative``, and more than ``MAX_INTEGER_DIGITS`` digits before the point.
    Returns a Decimal with exactly the currency's number of decimals.
    """
    code = check_currency(currency) if currency is not None else default_currency()
    digits = minor_digits(code)
    if isinstance(text, float):
        raise AmountError(
            f'{field} must be given as a decimal string such as "12.50", not a '
            "floating-point number",
            field,
        )
    if isinstance(text, bool) or text is None:
        raise AmountError(f"{field} is required and must be an amount", field)
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        if not text.is_finite():
            raise AmountError(f"{field} must be a finite amount", field)
        value = text
    elif isinstance(text, str):
        cleaned = text.strip()
        if not cleaned:
            raise AmountError(f"{field} is required", field)
        if not _AMOUNT_PATTERN.match(cleaned):
            raise AmountError(f"{field}: {text!r} is not an amount (example: 1234.50)", field)
        value = Decimal(cleaned.replace(",", ""))
    else:
        raise AmountError(f"{field} must be an amount, not {type(text).__name__}", field)
    if value < 0 and not allow_negative:
        raise AmountError(f"{field} must not be negative", field)
    if value.adjusted() >= MAX_INTEGER_DIGITS:  # first: quantize fails on a huge value
        raise AmountError(
            f"{field} is too large (at most {MAX_INTEGER_DIGITS} digits before the point)", field
        )
    if value.quantize(_exponent(digits), rounding=ROUND_HALF_UP) != value:
        raise AmountError(
            f"{field} has more than {digits} decimal places (the minor unit of {code})", field
        )
    return value.quantize(_exponent(digits))


def format_money(
    amount: Money | Decimal | int | str, currency: str | None = None, locale: str | None = None
) -> str:
    """``amount`` as the reader expects it: ``¥1,234.50`` in ``zh_CN``, ``CN¥1,234.50`` in ``en``.

    ``currency`` defaults to the Money's own or the company currency; ``locale`` to the
    current Flask-Babel locale (``en`` outside a request). Floats are refused.
    """
    if isinstance(amount, Money):
        if currency is not None and check_currency(currency) != amount.currency:
            raise CurrencyMismatchError(
                f"cannot format a {amount.currency} amount as {currency.upper()}"
            )
        currency, value = amount.currency, amount.amount
    else:
        value = _to_decimal(amount, "amount")
    code = check_currency(currency) if currency is not None else default_currency()
    return format_currency(value, code, locale=locale or _current_locale())


def _current_locale() -> str:
    from flask import has_request_context

    if has_request_context():
        from flask_babel import get_locale

        found = get_locale()
        if found is not None:
            return str(found)
    return "en"


class MoneyAmount(TypeDecorator[Decimal]):
    """A money column: stores integer minor units (``BigInteger``), gives back ``Decimal``.

    ``digits`` is the number of decimals kept (2 by default: right for CNY, USD, EUR; a column
    holding JPY may use 0 and one holding KWD needs 3). Binding a value with more decimals, a
    float, or an amount too large for a BigInteger raises instead of rounding. ``Money``
    values may be bound too (their amount is stored; keep the currency in its own column).
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, digits: int = 2) -> None:
        super().__init__()
        if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 6:
            raise ValueError("MoneyAmount digits must be an int between 0 and 6")
        self.digits = digits

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        """Decimal (or Money, int, str) -> integer minor units."""
        if value is None:
            return None
        if isinstance(value, Money):
            value = value.amount
        amount = quantize_exact(_to_decimal(value, "money column"), self.digits, "money column")
        units = int(amount.scaleb(self.digits))
        if abs(units) > _BIGINT_MAX:
            raise MoneyError(f"money column: {value} is too large to store")
        return units

    def process_literal_param(self, value: Any, dialect: Any) -> str:
        """Render a literal as its minor units (used when SQL is compiled with literals)."""
        units = self.process_bind_param(value, dialect)
        return "NULL" if units is None else str(units)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        """Integer minor units (or a Decimal from ``SUM`` on PostgreSQL) -> Decimal."""
        if value is None:
            return None
        if isinstance(value, float):  # never expected; refuse rather than drift
            raise TypeError("money column returned a float")
        return Decimal(value).scaleb(-self.digits).quantize(_exponent(self.digits))

    @property
    def python_type(self) -> type:
        """Decimal."""
        return Decimal


class CurrencyCode(TypeDecorator[str]):
    """A currency column: ``VARCHAR(3)`` holding an ISO 4217 code, stored upper-case.

    A flush that sets anything else raises :class:`core.column_limits.ColumnValueError`
    naming the attribute ("'XYZ' is not an ISO 4217 currency code").
    """

    impl = String
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(3)

    def refusal(self, value: Any) -> str | None:
        """Why ``value`` cannot be stored here (see :mod:`core.column_limits`), or ``None``."""
        return currency_refusal(value)

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        """The code upper-cased."""
        return value.upper() if isinstance(value, str) else value

    @property
    def python_type(self) -> type:
        """str."""
        return str
