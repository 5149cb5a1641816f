"""core.purchasing: the hook through which a wing offers a paid course for sale."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core import purchasing
from core.purchasing import PurchaseOffer


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(purchasing, "_offer_makers", [])
    monkeypatch.setattr(purchasing, "_price_note_makers", [])


def test_the_first_maker_with_an_offer_wins_and_free_courses_get_none(empty_registry):
    def nothing(request, course, enrollment):
        return None

    def offer(request, course, enrollment):
        return PurchaseOffer("x.html", {"course": course})

    purchasing.purchase_offer_register(nothing)
    purchasing.purchase_offer_register(offer)
    purchasing.purchase_offer_register(offer)  # twice: once
    assert purchasing._offer_makers == [nothing, offer]
    paid = SimpleNamespace(is_free=False)
    assert purchasing.purchase_offer_for(None, paid, None).context == {"course": paid}
    assert purchasing.purchase_offer_for(None, SimpleNamespace(is_free=True), None) is None


def test_no_maker_means_no_offer_and_no_price_note(empty_registry):
    assert purchasing.purchase_offer_for(None, SimpleNamespace(is_free=False), None) is None
    assert purchasing.price_note_for(None) == ""
    purchasing.price_note_register(lambda request: "incl. VAT")
    assert purchasing.price_note_for(None) == "incl. VAT"
