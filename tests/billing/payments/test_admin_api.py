"""The admin side of the course payments API: provider keys (write-only, sealed), settings,
coupons, payments and refunds; and who may do what (learners cannot refund, another
tenant's payment is 404)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from billing.payments.models import CoursePayment, PaymentAccount
from core.secret_box import secret_open
from tenant_apps.audit.models import AuditEntry
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.people.models import Role
from tests.billing.payments.conftest import (
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    stripe_delivery,
    stripe_session_event,
)


def test_keys_are_sealed_never_returned_and_the_mode_is_shown(api, admin, tenant_a, fake_apis):
    response = api(admin).put(
        "/api/v1/billing/accounts/stripe",
        {"key_secret": STRIPE_SECRET_KEY, "webhook_secret": STRIPE_WEBHOOK_SECRET},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["mode"] == "test"
    listed = api(admin).get("/api/v1/billing/accounts")
    text = listed.content.decode()
    assert STRIPE_SECRET_KEY not in text and STRIPE_WEBHOOK_SECRET not in text
    live = api(admin).put(
        "/api/v1/billing/accounts/razorpay",
        {"key_id": "rzp_live_ABCDEF123", "key_secret": "s" * 20, "webhook_secret": "w" * 12},
        format="json",
    )
    assert live.json()["mode"] == "live"
    with schema_context(tenant_a.schema):
        account = PaymentAccount.objects.get(provider="stripe")
        assert STRIPE_SECRET_KEY not in account.key_secret_sealed
        assert secret_open(account.key_secret_sealed) == STRIPE_SECRET_KEY
        audited = AuditEntry.objects.filter(action="payment.account_saved")
        assert audited.count() == 2
        assert all(STRIPE_SECRET_KEY not in str(entry.after) for entry in audited)


@pytest.mark.parametrize(
    ("provider", "body", "field"),
    [
        (
            "stripe",
            {"key_secret": "pk_test_123456789", "webhook_secret": "whsec_abcdefgh1"},
            "key_secret",
        ),
        ("stripe", {"key_secret": STRIPE_SECRET_KEY, "webhook_secret": "nope"}, "webhook_secret"),
        (
            "razorpay",
            {"key_id": "bad", "key_secret": "s" * 20, "webhook_secret": "w" * 12},
            "key_id",
        ),
    ],
)
def test_bad_keys_are_refused_naming_the_field(api, admin, provider, body, field):
    response = api(admin).put(f"/api/v1/billing/accounts/{provider}", body, format="json")
    assert response.status_code == 400
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_learners_and_instructors_cannot_manage_payments(api, learner, make_person):
    instructor = make_person(Role.INSTRUCTOR, email="ivan@example.com")
    for person in (learner, instructor):
        for path in ("accounts", "settings", "coupons", "payments"):
            assert api(person).get(f"/api/v1/billing/{path}").status_code == 403


def test_settings_are_changed_and_checked(api, admin):
    changed = api(admin).patch(
        "/api/v1/billing/settings",
        {"prices_include_tax": False, "tax_label": "+ GST", "pending_timeout_minutes": 30},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "prices_include_tax": False,
        "tax_label": "+ GST",
        "pending_timeout_minutes": 30,
    }
    refused = api(admin).patch(
        "/api/v1/billing/settings", {"pending_timeout_minutes": 1}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "pending_timeout_minutes"


def _paid_by_stripe(api, learner, course, connected, client_a):
    started = (
        api(learner)
        .post(
            "/api/v1/billing/checkout",
            {"course_id": course.pk, "provider": "stripe"},
            format="json",
        )
        .json()
    )
    session = connected.sessions[started["redirect_url"].rsplit("/", 1)[1]]
    event = stripe_session_event(
        "evt_paid", "checkout.session.completed", connected.stripe_pay(session["id"])
    )
    body, headers = stripe_delivery(event)
    client_a.post(
        "/billing/webhooks/stripe/", data=body, content_type="application/json", **headers
    )
    return started["payment"]["id"]


def test_partial_then_full_refund_cancels_the_enrollment(
    api, admin, learner, course, connected, client_a, tenant_a
):
    payment_id = _paid_by_stripe(api, learner, course, connected, client_a)
    refund = f"/api/v1/billing/payments/{payment_id}/refund"
    assert api(learner).post(refund, {}, format="json").status_code == 403
    too_much = api(admin).post(refund, {"amount": 5000}, format="json")
    assert too_much.status_code == 400
    assert too_much.json()["error"]["details"][0]["field"] == "amount"
    part = api(admin).post(refund, {"amount": 990, "reason": "late start"}, format="json")
    assert part.status_code == 201 and part.json()["amount"] == 990
    detail = api(admin).get(f"/api/v1/billing/payments/{payment_id}").json()
    assert detail["status"] == "partially_refunded" and detail["refunded"]["amount"] == 990
    rest = api(admin).post(refund, {}, format="json")
    assert rest.status_code == 201 and rest.json()["amount"] == 4000
    assert [r["amount"] for r in connected.refunds] == [990, 4000]
    with schema_context(tenant_a.schema):
        payment = CoursePayment.objects.get(public_id=payment_id)
        assert (payment.status, payment.refunded_amount) == ("refunded", 4990)
        assert Enrollment.objects.get(pk=payment.enrollment_id).status == "cancelled"
        assert AuditEntry.objects.filter(action="payment.refunded").count() == 2
    # Nothing is left to refund.
    assert api(admin).post(refund, {}, format="json").status_code == 400


def test_another_tenants_payment_is_404(
    api, admin, learner, course, connected, client_a, tenant_b, make_person
):
    payment_id = _paid_by_stripe(api, learner, course, connected, client_a)
    their_admin = make_person(Role.ADMIN, tenant=tenant_b, email="boss@b.example.com")
    theirs = api(their_admin, tenant=tenant_b)
    assert theirs.get(f"/api/v1/billing/payments/{payment_id}").status_code == 404
    assert (
        theirs.post(f"/api/v1/billing/payments/{payment_id}/refund", {}, format="json").status_code
        == 404
    )
    other_learner = make_person(Role.LEARNER, email="otto@example.com")
    assert api(other_learner).get(f"/api/v1/billing/payments/{payment_id}").status_code == 404
    assert api(learner).get(f"/api/v1/billing/payments/{payment_id}").status_code == 200
    assert api(learner).get("/api/v1/billing/payments/not-a-uuid").status_code == 404


def test_coupons_discount_count_redemptions_and_a_full_discount_needs_no_provider(
    api, admin, learner, course, connected, tenant_a, make_person
):
    made = api(admin).post(
        "/api/v1/billing/coupons",
        {"code": "Spring-10", "kind": "percent", "value": 10, "usage_limit": 1},
        format="json",
    )
    assert made.status_code == 201, made.json()
    taken = api(admin).post(
        "/api/v1/billing/coupons",
        {"code": "SPRING-10", "kind": "percent", "value": 5},
        format="json",
    )
    assert taken.status_code == 409
    started = (
        api(learner)
        .post(
            "/api/v1/billing/checkout",
            {"course_id": course.pk, "provider": "stripe", "coupon_code": "spring-10"},
            format="json",
        )
        .json()
    )
    assert (started["payment"]["discount"]["amount"], started["payment"]["amount"]["amount"]) == (
        499,
        4491,
    )
    someone = make_person(Role.LEARNER, email="sam@example.com")
    used_up = api(someone).post(
        "/api/v1/billing/checkout",
        {"course_id": course.pk, "provider": "stripe", "coupon_code": "SPRING-10"},
        format="json",
    )
    assert used_up.status_code == 400
    assert used_up.json()["error"]["details"][0]["field"] == "coupon_code"

    api(admin).post(
        "/api/v1/billing/coupons",
        {"code": "FREEBIE", "kind": "amount", "value": 10_000, "currency": "EUR"},
        format="json",
    )
    free = (
        api(someone)
        .post(
            "/api/v1/billing/checkout",
            {"course_id": course.pk, "provider": "razorpay", "coupon_code": "freebie"},
            format="json",
        )
        .json()
    )
    assert free["activated"] is True and free["payment"]["provider"] == ""
    with schema_context(tenant_a.schema):
        assert Enrollment.objects.get(user=someone, course=course).status == "active"
        assert AuditEntry.objects.filter(action="coupon.created").count() == 2


def test_revenue_is_per_currency_and_net_of_refunds(
    api, admin, learner, course, connected, client_a
):
    payment_id = _paid_by_stripe(api, learner, course, connected, client_a)
    api(admin).post(f"/api/v1/billing/payments/{payment_id}/refund", {"amount": 990}, format="json")
    revenue = api(admin).get("/api/v1/billing/revenue?days=30")
    assert revenue.status_code == 200
    assert revenue.json() == [
        {"currency": "EUR", "payments": 1, "gross": 4990, "refunded": 990, "net": 4000}
    ]
    assert api(learner).get("/api/v1/billing/revenue").status_code == 403
