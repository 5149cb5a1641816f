"""The periodic jobs: fail pending payments past the tenant's timeout, and ask the provider
about those still pending (a lost webhook must not leave a paid learner locked out)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from billing.payments.models import CoursePayment, PaymentStatus
from billing.payments.providers.common import ProviderError
from billing.payments.services import gateway
from billing.payments.services.accounts import payment_settings_get
from billing.payments.services.checkout import payment_settle_state
from billing.payments.services.settlement import payment_close
from core.errors import ApplicationError

logger = logging.getLogger(__name__)

# A payment younger than this is left to the learner's return and the webhook.
RECONCILE_AFTER = timedelta(minutes=2)


def _ask_provider(payment: CoursePayment) -> CoursePayment | None:
    """Settle `payment` as its provider sees it; None when the provider cannot say."""
    if not payment.provider_order_id:
        return None
    try:
        return payment_settle_state(payment, gateway.state_of(payment))
    except (ProviderError, ApplicationError) as exc:
        logger.warning("course payment %s not reconciled: %s", payment.public_id, exc)
        return None


def pending_payments_reconcile(*, limit: int = 200) -> int:
    """Ask the provider about pending payments older than two minutes; how many moved."""
    cutoff = timezone.now() - RECONCILE_AFTER
    moved = 0
    for payment in CoursePayment.objects.filter(
        status=PaymentStatus.PENDING, created_at__lt=cutoff
    ).order_by("created_at")[:limit]:
        settled = _ask_provider(payment)
        if settled is not None and settled.status != PaymentStatus.PENDING:
            moved += 1
    return moved


def overdue_payments_expire(*, limit: int = 500) -> int:
    """Pending payments past the timeout: each is closed at the provider first (so it
    cannot be paid afterwards); one paid meanwhile is settled, the rest expire (their
    pending enrollment is cancelled). A provider that cannot be reached keeps the payment
    pending until the next run. How many expired."""
    timeout = timedelta(minutes=payment_settings_get().pending_timeout_minutes)
    cutoff = timezone.now() - timeout
    expired = 0
    for payment in CoursePayment.objects.filter(
        status=PaymentStatus.PENDING, created_at__lt=cutoff
    ).order_by("created_at")[:limit]:
        if payment.provider_order_id:
            try:
                state = gateway.checkout_close(payment)
            except (ProviderError, ApplicationError) as exc:
                logger.warning("course payment %s not closed: %s", payment.public_id, exc)
                continue
            if state.status == "paid":
                payment_settle_state(payment, state)
                continue
        closed = payment_close(payment_id=payment.pk, status=PaymentStatus.EXPIRED)
        expired += closed.status == PaymentStatus.EXPIRED
    return expired
