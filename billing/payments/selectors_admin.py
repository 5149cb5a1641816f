"""What the tenant admin's payment pages read beyond `selectors`: payments searched by
learner and date, a payment's timeline of provider events, and hints about stored keys
(never the keys)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from billing.payments.models import CoursePayment, PaymentAccount, ProviderEvent
from billing.payments.selectors import payments_filtered
from core.secret_box import SecretUnreadable, secret_open
from tenant_apps.courses.models import Course


def payments_search(
    *,
    status: str | None = None,
    provider: str | None = None,
    course_id: int | None = None,
    learner_text: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[CoursePayment]:
    """`payments_filtered`, narrowed further to learners whose name or e-mail contains
    `learner_text` and to attempts started from `since` to `until` (whole days, inclusive,
    in the tenant's time zone)."""
    payments = payments_filtered(status=status, provider=provider, course_id=course_id)
    text = learner_text.strip()
    if text:
        payments = payments.filter(
            Q(learner__email__icontains=text) | Q(learner__full_name__icontains=text)
        )
    zone = timezone.get_current_timezone()
    if since:
        payments = payments.filter(created_at__gte=datetime.combine(since, time.min, zone))
    if until:
        next_day = datetime.combine(until + timedelta(days=1), time.min, zone)
        payments = payments.filter(created_at__lt=next_day)
    return payments


def course_choices_with_payments() -> list[tuple[int, str]]:
    ids = CoursePayment.objects.values("course_id").distinct()
    return list(Course.objects.filter(pk__in=ids).order_by("title").values_list("pk", "title"))


def paid_course_choices() -> list[tuple[int, str]]:
    """Courses with a price, for limiting a coupon to one."""
    return list(
        Course.objects.filter(price_amount__gt=0).order_by("title").values_list("pk", "title")
    )


def payment_provider_events(payment: CoursePayment) -> list[ProviderEvent]:
    """The provider events that name this payment's order or provider payment id, oldest
    first (kept whole in `payload`; matched on its text)."""
    ids = [value for value in (payment.provider_order_id, payment.provider_payment_id) if value]
    if not payment.provider or not ids:
        return []
    match = Q()
    for value in ids:
        match |= Q(payload_text__contains=f'"{value}"')
    return list(
        ProviderEvent.objects.filter(provider=payment.provider)
        .annotate(payload_text=Cast("payload", TextField()))
        .filter(match)
        .defer("payload")
        .order_by("received_at", "id")[:100]
    )


@dataclass(frozen=True)
class AccountHints:
    """What the page may say about an account's secrets: that they are set, and their
    last four characters."""

    account: PaymentAccount
    key_secret_ends: str
    webhook_secret_ends: str


def _ending(sealed: str) -> str:
    try:
        opened = secret_open(sealed)
    except SecretUnreadable:  # sealed under a key since retired: say nothing about it
        return ""
    return opened[-4:] if len(opened) >= 12 else ""


def account_hints() -> dict[str, AccountHints]:
    return {
        account.provider: AccountHints(
            account=account,
            key_secret_ends=_ending(account.key_secret_sealed),
            webhook_secret_ends=_ending(account.webhook_secret_sealed),
        )
        for account in PaymentAccount.objects.all()
    }
