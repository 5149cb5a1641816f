"""What course payments plug into the learner's side of the portal: the offer on a paid
course's page and the tax note beside prices (core.purchasing), and "My purchases" in the
account area of the navigation (core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from billing.payments.offers import course_offer, price_note
from billing.payments.permissions import may_buy_courses
from core.navigation import Area, NavEntry, nav_entry_register
from core.purchasing import price_note_register, purchase_offer_register


def register() -> None:
    purchase_offer_register(course_offer)
    price_note_register(price_note)
    nav_entry_register(
        NavEntry(
            area=Area.ACCOUNT,
            label=_("My purchases"),
            url_name="payments-purchases",
            allowed=may_buy_courses,
            order=50,
            also_current=("payments-",),
        )
    )
