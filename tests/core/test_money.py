"""core.money: integer minor units, the currency's own exponent, never a float."""

from decimal import Decimal

import pytest

from core.money import Money, MoneyError, currency_exponent


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("49.90", "EUR", 4990),
        ("49.9", "eur", 4990),
        ("1500", "JPY", 1500),
        ("1.250", "KWD", 1250),
        ("0", "USD", 0),
        (" 12 ", "GBP", 1200),
    ],
)
def test_major_text_becomes_minor_units_by_the_currency_exponent(text, currency, minor):
    money = Money.from_major(text, currency)
    assert money.amount == minor
    assert money.currency == currency.upper()


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("10.5", "JPY"),  # yen have no decimals
        ("1.2345", "KWD"),  # dinars have three
        ("49.999", "EUR"),
        ("-1", "EUR"),
        ("abc", "EUR"),
        ("NaN", "EUR"),
        ("Infinity", "EUR"),
        ("1e30", "EUR"),
        ("10", "EURO"),
        ("10", "12A"),
    ],
)
def test_bad_amounts_and_currencies_are_refused_with_a_reason(text, currency):
    with pytest.raises(MoneyError) as refused:
        Money.from_major(text, currency)
    assert str(refused.value)


def test_exponents_follow_iso_4217():
    assert [currency_exponent(code) for code in ("EUR", "JPY", "KWD", "INR", "CLF")] == [
        2,
        0,
        3,
        2,
        4,
    ]


def test_major_is_exact_and_amount_must_be_an_int():
    assert Money(4990, "EUR").major == Decimal("49.90")
    assert Money(1250, "KWD").major_text() == "1.250"
    assert Money(1500, "JPY").major_text() == "1500"
    with pytest.raises(TypeError):
        Money(49.9, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "EUR")  # type: ignore[arg-type]


def test_display_uses_the_viewers_locale():
    assert Money(4990, "EUR").display("en") == "€49.90"
    assert Money(4990, "EUR").display("de") == "49,90\xa0€"
    assert Money(150000, "JPY").display("en") == "¥150,000"
    assert Money(1250, "KWD").display("en") == "KWD1.250"
    assert Money(4990, "EUR").display("xx-unknown") == "€49.90"
