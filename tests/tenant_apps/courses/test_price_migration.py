"""The migration to integer prices converts by each currency's exponent; its own copy of
the exponents (a migration must not change with the code) agrees with core.money."""

from __future__ import annotations

import importlib

import pytest

from core.money import _EXPONENT_0, _EXPONENT_3, _EXPONENT_4, currency_exponent

migration = importlib.import_module("tenant_apps.courses.migrations.0004_course_price_amount")


@pytest.mark.parametrize(
    "currency", sorted(_EXPONENT_0 | _EXPONENT_3 | _EXPONENT_4 | {"EUR", "USD", "INR"})
)
def test_the_migration_knows_every_exponent_core_money_knows(currency):
    assert migration._exponent(currency) == currency_exponent(currency)
