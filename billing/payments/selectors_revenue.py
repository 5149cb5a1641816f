"""Revenue for the dashboards' panels, as Money to show: per currency (never summed across
currencies) through `selectors.revenue_by_currency` — the rule the revenue API uses — and,
for an author, the same rule per course of their own, in one grouped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Sum

from billing.payments import selectors
from billing.payments.models import CoursePayment
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


def _line(currency: str, payments: int, gross: int, refunded: int) -> RevenueLine:
    return RevenueLine(
        currency=currency,
        gross=Money(gross, currency),
        refunds=Money(refunded, currency),
        net=Money(gross - refunded, currency),
        payments=payments,
    )


def revenue_lines(*, since: datetime) -> list[RevenueLine]:
    """Gross, refunded and net per currency of the payments paid since `since`."""
    return [
        _line(row["currency"], row["payments"], row["gross"], row["refunded"])
        for row in selectors.revenue_by_currency(since=since)
    ]


def revenue_by_course(*, since: datetime, owner_id: int) -> list[CourseRevenue]:
    """The same per course of `owner_id` (settled payments paid since `since`, what was
    refunded of them), courses by title."""
    rows = (
        CoursePayment.objects.filter(
            status__in=selectors.SETTLED, paid_at__gte=since, course__owner_id=owner_id
        )
        .values("course_id", "course__title", "currency")
        .annotate(payments=Count("id"), gross=Sum("amount"), refunded=Sum("refunded_amount"))
        .order_by("course__title", "course_id", "currency")
    )
    courses: dict[int, CourseRevenue] = {}
    for row in rows:
        course = courses.setdefault(
            row["course_id"], CourseRevenue(row["course_id"], row["course__title"], [])
        )
        course.lines.append(
            _line(row["currency"], row["payments"], row["gross"] or 0, row["refunded"] or 0)
        )
    return list(courses.values())
