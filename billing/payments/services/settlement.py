"""The one way a payment becomes paid, and the other state moves. Every source — the
learner's return from checkout, a provider webhook, the reconciliation job — ends in
`payment_mark_paid`, which locks the payment row, checks what was paid against our order,
moves state only forward and activates the enrollment exactly once."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.payments.emails import payment_receipt_send
from billing.payments.models import CoursePayment, PaymentStatus
from billing.payments.services.coupons import coupon_release
from core.languages import in_language_of
from core.transactions import after_commit
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.services import enrollment_activate, enrollment_cancel
from tenant_apps.notifications.models import NotificationKind
from tenant_apps.notifications.services import NotificationDraft, notifications_send
from tenant_apps.people.models import Role, User

logger = logging.getLogger(__name__)


def _admins_told_of_flag(payment: CoursePayment) -> None:
    drafts = []
    for admin_id, locale in User.objects.filter(role=Role.ADMIN, is_active=True).values_list(
        "pk", "locale"
    ):
        with in_language_of(locale):
            drafts.append(
                NotificationDraft(
                    recipient_id=admin_id,
                    kind=NotificationKind.GENERAL,
                    title=_("A course payment needs review"),
                    body=_("Payment %(id)s was paid but does not match its order: %(why)s")
                    % {"id": payment.public_id, "why": payment.flag_reason},
                    link="/manage/payments/",
                )
            )
    notifications_send(drafts=drafts)


@transaction.atomic
def payment_mark_paid(
    *, payment_id: int, amount: int | None, currency: str, provider_payment_id: str = ""
) -> CoursePayment:
    """Record that the provider says `payment_id` is paid with `amount` `currency`.

    Under the payment row's lock: a payment already paid (or refunded, or flagged) is
    returned unchanged, so duplicate and racing confirmations do nothing; a mismatch of
    amount or currency is `flagged` and the admins are told, without activation; otherwise
    pending/failed/expired → paid and the enrollment is activated (once) and a receipt
    e-mailed after commit."""
    payment = CoursePayment.objects.select_for_update().get(pk=payment_id)
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.EXPIRED):
        return payment
    now = timezone.now()
    payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
    payment.paid_at = now
    payment.paid_amount = amount
    payment.paid_currency = (currency or "").upper()
    if amount != payment.amount or payment.paid_currency != payment.currency:
        payment.status = PaymentStatus.FLAGGED
        payment.flag_reason = (
            f"ordered {payment.amount} {payment.currency}, "
            f"paid {amount} {payment.paid_currency or '?'}"
        )[:300]
        payment.save()
        logger.warning("course payment %s flagged: %s", payment.public_id, payment.flag_reason)
        _admins_told_of_flag(payment)
        return payment
    revived = payment.status != PaymentStatus.PENDING
    enrollment = Enrollment.objects.select_for_update().get(pk=payment.enrollment_id)
    if revived and enrollment.status == EnrollmentStatus.CANCELLED:
        # Paid after we had given up on it: money taken for an enrollment gone; review.
        payment.status = PaymentStatus.FLAGGED
        payment.flag_reason = "paid after the attempt had expired and was cancelled"
        payment.save()
        _admins_told_of_flag(payment)
        return payment
    payment.status = PaymentStatus.PAID
    payment.save()
    enrollment_activate(enrollment=enrollment, actor=None)
    after_commit(lambda: payment_receipt_send.delay(payment.pk))
    return payment


@transaction.atomic
def payment_close(*, payment_id: int, status: str, cancel_enrollment: bool = True) -> CoursePayment:
    """Pending → failed or expired (only from pending: never undoes paid). The coupon's
    redemption is given back and the pending enrollment cancelled when asked."""
    assert status in (PaymentStatus.FAILED, PaymentStatus.EXPIRED)
    payment = CoursePayment.objects.select_for_update().get(pk=payment_id)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = status
    payment.closed_at = timezone.now()
    payment.save(update_fields=["status", "closed_at", "updated_at"])
    coupon_release(payment.coupon_id)
    if cancel_enrollment:
        enrollment = Enrollment.objects.get(pk=payment.enrollment_id)
        still_waiting = CoursePayment.objects.filter(
            enrollment_id=payment.enrollment_id, status=PaymentStatus.PENDING
        ).exists()
        if enrollment.status == EnrollmentStatus.PENDING and not still_waiting:
            enrollment_cancel(enrollment=enrollment, actor=None)
    return payment


@transaction.atomic
def payment_refunded_to(*, payment_id: int, refunded_amount: int) -> CoursePayment:
    """Record that `refunded_amount` (the total so far) has been refunded: partially or
    fully refunded; a full refund cancels the enrollment. Never moves the total down."""
    payment = CoursePayment.objects.select_for_update().get(pk=payment_id)
    if (
        payment.status
        not in (
            PaymentStatus.PAID,
            PaymentStatus.PARTIALLY_REFUNDED,
            PaymentStatus.FLAGGED,
        )
        or refunded_amount <= payment.refunded_amount
    ):
        return payment
    payment.refunded_amount = min(refunded_amount, payment.paid_amount or payment.amount)
    full = payment.refunded_amount >= (payment.paid_amount or payment.amount)
    payment.status = PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    if full:
        enrollment = Enrollment.objects.get(pk=payment.enrollment_id)
        if enrollment.status in (EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE):
            enrollment_cancel(enrollment=enrollment, actor=None)
    return payment
