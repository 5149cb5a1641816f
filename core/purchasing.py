"""Buying a course, as a hook: the course page and the catalogue ask here what a wing
(billing) offers for a paid course, so that no LMS app imports the wing.

    class PaymentsConfig(AppConfig):
        def ready(self) -> None:
            from core.purchasing import purchase_offer_register, price_note_register
            purchase_offer_register(course_offer)
            price_note_register(tax_note)

An offer maker is called with the request, the course and the viewer's enrollment in it
(or None) and returns the template to include and its context, or None when it offers
nothing (no provider connected): the page then says what it said before, that an admin
activates paid enrollments. A price note maker returns a short text shown beside prices
("incl. VAT"), or "".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PurchaseOffer:
    template_name: str
    context: dict[str, Any]


OfferMaker = Callable[[Any, Any, Any], "PurchaseOffer | None"]
PriceNoteMaker = Callable[[Any], str]

_offer_makers: list[OfferMaker] = []
_price_note_makers: list[PriceNoteMaker] = []


def purchase_offer_register(maker: OfferMaker) -> OfferMaker:
    """Ask `maker(request, course, enrollment)` for an offer on paid courses' pages.
    Registering the same maker twice has no effect."""
    if maker not in _offer_makers:
        _offer_makers.append(maker)
    return maker


def purchase_offer_for(request, course, enrollment) -> PurchaseOffer | None:
    """The first offer a registered maker gives for a paid `course`, or None."""
    if course.is_free:
        return None
    for maker in list(_offer_makers):
        offer = maker(request, course, enrollment)
        if offer is not None:
            return offer
    return None


def price_note_register(maker: PriceNoteMaker) -> PriceNoteMaker:
    """Ask `maker(request)` for a note shown beside every price ("incl. VAT")."""
    if maker not in _price_note_makers:
        _price_note_makers.append(maker)
    return maker


def price_note_for(request) -> str:
    """The note beside prices for this request, or "" when no maker gives one."""
    for maker in list(_price_note_makers):
        note = maker(request)
        if note:
            return note
    return ""
