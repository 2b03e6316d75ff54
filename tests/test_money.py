"""Money is exact: no floats, no lost cents, stored as integer minor units."""

import copy
import pickle
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text

from core.money import (
    AmountError,
    CurrencyMismatchError,
    Money,
    MoneyAmount,
    MoneyError,
    format_money,
    money_sum,
    parse_amount,
)

# --- the value type ----------------------------------------------------------------------------


def test_amount_is_kept_to_the_cent_in_the_company_currency():
    price = Money("12.5")
    assert price.amount == Decimal("12.50")
    assert str(price.amount) == "12.50"
    assert price.currency == "CNY"
    assert Money(3, "JPY").amount == Decimal("3")
    assert Money("1.234", "KWD").minor_units == 1234


def test_default_currency_comes_from_company_settings(make_app):
    app = make_app(schema=False, config={"COMPANY_CURRENCY": "EUR"})
    with app.app_context():
        assert Money("1").currency == "EUR"


@pytest.mark.parametrize("value", [0.1, 1.0, float("nan")])
def test_floats_are_refused_never_converted(value):
    with pytest.raises(TypeError, match="float"):
        Money(value)
    with pytest.raises(TypeError, match="float"):
        Money("1.00") * value


def test_an_amount_with_more_decimals_than_the_currency_is_refused_not_rounded():
    with pytest.raises(MoneyError, match="more than 2 decimal places"):
        Money("1.005")
    with pytest.raises(MoneyError, match="more than 0 decimal places"):
        Money("1.5", "JPY")
    assert Money.rounded("1.005") == Money("1.01")
    assert Money.rounded("-1.005") == Money("-1.01")


def test_unknown_currency_is_refused():
    with pytest.raises(MoneyError, match="'XYZ' is not an ISO 4217 currency code"):
        Money("1", "XYZ")
    with pytest.raises(MoneyError, match="'yuan' is not an ISO 4217 currency code"):
        Money("1", "yuan")
    assert Money("1", "usd").currency == "USD"


def test_adding_and_subtracting_keeps_every_cent():
    total = sum([Money("0.10")] * 3)
    assert total == Money("0.30")
    assert Money("100.00") - Money("0.01") == Money("99.99")
    assert -Money("5") == Money("-5.00")
    assert money_sum([], "CNY") == Money("0")


def test_different_currencies_do_not_mix():
    with pytest.raises(CurrencyMismatchError, match="USD and CNY"):
        Money("1", "CNY") + Money("1", "USD")
    with pytest.raises(CurrencyMismatchError):
        assert Money("1", "CNY") < Money("2", "USD")
    assert Money("1", "CNY") != Money("1", "USD")


def test_multiplying_by_a_quantity_rounds_half_up():
    assert Money("0.15") * Decimal("0.5") == Money("0.08")  # 0.075 -> 0.08
    assert Money("2.50") * 3 == Money("7.50")
    assert 3 * Money("2.50") == Money("7.50")
    assert Money("10.00") * Decimal("0.333") == Money("3.33")


def test_allocating_never_loses_or_invents_a_cent():
    parts = Money("100.00").allocate([1, 1, 1])
    assert parts == [Money("33.34"), Money("33.33"), Money("33.33")]
    assert sum(parts) == Money("100.00")
    # 2.1 and 4.9 cents: the leftover cent goes to the larger remainder
    assert Money("0.07").allocate([Decimal("0.3"), Decimal("0.7")]) == [
        Money("0.02"),
        Money("0.05"),
    ]
    # 1.5 and 3.5 cents: a tie goes to the earlier part
    assert Money("0.05").allocate([3, 7]) == [Money("0.02"), Money("0.03")]
    assert sum(Money("-10.00").split(3)) == Money("-10.00")
    assert sum(Money("99999999999999.99").split(7)) == Money("99999999999999.99")


def test_allocating_refuses_impossible_ratios():
    with pytest.raises(MoneyError, match="negative"):
        Money("1").allocate([1, -1])
    with pytest.raises(MoneyError, match="all be zero"):
        Money("1").allocate([0, 0])
    with pytest.raises(TypeError, match="float"):
        Money("1").allocate([0.5, 0.5])


def test_money_is_immutable_and_hashable():
    price = Money("1.00")
    with pytest.raises(AttributeError):
        price.amount = Decimal("2")  # type: ignore[misc]
    assert len({Money("1"), Money("1.00"), Money("1", "USD")}) == 2
    assert pickle.loads(pickle.dumps(Money("2.50", "USD"))) == Money("2.50", "USD")
    assert copy.deepcopy(price) == price


# --- parsing what users type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234.5", "1234.50"), (" 1,234.56 ", "1234.56"), ("0", "0.00"), (7, "7.00"), (".5", "0.50")],
)
def test_well_formed_amounts_are_read_exactly(text, expected):
    assert parse_amount(text, "price") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (12.5, "not a floating-point number"),
        ("12.505", "more than 2 decimal places"),
        ("abc", "is not an amount"),
        ("1e5", "is not an amount"),
        ("1,23.00", "is not an amount"),
        ("", "is required"),
        (None, "is required"),
        ("NaN", "is not an amount"),
        ("-5", "must not be negative"),
        ("1" * 16, "too large"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(text, rule):
    with pytest.raises(AmountError, match=rule) as error:
        parse_amount(text, "unit_price")
    assert error.value.field == "unit_price"
    assert "unit_price" in str(error.value)


def test_negative_amounts_when_allowed_and_currency_minor_units():
    assert parse_amount("-5", "adjustment", allow_negative=True) == Decimal("-5.00")
    with pytest.raises(AmountError, match="more than 0 decimal places"):
        parse_amount("100.5", "price", currency="JPY")


# --- formatting ----------------------------------------------------------------------------------


def test_amounts_are_formatted_for_the_reader_locale():
    assert format_money(Decimal("1234.5"), "CNY", "zh_CN") == "¥1,234.50"
    assert format_money(Money("1234.5"), locale="en") == "CN¥1,234.50"
    assert format_money(Money("1234.5", "EUR"), locale="de_DE") == "1.234,50\xa0€"
    with pytest.raises(TypeError):
        format_money(1.5, "CNY", "en")


# --- storage -------------------------------------------------------------------------------------

metadata = MetaData()
ledger = Table(
    "test_money_ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", MoneyAmount(), nullable=False),
)


@pytest.fixture
def ledger_table(app):
    from core.extensions import db

    metadata.create_all(db.engine)
    yield ledger
    db.session.rollback()
    metadata.drop_all(db.engine)


def test_largest_amount_is_stored_and_read_back_exactly(session, ledger_table):
    big = Decimal("99999999999999.99")
    session.execute(insert(ledger_table).values(amount=big))
    session.execute(insert(ledger_table).values(amount=Money("-0.01")))
    session.commit()
    stored = list(session.scalars(select(ledger_table.c.amount).order_by(ledger_table.c.id)))
    assert stored == [big, Decimal("-0.01")]
    assert all(isinstance(v, Decimal) for v in stored)
    raw = session.scalar(text("SELECT MAX(amount) FROM test_money_ledger"))
    assert raw == 9999999999999999  # integer minor units in the database


def test_sums_of_many_rows_are_exact(session, ledger_table):
    # 0.10 and 0.20 are the classic float drift; 1000 rows of big amounts too.
    session.execute(
        insert(ledger_table),
        [{"amount": Decimal("0.10")}, {"amount": Decimal("0.20")}]
        + [{"amount": Decimal("12345678901.23")} for _ in range(1000)],
    )
    session.commit()
    total = session.scalar(select(func.sum(ledger_table.c.amount)))
    assert total == Decimal("12345678901230.30")
    assert isinstance(total, Decimal)


def test_storing_a_float_or_too_many_decimals_is_refused(session, ledger_table):
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="float"):
        session.execute(insert(ledger_table).values(amount=0.1))
    session.rollback()
    with pytest.raises(StatementError, match="more than 2 decimal places"):
        session.execute(insert(ledger_table).values(amount=Decimal("0.001")))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ledger_table)) == 0


def test_filtering_on_a_money_column_compares_amounts(session, ledger_table):
    session.execute(
        insert(ledger_table), [{"amount": Decimal(v)} for v in ("9.99", "10.00", "10.01")]
    )
    session.commit()
    found = session.scalars(
        select(ledger_table.c.amount).where(ledger_table.c.amount >= Decimal("10"))
    )
    assert sorted(found) == [Decimal("10.00"), Decimal("10.01")]
