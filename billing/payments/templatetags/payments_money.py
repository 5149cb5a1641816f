"""`{% money amount currency %}`: integer minor units shown in the viewer's locale
(core.money.Money.display), for the payment pages."""

from __future__ import annotations

from django import template

from core.money import Money

register = template.Library()


@register.simple_tag
def money(amount: int | None, currency: str) -> str:
    if amount is None or not currency:
        return ""
    return Money(int(amount), currency).display()
