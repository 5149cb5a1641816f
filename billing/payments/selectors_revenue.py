"""Revenue from course payments over a period, per currency (never summed across
currencies): gross is what learners paid (settled payments by the moment they were paid,
flagged ones included: the money was taken), refunds what went back (succeeded refunds by
the moment they were made), net the difference. One grouped query whatever the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, CharField, Count, F, Sum, Value, When
from django.db.models.functions import Coalesce

from billing.payments.models import SETTLED_STATUSES, CoursePayment, Refund, RefundStatus
from core.money import Money


@dataclass(frozen=True)
class RevenueLine:
    currency: str
    gross: Money
    refunds: Money
    net: Money
    payments: int


@dataclass(frozen=True)
class CourseRevenue:
    course_id: int
    title: str
    lines: list[RevenueLine]


def _paid_in(since: datetime, until: datetime, owner_id: int | None):
    payments = CoursePayment.objects.filter(
        status__in=SETTLED_STATUSES, paid_at__gte=since, paid_at__lt=until
    )
    if owner_id is not None:
        payments = payments.filter(course__owner_id=owner_id)
    # What the provider took, where it differs from the order (a flagged payment).
    return payments.annotate(
        taken=Coalesce("paid_amount", "amount"),
        taken_currency=Case(
            When(paid_currency="", then=F("currency")),
            default=F("paid_currency"),
            output_field=CharField(),
        ),
    )


def _refunded_in(since: datetime, until: datetime, owner_id: int | None):
    refunds = Refund.objects.filter(
        status=RefundStatus.SUCCEEDED, created_at__gte=since, created_at__lt=until
    )
    if owner_id is not None:
        refunds = refunds.filter(payment__course__owner_id=owner_id)
    return refunds


def _lines(gross: dict[str, tuple[int, int]], refunds: dict[str, int]) -> list[RevenueLine]:
    lines = []
    for currency in sorted(set(gross) | set(refunds)):
        paid, count = gross.get(currency, (0, 0))
        back = refunds.get(currency, 0)
        lines.append(
            RevenueLine(
                currency=currency,
                gross=Money(paid, currency),
                refunds=Money(back, currency),
                net=Money(paid - back, currency),
                payments=count,
            )
        )
    return lines


def _grouped_rows(since: datetime, until: datetime, owner_id: int | None):
    """One query: ("gross" | "refund", course id, course title, currency, total, count)
    per course and currency."""
    gross = (
        _paid_in(since, until, owner_id)
        .values("course_id", "course__title", "taken_currency")
        .annotate(kind=Value("gross"), total=Sum("taken"), count=Count("pk"))
        .values_list("kind", "course_id", "course__title", "taken_currency", "total", "count")
        .order_by()
    )
    refunds = (
        _refunded_in(since, until, owner_id)
        .values("payment__course_id", "payment__course__title", "currency")
        .annotate(kind=Value("refund"), total=Sum("amount"), count=Count("pk"))
        .values_list(
            "kind",
            "payment__course_id",
            "payment__course__title",
            "currency",
            "total",
            "count",
        )
        .order_by()
    )
    return gross.union(refunds, all=True)


def revenue_by_currency(
    *, since: datetime, until: datetime, owner_id: int | None = None
) -> list[RevenueLine]:
    """Gross, refunds and net per currency in [since, until); only the courses of
    `owner_id` when given."""
    gross: dict[str, tuple[int, int]] = {}
    refunds: dict[str, int] = {}
    for kind, _course_id, _title, currency, total, count in _grouped_rows(since, until, owner_id):
        if kind == "gross":
            paid, counted = gross.get(currency, (0, 0))
            gross[currency] = (paid + total, counted + count)
        else:
            refunds[currency] = refunds.get(currency, 0) + total
    return _lines(gross, refunds)


def revenue_by_course(*, since: datetime, until: datetime, owner_id: int) -> list[CourseRevenue]:
    """The same per course of `owner_id`, courses by title."""
    gross: dict[int, dict[str, tuple[int, int]]] = {}
    refunds: dict[int, dict[str, int]] = {}
    titles: dict[int, str] = {}
    for kind, course_id, title, currency, total, count in _grouped_rows(since, until, owner_id):
        titles[course_id] = title
        if kind == "gross":
            gross.setdefault(course_id, {})[currency] = (total, count)
        else:
            refunds.setdefault(course_id, {})[currency] = total
    courses = [
        CourseRevenue(
            course_id=course_id,
            title=title,
            lines=_lines(gross.get(course_id, {}), refunds.get(course_id, {})),
        )
        for course_id, title in titles.items()
    ]
    return sorted(courses, key=lambda course: (course.title.lower(), course.course_id))
