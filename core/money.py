"""Money: an integer amount in the currency's minor unit and an ISO 4217 currency code.

No floats anywhere. A price typed by a person ("49.90") becomes minor units through the
currency's exponent (2 for EUR, 0 for JPY, 3 for KWD); a payment provider receives minor
units; a page shows the amount formatted for the viewer's locale (CLDR, through Babel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.core import UnknownLocaleError
from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import gettext as _

# ISO 4217 minor-unit exponents that are not 2 ("Minor unit" column of ISO 4217 list one);
# every other currency code has two decimals.
_EXPONENT_0 = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
_EXPONENT_3 = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_EXPONENT_4 = frozenset(["CLF", "UYW"])

CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")

# Large enough for any real price, small enough for a 64-bit column in every currency.
MAX_MINOR_AMOUNT = 10**12


class MoneyError(ValueError):
    """An amount or currency that is not valid money; the message says why, for a person."""


def currency_exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has (JPY 0, EUR 2, KWD 3)."""
    if currency in _EXPONENT_0:
        return 0
    if currency in _EXPONENT_3:
        return 3
    if currency in _EXPONENT_4:
        return 4
    return 2


def currency_clean(value: str) -> str:
    """An ISO 4217 code in capitals, or MoneyError."""
    code = (value or "").strip().upper()
    if not CURRENCY_PATTERN.match(code):
        raise MoneyError(_("Enter a three-letter ISO currency code, such as EUR or USD."))
    return code


@dataclass(frozen=True)
class Money:
    amount: int  # minor units: cents, yen, fils
    currency: str  # ISO 4217, capitals

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount is an int of minor units")

    @classmethod
    def from_major(cls, text: str | Decimal, currency: str) -> Money:
        """'49.90' EUR → 4990; '1500' JPY → 1500; '1.250' KWD → 1250. More decimals than
        the currency has, a negative or an absurdly large amount is a MoneyError."""
        code = currency_clean(currency)
        exponent = currency_exponent(code)
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation:
            raise MoneyError(_("Enter an amount such as 49.90.")) from None
        if not value.is_finite():
            raise MoneyError(_("Enter an amount such as 49.90."))
        if value < 0:
            raise MoneyError(_("The amount cannot be negative."))
        scaled = value.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise MoneyError(
                _("%(currency)s amounts have at most %(places)d decimal places.")
                % {"currency": code, "places": exponent}
            )
        amount = int(scaled)
        if amount > MAX_MINOR_AMOUNT:
            raise MoneyError(_("The amount is too large."))
        return cls(amount, code)

    @property
    def major(self) -> Decimal:
        """The amount in major units, exact: 4990 EUR → Decimal('49.90')."""
        exponent = currency_exponent(self.currency)
        return Decimal(self.amount).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))

    def major_text(self) -> str:
        """The amount as a plain decimal string for forms and APIs: '49.90', '1500'."""
        return str(self.major)

    def display(self, locale: str | None = None) -> str:
        """The amount for a person to read in their locale: '€49.90', '¥1,500', '49,90 €'."""
        locale = (locale or translation.get_language() or "en").replace("-", "_")
        try:
            return format_currency(self.major, self.currency, locale=locale)
        except (UnknownLocaleError, ValueError, LookupError):
            return format_currency(self.major, self.currency, locale="en")

    def __str__(self) -> str:
        return f"{self.major_text()} {self.currency}"

    @property
    def is_zero(self) -> bool:
        return self.amount == 0
