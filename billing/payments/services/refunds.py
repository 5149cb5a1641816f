"""Refunds an admin makes, in full or in part, through the payment's provider."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from billing.payments.errors import PaymentErrorCode
from billing.payments.models import CoursePayment, PaymentStatus, Refund, RefundStatus
from billing.payments.services import gateway
from billing.payments.services.settlement import payment_refunded_to
from core.errors import FieldError, ValidationFailed
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import User

REFUNDABLE = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.FLAGGED)


def _refund_invalid(message: str) -> ValidationFailed:
    return ValidationFailed(
        PaymentErrorCode.REFUND_INVALID,
        _("The refund is invalid."),
        [FieldError("amount", message)],
    )


@transaction.atomic
def payment_refund(
    *, payment: CoursePayment, actor: User | None, amount: int | None = None, reason: str = ""
) -> Refund:
    """Refund `amount` minor units (None: all that is left) through the provider. The
    payment row stays locked meanwhile, so two refunds cannot both take the same money; a
    provider failure (502) keeps nothing. A full refund cancels the enrollment."""
    locked = CoursePayment.objects.select_for_update().get(pk=payment.pk)
    if locked.status not in REFUNDABLE or not locked.provider or not locked.provider_payment_id:
        raise _refund_invalid(_("This payment cannot be refunded."))
    left = locked.refundable.amount
    if amount is None:
        amount = left
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= left:
        raise _refund_invalid(
            _("Use a whole number of minor units from 1 to %(left)s.") % {"left": left}
        )
    refund = Refund.objects.create(
        payment=locked,
        amount=amount,
        currency=locked.paid_currency or locked.currency,
        reason=(reason or "")[:300],
        created_by=actor,
    )
    refund.provider_refund_id = gateway.refund_open(
        locked, amount=amount, idempotency_key=f"refund-{locked.public_id}-{refund.pk}"
    )
    refund.status = RefundStatus.SUCCEEDED
    refund.save(update_fields=["provider_refund_id", "status"])
    payment_refunded_to(payment_id=locked.pk, refunded_amount=locked.refunded_amount + amount)
    audit_record(
        action=AuditAction.PAYMENT_REFUNDED,
        actor=actor,
        target=locked,
        after={"amount": amount, "currency": refund.currency, "reason": refund.reason},
    )
    return refund
