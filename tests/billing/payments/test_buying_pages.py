"""The learner's pages for buying a course (Django test client), against the FAKE provider
APIs of fake_provider_apis.py: the offer on the course page only with a provider connected,
prices in the viewer's locale with the tenant's tax note (JPY, KWD), coupons, the hand-over
to each provider, the pending and cancel pages, Razorpay's callback refusing a tampered
signature or another order, receipts only for their learner, and "My purchases"."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from billing.payments.models import CoursePayment
from billing.payments.services.accounts import payment_settings_update
from billing.payments.services.coupons import coupon_create
from billing.payments.services.refunds import payment_refund
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tests.billing.payments.conftest import razorpay_checkout_signature
from tests.builders import course_build


def _payment(schema, learner) -> CoursePayment:
    with schema_context(schema):
        return CoursePayment.objects.filter(learner=learner).order_by("-created_at").first()


def _states(schema, payment) -> tuple[str, str]:
    with schema_context(schema):
        payment = CoursePayment.objects.get(pk=payment.pk)
        return payment.status, Enrollment.objects.get(pk=payment.enrollment_id).status


def _activations(schema, payment) -> int:
    with schema_context(schema):
        return OutboxEvent.objects.filter(
            event_type="enrollment.activated", subject_id=str(payment.enrollment_id)
        ).count()


def _buy(portal, learner, course, provider, coupon=""):
    return portal(learner).post(
        f"/courses/{course.pk}/buy/", {"provider": provider, "coupon_code": coupon}
    )


def _checkout_url(response) -> str:
    """Where the Stripe hand-over page sends the browser (meta refresh and link alike)."""
    assert response.status_code == 200
    body = response.content.decode()
    url = re.search(r'id="stripe-checkout-link"', body) and re.search(
        r'<meta http-equiv="refresh" content="0;url=([^"]+)">', body
    )
    assert url, body
    assert f'href="{url.group(1)}" id="stripe-checkout-link"' in body
    return url.group(1)


def _session_id(response) -> str:
    return _checkout_url(response).rsplit("/", 1)[1]


def test_without_a_provider_the_page_says_an_admin_activates(portal, learner, course, fake_apis):
    page = portal(learner).get(f"/courses/{course.pk}/").content.decode()
    assert "Paying online is not available yet" in page
    assert "/buy/" not in page
    assert portal(learner).get(f"/courses/{course.pk}/buy/").status_code == 302


def test_with_providers_the_page_offers_one_buy_button_each(portal, learner, course, connected):
    page = portal(learner).get(f"/courses/{course.pk}/").content.decode()
    assert "Paying online is not available yet" not in page
    assert f'action="/courses/{course.pk}/buy/"' in page
    assert 'value="stripe"' in page and "Buy with Stripe" in page
    assert 'value="razorpay"' in page and "Buy with Razorpay" in page
    assert '<label for="offer-coupon">' in page
    assert "€49.90" in page


@pytest.mark.parametrize(
    ("price", "currency", "shown", "minor"),
    [("1500", "JPY", "¥1,500", 1500), ("12.345", "KWD", "KWD12.345", 12345)],
)
def test_zero_and_three_decimal_prices_show_and_charge_right(
    portal, learner, admin, tenant_a, connected, price, currency, shown, minor
):
    with schema_context(tenant_a.schema):
        payment_settings_update(actor=None, prices_include_tax=True, tax_label="incl. VAT")
        course = course_build(owner=admin, title="Odd money", price=price, currency=currency)
    page = portal(learner).get(f"/courses/{course.pk}/").content.decode()
    assert shown in page and "incl. VAT" in page
    catalogue = portal(learner).get("/courses/").content.decode()
    assert shown in catalogue and "incl. VAT" in catalogue
    response = _buy(portal, learner, course, "stripe")
    session = connected.sessions[_session_id(response)]
    assert (session["amount_total"], session["currency"]) == (minor, currency.lower())


def test_a_coupon_lowers_the_amount_and_a_bad_one_is_refused_next_to_its_field(
    portal, learner, course, tenant_a, connected
):
    with schema_context(tenant_a.schema):
        coupon_create(actor=None, code="HALF", kind="percent", value=50)
    refused = _buy(portal, learner, course, "stripe", coupon="NOPE")
    assert refused.status_code == 400
    assert 'id="id_coupon_code_error"' in refused.content.decode()
    assert 'href="#id_coupon_code"' in refused.content.decode()

    response = _buy(portal, learner, course, "stripe", coupon="half")
    session = connected.sessions[_session_id(response)]
    assert session["amount_total"] == 2495
    payment = _payment(tenant_a.schema, learner)
    assert (payment.discount_amount, payment.amount) == (2495, 2495)


def test_stripe_buy_pending_then_paid_then_receipt(
    portal, learner, course, tenant_a, connected, make_person
):
    client = portal(learner)
    response = _buy(portal, learner, course, "stripe")
    assert _checkout_url(response).startswith(f"{connected.url}/fake-hosted/stripe/cs_test_")
    session = connected.sessions[_session_id(response)]
    payment = _payment(tenant_a.schema, learner)
    back = f"/purchases/{payment.public_id}/"
    assert session["success_url"] == f"http://{tenant_a.host}{back}"
    assert session["cancel_url"] == f"http://{tenant_a.host}{back}cancelled/"

    # Back before the payment is through: the pending page, polled by HTMX.
    pending = client.get(back)
    assert pending.status_code == 200
    body = pending.content.decode()
    assert "confirming your payment" in body
    assert f'hx-get="{back}"' in body and 'hx-trigger="every 3s"' in body
    assert f'href="{back}"' in body  # the plain reload link
    partial = client.get(back, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="payment-status"')

    # The course page meanwhile: finish buying, and where the payment stands.
    course_page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "Finish buying this course" in course_page and back in course_page

    connected.stripe_pay(session["id"])
    polled = client.get(back, HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == f"/courses/{course.pk}/"
    assert _states(tenant_a.schema, payment) == ("paid", "active")
    assert client.get(back)["Location"] == f"/courses/{course.pk}/"  # again: still paid
    assert _activations(tenant_a.schema, payment) == 1

    course_page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "Start the course" in course_page
    receipt_url = f"/purchases/{payment.public_id}/receipt/"
    assert receipt_url in course_page
    receipt = client.get(receipt_url).content.decode()
    paid = _payment(tenant_a.schema, learner)
    for expected in ("Paid birds", "€49.90", "Stripe", paid.provider_payment_id, paid.receipt):
        assert expected in receipt

    # Another learner: neither the receipt nor the pending page exists for them.
    other = portal(make_person(email="otto@example.com"))
    assert other.get(receipt_url).status_code == 404
    assert other.get(back).status_code == 404


def test_cancel_returns_to_the_course_and_keeps_the_attempt_open(
    portal, learner, course, tenant_a, connected
):
    _buy(portal, learner, course, "stripe")
    payment = _payment(tenant_a.schema, learner)
    response = portal(learner).get(f"/purchases/{payment.public_id}/cancelled/", follow=True)
    assert response.redirect_chain[-1][0] == f"/courses/{course.pk}/"
    assert "nothing was charged" in response.content.decode()
    assert _states(tenant_a.schema, payment) == ("pending", "pending")
    # Buying again resumes the same attempt.
    again = _buy(portal, learner, course, "stripe")
    assert _session_id(again) == payment.provider_order_id
    assert _payment(tenant_a.schema, learner).pk == payment.pk


def _razorpay_started(portal, learner, course, tenant_a, connected, amount="4990"):
    response = _buy(portal, learner, course, "razorpay")
    assert response.status_code == 200
    body = response.content.decode()
    payment = _payment(tenant_a.schema, learner)
    assert f'action="{connected.url}/v1/checkout/embedded"' in body
    policy = response["Content-Security-Policy"]
    assert re.search(rf"form-action 'self' {re.escape(connected.url)}(;|$)", policy), policy
    for name, value in (
        ("order_id", payment.provider_order_id),
        ("amount", amount),
        ("currency", "EUR"),
        ("callback_url", f"http://{tenant_a.host}/purchases/{payment.public_id}/razorpay/"),
        ("cancel_url", f"http://{tenant_a.host}/purchases/{payment.public_id}/cancelled/"),
    ):
        assert f'name="{name}" value="{value}"' in body
    assert "<script" not in re.sub(r'<script src="[^"]+" defer></script>', "", body)
    return payment


def test_razorpay_callback_refuses_a_tampered_signature_and_another_order(
    portal, learner, course, tenant_a, connected, make_person, client_a
):
    payment = _razorpay_started(portal, learner, course, tenant_a, connected)
    callback = f"/purchases/{payment.public_id}/razorpay/"
    pay_id = connected.razorpay_pay(payment.provider_order_id)
    good = razorpay_checkout_signature(payment.provider_order_id, pay_id)

    tampered = client_a.post(
        callback,
        {
            "razorpay_payment_id": pay_id,
            "razorpay_order_id": payment.provider_order_id,
            "razorpay_signature": good[:-1] + ("0" if good[-1] != "0" else "1"),
        },
    )
    assert tampered.status_code == 400
    assert "could not be verified" in tampered.content.decode()

    # Another learner's order, correctly signed for that order: not this payment's.
    other = make_person(email="olga@example.com")
    with schema_context(tenant_a.schema):
        other_course = course_build(owner=learner, title="Other", price="10.00")
    other_payment = _razorpay_started(
        portal, other, other_course, tenant_a, connected, amount="1000"
    )
    other_pay_id = connected.razorpay_pay(other_payment.provider_order_id)
    for order_id in (other_payment.provider_order_id, ""):
        refused = client_a.post(
            callback,
            {
                "razorpay_payment_id": other_pay_id,
                "razorpay_order_id": order_id,
                "razorpay_signature": razorpay_checkout_signature(
                    other_payment.provider_order_id, other_pay_id
                ),
            },
        )
        assert refused.status_code == 400
    assert _states(tenant_a.schema, payment) == ("pending", "pending")
    assert _activations(tenant_a.schema, payment) == 0

    # Razorpay's failure post: explained, nothing activated.
    failed = client_a.post(
        callback, {"error[code]": "BAD_REQUEST_ERROR", "error[description]": "Card declined"}
    )
    assert "did not take the payment" in failed.content.decode()
    assert _states(tenant_a.schema, payment) == ("pending", "pending")

    # The genuine callback (no session cookie: it comes from Razorpay's site).
    ok = client_a.post(
        callback,
        {
            "razorpay_payment_id": pay_id,
            "razorpay_order_id": payment.provider_order_id,
            "razorpay_signature": good,
        },
    )
    assert ok.status_code == 200
    assert f'href="/purchases/{payment.public_id}/" id="payment-status-link"' in ok.content.decode()
    assert _states(tenant_a.schema, payment) == ("paid", "active")
    assert _activations(tenant_a.schema, payment) == 1


def test_my_purchases_lists_payments_with_their_refunds(
    portal, learner, admin, course, tenant_a, connected
):
    client = portal(learner)
    assert "not bought any course yet" in client.get("/purchases/").content.decode()
    response = _buy(portal, learner, course, "stripe")
    connected.stripe_pay(_session_id(response))
    payment = _payment(tenant_a.schema, learner)
    client.get(f"/purchases/{payment.public_id}/")
    with schema_context(tenant_a.schema):
        payment_refund(payment=CoursePayment.objects.get(pk=payment.pk), actor=admin, amount=990)
    listing = client.get("/purchases/").content.decode()
    assert "Paid birds" in listing and "€49.90" in listing
    assert "Partially refunded" in listing and "€9.90 refunded" in listing
    assert 'href="/purchases/"' in listing  # the account navigation's entry
    receipt = client.get(f"/purchases/{payment.public_id}/receipt/").content.decode()
    assert "Refunds" in receipt and "€9.90" in receipt


def test_the_receipt_shows_the_coupon_tax_note_and_the_viewers_time_zone(
    portal, make_person, course, tenant_a, connected
):
    tokyo = make_person(email="taro@example.com")
    with schema_context(tenant_a.schema):
        type(tokyo).objects.filter(pk=tokyo.pk).update(time_zone="Asia/Tokyo")
        payment_settings_update(actor=None, prices_include_tax=True, tax_label="incl. VAT")
        coupon_create(actor=None, code="TENOFF", kind="amount", value=1000, currency="EUR")
    response = _buy(portal, tokyo, course, "razorpay", coupon="TENOFF")
    assert response.status_code == 200
    payment = _payment(tenant_a.schema, tokyo)
    pay_id = connected.razorpay_pay(payment.provider_order_id)
    portal().post(
        f"/purchases/{payment.public_id}/razorpay/",
        {
            "razorpay_payment_id": pay_id,
            "razorpay_order_id": payment.provider_order_id,
            "razorpay_signature": razorpay_checkout_signature(payment.provider_order_id, pay_id),
        },
    )
    receipt = portal(tokyo).get(f"/purchases/{payment.public_id}/receipt/").content.decode()
    for expected in ("€49.90", "TENOFF: \u2212€10.00", "€39.90", "Razorpay", pay_id):
        assert expected in receipt, expected
    assert "The price includes tax (incl. VAT)." in receipt
    assert re.search(r'<time datetime="[0-9T:.-]+\+09:00">', receipt)


def test_a_full_discount_enrols_at_once_without_a_provider(
    portal, learner, course, tenant_a, connected
):
    with schema_context(tenant_a.schema):
        coupon_create(actor=None, code="FREEBIE", kind="percent", value=100)
    client = portal(learner)
    response = client.post(
        f"/courses/{course.pk}/buy/", {"provider": "stripe", "coupon_code": "FREEBIE"}
    )
    assert response.status_code == 302 and response["Location"] == f"/courses/{course.pk}/"
    payment = _payment(tenant_a.schema, learner)
    assert _states(tenant_a.schema, payment) == ("paid", "active")
    assert connected.sessions == {}
    page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "Start the course" in page and "covers the whole price" in page
    receipt = portal(learner).get(f"/purchases/{payment.public_id}/receipt/").content.decode()
    assert "A coupon (nothing to pay)" in receipt
