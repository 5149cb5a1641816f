"""Reads of platform billing: a tenant's plan page, the operator's lists and figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils.formats import number_format

from billing.subscriptions.models import (
    PLAN_AFTER_CANCELLATION,
    Interval,
    Plan,
    SubscriptionStatus,
    TenantSubscription,
)
from core.entitlements import Usage, entitlement_usage, size_text
from core.money import Money
from shared_apps.tenants.models import Tenant

PAYING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)


@dataclass(frozen=True)
class UsageRow:
    usage: Usage

    @property
    def percent(self) -> int:
        if self.usage.limit is None or self.usage.limit == 0:
            return 0
        return min(100, self.usage.used * 100 // self.usage.limit)

    @property
    def used_text(self) -> str:
        """The usage as shown: a file size for bytes ("1.5 MB"), else the number."""
        return self._text(self.usage.used)

    @property
    def limit_text(self) -> str:
        """The limit as shown; empty when unlimited or not included (the page words those)."""
        return "" if not self.usage.limit else self._text(self.usage.limit)

    def _text(self, amount: int) -> str:
        if self.usage.unit == "bytes":
            return size_text(amount)
        return number_format(amount, force_grouping=True)  # "2,500" in English

    @property
    def full(self) -> bool:
        return self.usage.limit is not None and self.usage.used >= self.usage.limit


@dataclass(frozen=True)
class PlanPage:
    tenant: Tenant
    plan: Plan | None
    account: TenantSubscription | None
    usage: list[UsageRow]
    offered: list[Plan]

    @property
    def ended(self) -> bool:
        """The tenant's subscription ended and it has not chosen a plan since."""
        return self.tenant.plan_code == PLAN_AFTER_CANCELLATION


def plans_offered() -> list[Plan]:
    return list(Plan.objects.filter(is_public=True, archived_at__isnull=True))


def plan_page(*, tenant: Tenant) -> PlanPage:
    """What the tenant's admin sees on /manage/billing/plan/ (in the tenant's schema)."""
    return PlanPage(
        tenant=tenant,
        plan=Plan.objects.filter(code=tenant.plan_code).first(),
        account=TenantSubscription.objects.filter(tenant=tenant).first(),
        usage=[UsageRow(row) for row in entitlement_usage(tenant.schema_name)],
        offered=plans_offered(),
    )


def price_text(plan: Plan, interval: str) -> str:
    amount = plan.price_for(interval)
    return "" if amount is None else Money(amount, plan.currency).display()


def subscriptions_list(*, status: str = "") -> list[TenantSubscription]:
    rows = TenantSubscription.objects.select_related("tenant").order_by("tenant__slug")
    if status:
        rows = rows.filter(status=status)
    return list(rows)


def past_due_list() -> list[TenantSubscription]:
    return list(
        TenantSubscription.objects.select_related("tenant")
        .filter(status__in=(SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID))
        .order_by("past_due_since")
    )


def monthly_recurring_revenue() -> dict[str, int]:
    """MRR per currency in minor units: paying subscriptions, a yearly one counted as a
    twelfth (rounded down to the minor unit)."""
    totals: dict[str, int] = defaultdict(int)
    rows = TenantSubscription.objects.filter(status__in=PAYING).values_list(
        "interval", "amount", "currency"
    )
    for interval, amount, currency in rows:
        if not currency:
            continue
        totals[currency] += amount // 12 if interval == Interval.YEAR else amount
    return dict(sorted(totals.items()))


def plan_mix() -> list[tuple[str, int]]:
    """How many live tenants are on each plan code, most first."""
    rows = (
        Tenant.objects.filter(purge_after__isnull=True)
        .values("plan_code")
        .annotate(tenants=Count("id"))
        .order_by("-tenants", "plan_code")
    )
    return [(row["plan_code"], row["tenants"]) for row in rows]
