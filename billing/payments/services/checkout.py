"""A learner buying a course: start a checkout (or resume the open one), and confirm it on
return from the provider. Confirmation always goes through settlement.payment_mark_paid."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.payments.errors import PaymentErrorCode
from billing.payments.models import CoursePayment, PaymentStatus, Provider
from billing.payments.providers.common import ProviderError, ProviderState
from billing.payments.providers.razorpay_orders import checkout_signature_valid
from billing.payments.services import gateway
from billing.payments.services.accounts import payment_settings_get
from billing.payments.services.coupons import coupon_redeem
from billing.payments.services.settlement import payment_close, payment_mark_paid
from core.errors import ApplicationError, Conflict, FieldError, ValidationFailed
from tenant_apps.courses.models import Course
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.services import enrollment_activate, enrollment_self_enroll
from tenant_apps.people.models import User

# Stripe Checkout Sessions expire between 30 minutes and 24 hours after creation.
_STRIPE_EXPIRY_MIN = timedelta(minutes=31)
_STRIPE_EXPIRY_MAX = timedelta(hours=23)


@dataclass(frozen=True)
class CheckoutStarted:
    payment: CoursePayment
    # Stripe: send the learner here. Razorpay: open its Checkout with `client_data`.
    redirect_url: str = ""
    client_data: dict[str, Any] = field(default_factory=dict)
    # A 100 % coupon: the course is active already, no provider took part.
    activated: bool = False


def _new_receipt() -> str:
    return f"rcpt_{secrets.token_hex(12)}"


def _pending_enrollment(learner: User, course: Course) -> Enrollment:
    """The learner's pending enrollment in `course`, made now (self-enrolment) if none;
    locked. An active or completed one is `already_enrolled` (409)."""
    live = (
        Enrollment.objects.select_for_update()
        .filter(user=learner, course=course, status=EnrollmentStatus.PENDING)
        .first()
    )
    if live is not None:
        return live
    try:
        with transaction.atomic():
            made = enrollment_self_enroll(user=learner, course=course)
    except Conflict:
        # A concurrent start made it first (or the learner is enrolled already).
        live = (
            Enrollment.objects.select_for_update()
            .filter(user=learner, course=course, status=EnrollmentStatus.PENDING)
            .first()
        )
        if live is None:
            raise
        return live
    return Enrollment.objects.select_for_update().get(pk=made.pk)


def _expires_at(provider: str):
    timeout = timedelta(minutes=payment_settings_get().pending_timeout_minutes)
    if provider == Provider.STRIPE:
        timeout = min(max(timeout, _STRIPE_EXPIRY_MIN), _STRIPE_EXPIRY_MAX)
    return timezone.now() + timeout


def checkout_start(
    *,
    learner: User,
    course: Course,
    provider: str,
    coupon_code: str = "",
    success_url: str,
    cancel_url: str,
) -> CheckoutStarted:
    """Start paying for `course`: a pending self-enrollment, a pending payment (coupon
    applied) and the provider's checkout for it.

    An open attempt for the same enrollment is resumed when its provider, coupon and amount
    still match, and expired otherwise. A discount to zero activates the enrollment at once
    without a provider. `{payment}` in the URLs becomes the payment's public id."""
    if course.is_free:
        raise ValidationFailed(
            PaymentErrorCode.COURSE_IS_FREE,
            _("This course is free: enrol without paying."),
            [FieldError("course_id", _("This course is free."))],
        )
    coupon_code = (coupon_code or "").strip()
    if provider not in Provider.values:
        raise ValidationFailed(
            PaymentErrorCode.PROVIDER_NOT_CONNECTED,
            _("This school does not take payments with that provider."),
            [FieldError("provider", _("Use stripe or razorpay."))],
        )
    try:
        started = _checkout_begin(learner, course, provider, coupon_code)
    except _PaidMeanwhile as paid:  # settled in its own transaction, once ours rolled back
        payment_settle_state(paid.payment, paid.state)
        raise Conflict(
            PaymentErrorCode.ALREADY_PAID,
            _("Your earlier payment for this course went through: it is yours."),
        ) from paid
    if isinstance(started, CheckoutStarted):
        return started
    payment = started
    # The provider call is made outside the transaction: no row stays locked meanwhile.
    try:
        opened = gateway.checkout_open(
            payment,
            success_url=success_url.replace("{payment}", str(payment.public_id)),
            cancel_url=cancel_url.replace("{payment}", str(payment.public_id)),
            expires_at=_expires_at(provider),
        )
    except ApplicationError:
        payment_close(payment_id=payment.pk, status=PaymentStatus.FAILED)
        raise
    CoursePayment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
        provider_order_id=opened.order_id, checkout_url=opened.redirect_url
    )
    payment.refresh_from_db()
    return CheckoutStarted(
        payment=payment, redirect_url=opened.redirect_url, client_data=opened.client_data
    )


@transaction.atomic
def _checkout_begin(
    learner: User, course: Course, provider: str, coupon_code: str
) -> CheckoutStarted | CoursePayment:
    """The pending enrollment and a new payment for it (to open with the provider), or
    the checkout already settled: resumed, or paid in full by a coupon."""
    enrollment = _pending_enrollment(learner, course)
    open_payment = (
        CoursePayment.objects.select_for_update()
        .filter(enrollment=enrollment, status=PaymentStatus.PENDING)
        .order_by("-created_at")
        .first()
    )
    if open_payment is not None:
        same_coupon = (open_payment.coupon.code.lower() if open_payment.coupon else "") == (
            coupon_code.lower()
        )
        if (
            open_payment.provider == provider
            and same_coupon
            and open_payment.list_amount == course.price_amount
            and open_payment.currency == course.currency
        ):
            if not open_payment.provider_order_id:
                # Another request is opening this very checkout with the provider now.
                raise Conflict(
                    PaymentErrorCode.CHECKOUT_IN_PROGRESS,
                    _("This checkout is being opened. Try again in a moment."),
                )
            return _resumed(open_payment)
        _replaced_close(open_payment)
    coupon, discount = (None, 0)
    if coupon_code:
        coupon, discount = coupon_redeem(code=coupon_code, course=course)
    amount = course.price_amount - discount
    payment = CoursePayment.objects.create(
        enrollment=enrollment,
        learner=learner,
        course=course,
        provider="" if amount == 0 else provider,
        amount=amount,
        currency=course.currency,
        list_amount=course.price_amount,
        coupon=coupon,
        discount_amount=discount,
        receipt=_new_receipt(),
    )
    if amount == 0:
        payment.status = PaymentStatus.PAID
        payment.paid_at = timezone.now()
        payment.paid_amount = 0
        payment.paid_currency = payment.currency
        payment.save()
        enrollment_activate(enrollment=enrollment, actor=None)
        return CheckoutStarted(payment=payment, activated=True)
    gateway.keys_for(provider)  # 400 before anything is kept when not connected
    return payment


def _resumed(payment: CoursePayment) -> CheckoutStarted:
    if payment.provider == Provider.STRIPE:
        return CheckoutStarted(payment=payment, redirect_url=payment.checkout_url)
    return CheckoutStarted(payment=payment, client_data=gateway.razorpay_client_data(payment))


def checkout_confirm_stripe(*, payment: CoursePayment) -> CoursePayment:
    """On the learner's return from Stripe: ask Stripe for the session (never trust the
    browser) and settle what it says. A provider that cannot be reached leaves it pending."""
    if payment.status != PaymentStatus.PENDING or payment.provider != Provider.STRIPE:
        return payment
    try:
        state = gateway.state_of(payment)
    except ProviderError:
        return payment
    return payment_settle_state(payment, state)


class _PaidMeanwhile(Exception):
    """The attempt a new checkout would replace was paid: settle it, open nothing."""

    def __init__(self, payment: CoursePayment, state: ProviderState) -> None:
        super().__init__(payment.public_id)
        self.payment, self.state = payment, state


def _replaced_close(payment: CoursePayment) -> None:
    """Close the open attempt a new one replaces, at the provider first (a learner with
    both pages open must not pay twice); _PaidMeanwhile when it turns out paid."""
    if payment.provider_order_id:
        try:
            state = gateway.checkout_close(payment)
        except ProviderError as exc:
            raise gateway.provider_unavailable() from exc
        if state.status == "paid":
            raise _PaidMeanwhile(payment, state)
    payment_close(payment_id=payment.pk, status=PaymentStatus.EXPIRED, cancel_enrollment=False)


def payment_settle_state(payment: CoursePayment, state: ProviderState) -> CoursePayment:
    """Settle `payment` as its provider's state says: paid, expired or still pending."""
    if state.status == "paid":
        return payment_mark_paid(
            payment_id=payment.pk,
            amount=state.amount,
            currency=state.currency,
            provider_payment_id=state.payment_id,
        )
    if state.status == "expired":
        return payment_close(payment_id=payment.pk, status=PaymentStatus.EXPIRED)
    return payment


def checkout_confirm_razorpay(
    *, payment: CoursePayment, razorpay_payment_id: str, signature: str
) -> CoursePayment:
    """Razorpay Checkout's handler result: the signature must be HMAC-SHA256 of
    `<our stored order id>|<payment id>` under the key secret. Razorpay captures exactly an
    order's amount, so a verified signature pays our order's amount."""
    if payment.provider != Provider.RAZORPAY or not payment.provider_order_id:
        raise _signature_invalid()
    if payment.status != PaymentStatus.PENDING and payment.status not in (
        PaymentStatus.FAILED,
        PaymentStatus.EXPIRED,
    ):
        return payment
    keys = gateway.keys_for(Provider.RAZORPAY)
    if not (
        isinstance(razorpay_payment_id, str)
        and isinstance(signature, str)
        and razorpay_payment_id
        and checkout_signature_valid(
            key_id=keys.key_id,
            key_secret=keys.key_secret,
            order_id=payment.provider_order_id,
            payment_id=razorpay_payment_id,
            signature=signature,
        )
    ):
        raise _signature_invalid()
    return payment_mark_paid(
        payment_id=payment.pk,
        amount=payment.amount,
        currency=payment.currency,
        provider_payment_id=razorpay_payment_id[:255],
    )


def _signature_invalid() -> ValidationFailed:
    return ValidationFailed(
        PaymentErrorCode.SIGNATURE_INVALID,
        _("The payment could not be verified."),
        [FieldError("razorpay_signature", _("This signature does not match the order."))],
    )
