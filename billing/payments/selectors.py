"""Reading course payments for the API and the portal pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from billing.payments.errors import PaymentErrorCode
from billing.payments.models import Coupon, CoursePayment, PaymentAccount, PaymentStatus
from billing.payments.permissions import may_view_payment
from core.errors import NotFound
from tenant_apps.people.models import User


def payment_accounts() -> list[PaymentAccount]:
    return list(PaymentAccount.objects.all())


def coupons_all() -> QuerySet[Coupon]:
    return Coupon.objects.select_related("course").order_by("code")


def payments_filtered(
    *,
    status: str | None = None,
    provider: str | None = None,
    course_id: int | None = None,
    learner_id: int | None = None,
) -> QuerySet[CoursePayment]:
    """Every payment of the tenant (admins), newest first, narrowed by the filters given."""
    payments = CoursePayment.objects.select_related("learner", "course", "coupon")
    if status:
        payments = payments.filter(status=status)
    if provider:
        payments = payments.filter(provider=provider)
    if course_id is not None:
        payments = payments.filter(course_id=course_id)
    if learner_id is not None:
        payments = payments.filter(learner_id=learner_id)
    return payments.order_by("-created_at", "-id")


def purchases_of(learner: User) -> QuerySet[CoursePayment]:
    """A learner's own payments that went through (paid, refunded, flagged), newest first."""
    return (
        CoursePayment.objects.select_related("course", "coupon", "learner")
        .filter(learner=learner)
        .exclude(status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.EXPIRED])
        .order_by("-created_at", "-id")
    )


def payment_for(user: User, public_id: Any) -> CoursePayment:
    """The payment with `public_id` if `user` may see it; 404 otherwise (another tenant's,
    another learner's and an unknown id look alike)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        key = None
    payment = (
        CoursePayment.objects.select_related("learner", "course", "coupon")
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if payment is None or not may_view_payment(user, payment):
        raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, _("No such payment."))
    return payment


SETTLED = (
    PaymentStatus.PAID,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
)


def revenue_by_currency(
    *, since: datetime | None = None, course_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Revenue per currency (never summed across currencies), from payments paid since
    `since` (all time when None), optionally of some courses only (an instructor's):
    [{"currency", "payments", "gross", "refunded", "net"}], minor units, by currency."""
    payments = CoursePayment.objects.filter(status__in=SETTLED)
    if since is not None:
        payments = payments.filter(paid_at__gte=since)
    if course_ids is not None:
        payments = payments.filter(course_id__in=course_ids)
    rows = (
        payments.values("currency")
        .annotate(payments=Count("id"), gross=Sum("amount"), refunded=Sum("refunded_amount"))
        .order_by("currency")
    )
    return [
        {
            "currency": row["currency"],
            "payments": row["payments"],
            "gross": row["gross"] or 0,
            "refunded": row["refunded"] or 0,
            "net": (row["gross"] or 0) - (row["refunded"] or 0),
        }
        for row in rows
    ]
