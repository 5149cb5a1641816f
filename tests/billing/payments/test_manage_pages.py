"""The tenant admin's payment pages: providers (secrets never in the HTML, test/live mode,
the webhook URL), settings, coupons (amounts typed in major units for EUR, JPY and KWD;
errors next to the field they are about), payments (filters, flagged highlighted, another
tenant's id 404) and refunds (confirmation step, over-refund refused next to the field, a
full refund cancels the enrollment); other roles refused; the nav entry."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import schema_context

from billing.payments.models import Coupon, CoursePayment, PaymentAccount, PaymentSettings
from billing.payments.services.coupons import coupon_create
from core.secret_box import secret_open
from tenant_apps.audit.models import AuditEntry
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.people.models import Role
from tests.billing.payments.conftest import (
    RAZORPAY_KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
)
from tests.billing.payments.paid_payments import stripe_paid
from tests.builders import course_build

ADMIN_PAGES = (
    "/manage/payments/",
    "/manage/payments/providers/",
    "/manage/payments/providers/stripe/",
    "/manage/payments/coupons/",
    "/manage/payments/coupons/add/",
)


@pytest.fixture
def page(portal, admin):
    return portal(admin)


def _html(response) -> str:
    return response.content.decode()


def test_learners_and_instructors_are_refused_every_admin_page(
    portal, learner, make_person, tenant_a, connected, course, api, client_a
):
    payment_id = stripe_paid(api, client_a, connected, learner, course, event_id="evt_roles")
    instructor = make_person(Role.INSTRUCTOR, email="ivan@example.com")
    for person in (learner, instructor):
        client = portal(person)
        for path in (*ADMIN_PAGES, f"/manage/payments/{payment_id}/"):
            assert client.get(path).status_code == 403, path
        assert client.post(f"/manage/payments/{payment_id}/refund/", {}).status_code == 403
        assert client.post("/manage/payments/providers/stripe/disconnect/").status_code == 403
        assert (
            client.post(
                "/manage/payments/coupons/add/", {"code": "X1", "kind": "percent", "percent": "5"}
            ).status_code
            == 403
        )
        # No "Payments" entry in their menus either.
        assert 'href="/manage/payments/"' not in _html(client.get("/"))
    with schema_context(tenant_a.schema):
        assert CoursePayment.objects.get(public_id=payment_id).status == "paid"
        assert PaymentAccount.objects.count() == 2
        assert not Coupon.objects.exists()
    assert portal().get("/manage/payments/").status_code == 302  # to the sign-in page


def test_an_admin_connects_stripe_and_the_secrets_are_never_shown(page, tenant_a):
    form = page.get("/manage/payments/providers/stripe/")
    assert form.status_code == 200
    assert "http://alpha.localhost/billing/webhooks/stripe/" in _html(form)
    saved = page.post(
        "/manage/payments/providers/stripe/",
        {"key_secret": STRIPE_SECRET_KEY, "webhook_secret": STRIPE_WEBHOOK_SECRET},
    )
    assert saved.status_code == 302 and saved["Location"] == "/manage/payments/providers/"
    with schema_context(tenant_a.schema):
        account = PaymentAccount.objects.get(provider="stripe")
        assert secret_open(account.key_secret_sealed) == STRIPE_SECRET_KEY
        assert AuditEntry.objects.filter(action="payment.account_saved").exists()
    for path in ("/manage/payments/providers/", "/manage/payments/providers/stripe/"):
        html = _html(page.get(path))
        assert STRIPE_SECRET_KEY not in html and STRIPE_WEBHOOK_SECRET not in html
    listing = _html(page.get("/manage/payments/providers/"))
    assert "Test mode" in listing and "Live mode" not in listing
    assert f"Set, ends in …{STRIPE_SECRET_KEY[-4:]}" in listing
    assert 'data-copy-from="webhook-url-stripe"' in listing
    assert "core/copy-button.js" in listing and "<script>" not in listing
    # Razorpay is not connected yet: its page says so and still shows its webhook URL.
    assert "Not connected" in listing
    assert "http://alpha.localhost/billing/webhooks/razorpay/" in listing


def test_razorpay_keys_refused_next_to_their_fields_and_nothing_typed_is_echoed(page, tenant_a):
    refused = page.post(
        "/manage/payments/providers/razorpay/",
        {"key_id": "not-a-key", "key_secret": RAZORPAY_KEY_SECRET, "webhook_secret": "short"},
    )
    assert refused.status_code == 400
    html = _html(refused)
    assert 'id="id_key_id_error"' in html and 'id="id_webhook_secret_error"' in html
    assert RAZORPAY_KEY_SECRET not in html
    with schema_context(tenant_a.schema):
        assert not PaymentAccount.objects.exists()
    page.post(
        "/manage/payments/providers/razorpay/",
        {
            "key_id": "rzp_live_Abc123Def4",
            "key_secret": RAZORPAY_KEY_SECRET,
            "webhook_secret": RAZORPAY_WEBHOOK_SECRET,
        },
    )
    listing = _html(page.get("/manage/payments/providers/"))
    assert "Live mode" in listing and "rzp_live_Abc123Def4" in listing
    assert RAZORPAY_KEY_SECRET not in listing and RAZORPAY_WEBHOOK_SECRET not in listing


def test_disconnecting_a_provider(page, tenant_a, connected):
    assert page.post("/manage/payments/providers/razorpay/disconnect/").status_code == 302
    assert page.post("/manage/payments/providers/razorpay/disconnect/").status_code == 404
    assert page.get("/manage/payments/providers/paypal/").status_code == 404
    with schema_context(tenant_a.schema):
        assert list(PaymentAccount.objects.values_list("provider", flat=True)) == ["stripe"]


def test_payment_settings_are_saved_and_checked_next_to_the_field(page, tenant_a):
    saved = page.post(
        "/manage/payments/settings/",
        {"tax_label": "incl. VAT", "pending_timeout_minutes": "45"},
    )
    assert saved.status_code == 302
    with schema_context(tenant_a.schema):
        row = PaymentSettings.objects.get()
        assert (row.prices_include_tax, row.tax_label, row.pending_timeout_minutes) == (
            False,
            "incl. VAT",
            45,
        )
    refused = page.post(
        "/manage/payments/settings/",
        {"prices_include_tax": "on", "tax_label": "x", "pending_timeout_minutes": "2"},
    )
    assert refused.status_code == 400
    assert 'id="id_pending_timeout_minutes_error"' in _html(refused)
    with schema_context(tenant_a.schema):
        assert PaymentSettings.objects.get().pending_timeout_minutes == 45


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("9.90", "EUR", 990), ("1500", "JPY", 1500), ("1.250", "KWD", 1250)],
)
def test_fixed_amount_coupons_are_typed_in_major_units(page, tenant_a, amount, currency, minor):
    made = page.post(
        "/manage/payments/coupons/add/",
        {"code": f"OFF-{currency}", "kind": "amount", "amount": amount, "currency": currency},
    )
    assert made.status_code == 302, _html(made)
    with schema_context(tenant_a.schema):
        coupon = Coupon.objects.get()
        assert (coupon.value, coupon.currency, coupon.kind) == (minor, currency, "amount")
    listing = _html(page.get("/manage/payments/coupons/"))
    assert f"OFF-{currency}" in listing


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"code": "Bad code!", "kind": "percent", "percent": "10"}, "code"),
        ({"code": "P1", "kind": "percent", "percent": "150"}, "percent"),
        ({"code": "P2", "kind": "percent"}, "percent"),
        ({"code": "A1", "kind": "amount", "amount": "1.2345", "currency": "KWD"}, "amount"),
        ({"code": "A2", "kind": "amount", "amount": "10.5", "currency": "JPY"}, "amount"),
        ({"code": "A3", "kind": "amount", "amount": "-3", "currency": "EUR"}, "amount"),
        ({"code": "A4", "kind": "amount", "amount": "3", "currency": "euro"}, "currency"),
        ({"code": "A5", "kind": "amount", "amount": "3"}, "currency"),
        ({"code": "L1", "kind": "percent", "percent": "5", "usage_limit": "0"}, "usage_limit"),
        ({"code": "C1", "kind": "percent", "percent": "5", "course": "999999"}, "course"),
        ({"code": "K1", "kind": "bogus"}, "kind"),
    ],
)
def test_coupon_errors_are_shown_next_to_the_field(page, tenant_a, typed, field):
    refused = page.post("/manage/payments/coupons/add/", typed)
    assert refused.status_code == 400
    html = _html(refused)
    assert f'id="id_{field}_error"' in html, html
    assert f'value="{typed["code"]}"' in html  # what was typed is kept
    with schema_context(tenant_a.schema):
        assert not Coupon.objects.exists()


def test_a_taken_code_is_refused_on_the_code_field_and_a_coupon_is_deactivated(
    page, tenant_a, course
):
    with schema_context(tenant_a.schema):
        coupon = coupon_create(actor=None, code="SPRING", kind="percent", value=10)
    taken = page.post(
        "/manage/payments/coupons/add/",
        {"code": "spring", "kind": "percent", "percent": "5", "course": str(course.pk)},
    )
    assert taken.status_code == 400 and 'id="id_code_error"' in _html(taken)
    assert page.post(f"/manage/payments/coupons/{coupon.pk}/deactivate/").status_code == 302
    with schema_context(tenant_a.schema):
        assert Coupon.objects.get(pk=coupon.pk).active is False
    assert "Deactivated" in _html(page.get("/manage/payments/coupons/"))
    assert page.post("/manage/payments/coupons/999999/deactivate/").status_code == 404


def test_payments_are_listed_filtered_and_a_flagged_one_is_highlighted(
    page, api, client_a, connected, learner, course, make_person, tenant_a
):
    paid = stripe_paid(api, client_a, connected, learner, course, event_id="evt_ok")
    sam = make_person(Role.LEARNER, email="sam.short@example.com", full_name="Sam Short")
    flagged = stripe_paid(
        api, client_a, connected, sam, course, event_id="evt_short", amount_total=100
    )
    listing = page.get("/manage/payments/")
    html = _html(listing)
    assert listing.status_code == 200
    assert f"/manage/payments/{paid}/" in html and f"/manage/payments/{flagged}/" in html
    assert "1 payment needs your review." in html and 'class="payment--flagged"' in html
    assert "€49.90" in html
    only_flagged = _html(page.get("/manage/payments/?status=flagged"))
    assert f"/manage/payments/{flagged}/" in only_flagged
    assert f"/manage/payments/{paid}/" not in only_flagged
    by_learner = _html(page.get("/manage/payments/?learner=sam+sh"))
    assert f"/manage/payments/{flagged}/" in by_learner
    assert f"/manage/payments/{paid}/" not in by_learner
    assert "No payments match" in _html(page.get("/manage/payments/?provider=razorpay"))
    assert "No payments match" in _html(
        page.get("/manage/payments/?since=2000-01-01&until=2000-01-02")
    )
    wrong_days = page.get("/manage/payments/?since=2026-02-02&until=2026-02-01")
    assert wrong_days.status_code == 400 and 'id="id_until_error"' in _html(wrong_days)
    detail = _html(page.get(f"/manage/payments/{flagged}/"))
    assert "This payment needs your review" in detail
    assert "Ordered: €49.90. Taken: €1.00." in detail
    assert "checkout.session.completed" in detail  # the timeline of provider events


def test_amounts_are_shown_in_the_viewers_locale(
    portal, make_person, page, api, client_a, connected, learner, course, settings, tenant_a
):
    """Money.display in the viewer's language: German once the portal offers it."""
    payment_id = stripe_paid(api, client_a, connected, learner, course, event_id="evt_de")
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    german_admin = make_person(Role.ADMIN, email="greta@example.com")
    with schema_context(tenant_a.schema):
        type(german_admin).objects.filter(pk=german_admin.pk).update(locale="de")
    html = _html(portal(german_admin).get(f"/manage/payments/{payment_id}/"))
    assert "49,90\xa0€" in html
    assert "€49.90" in _html(page.get(f"/manage/payments/{payment_id}/"))


def test_another_tenants_payment_is_not_found(
    page, api, client_a, connected, learner, course, make_person, portal, tenant_b
):
    payment_id = stripe_paid(api, client_a, connected, learner, course, event_id="evt_theirs")
    their_admin = make_person(Role.ADMIN, tenant=tenant_b, email="boss@b.example.com")
    theirs = portal(their_admin, tenant=tenant_b)
    assert theirs.get(f"/manage/payments/{payment_id}/").status_code == 404
    assert theirs.get(f"/manage/payments/{payment_id}/refund/").status_code == 404
    assert (
        theirs.post(f"/manage/payments/{payment_id}/refund/", {"confirmed": "1"}).status_code == 404
    )
    assert page.get(f"/manage/payments/{uuid.uuid4()}/").status_code == 404
    assert page.get("/manage/payments/not-a-uuid/").status_code == 404
    assert connected.refunds == []


def test_refund_confirm_partial_then_full_cancels_the_enrollment(
    page, api, client_a, connected, learner, course, tenant_a
):
    payment_id = stripe_paid(api, client_a, connected, learner, course, event_id="evt_refund")
    refund_url = f"/manage/payments/{payment_id}/refund/"
    form = _html(page.get(refund_url))
    assert "A full refund cancels the learner's enrollment" in form
    too_much = page.post(refund_url, {"amount": "50.00", "reason": "late"})
    assert too_much.status_code == 400
    html = _html(too_much)
    assert 'id="id_amount_error"' in html and "at most €49.90" in html
    three_decimals = page.post(refund_url, {"amount": "1.005"})
    assert three_decimals.status_code == 400 and 'id="id_amount_error"' in _html(three_decimals)
    # The first step only asks; nothing is refunded yet.
    asked = page.post(refund_url, {"amount": "9.90", "reason": "late start"})
    assert asked.status_code == 200
    assert "Confirm the refund" in _html(asked) and "partial refund" in _html(asked)
    assert connected.refunds == []
    done = page.post(refund_url, {"amount": "9.90", "reason": "late start", "confirmed": "1"})
    assert done.status_code == 302
    assert [refund["amount"] for refund in connected.refunds] == [990]
    # All that is left: the confirmation says the enrollment will be cancelled.
    asked_full = _html(page.post(refund_url, {"amount": ""}))
    assert "This is a full refund" in asked_full and "€40.00" in asked_full
    page.post(refund_url, {"amount": "40.00", "confirmed": "1"})
    with schema_context(tenant_a.schema):
        payment = CoursePayment.objects.get(public_id=payment_id)
        assert (payment.status, payment.refunded_amount) == ("refunded", 4990)
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "cancelled"
    detail = _html(page.get(f"/manage/payments/{payment_id}/"))
    assert "late start" in detail and f'href="/manage/payments/{payment_id}/refund/"' not in detail
    # Nothing left: the refund page sends back to the payment.
    assert page.get(refund_url).status_code == 302


@pytest.mark.parametrize(
    ("price", "currency", "part", "part_minor", "left_text"),
    [("1500", "JPY", "500", 500, "¥1,000"), ("12.500", "KWD", "2.250", 2250, "KWD10.250")],
)
def test_refunds_in_currencies_without_or_with_three_decimals(
    page,
    api,
    client_a,
    connected,
    learner,
    admin,
    tenant_a,
    price,
    currency,
    part,
    part_minor,
    left_text,
):
    with schema_context(tenant_a.schema):
        course = course_build(
            owner=admin, title=f"Priced in {currency}", price=price, currency=currency
        )
    payment_id = stripe_paid(api, client_a, connected, learner, course, event_id=f"evt_{currency}")
    refund_url = f"/manage/payments/{payment_id}/refund/"
    page.post(refund_url, {"amount": part, "confirmed": "1"})
    assert [refund["amount"] for refund in connected.refunds] == [part_minor]
    form = _html(page.get(refund_url))
    assert left_text in form
    with schema_context(tenant_a.schema):
        assert CoursePayment.objects.get(public_id=payment_id).refunded_amount == part_minor


def test_the_admin_menu_has_payments(page):
    html = _html(page.get("/manage/payments/"))
    assert 'href="/manage/payments/" aria-current="page">Payments</a>' in html


def test_a_provider_failure_keeps_nothing_and_says_so_on_the_form(
    page, api, client_a, connected, learner, course, tenant_a
):
    payment_id = stripe_paid(api, client_a, connected, learner, course, event_id="evt_down")
    connected.fail_next = 5
    failed = page.post(
        f"/manage/payments/{payment_id}/refund/", {"amount": "5.00", "confirmed": "1"}
    )
    assert failed.status_code == 502
    assert "The payment provider could not be reached" in _html(failed)
    with schema_context(tenant_a.schema):
        payment = CoursePayment.objects.get(public_id=payment_id)
        assert (payment.status, payment.refunded_amount) == ("paid", 0)
        assert not payment.refunds.exists()


def test_the_payment_list_costs_the_same_with_more_payments(
    page, api, client_a, connected, course, make_person, django_assert_max_num_queries
):
    def buy(count: int, start: int) -> None:
        for number in range(start, start + count):
            person = make_person(Role.LEARNER, email=f"list{number}@example.com")
            stripe_paid(api, client_a, connected, person, course, event_id=f"evt_l{number}")

    buy(1, 0)
    page.get("/manage/payments/")
    with django_assert_max_num_queries(10):
        page.get("/manage/payments/")
    buy(5, 1)
    with django_assert_max_num_queries(10):
        html = _html(page.get("/manage/payments/"))
    assert html.count('href="/manage/payments/') >= 6
