"""Dunning: a tenant past due keeps working for the grace period (settings
BILLING_GRACE_DAYS), its admins warned by banner and e-mail; then it is suspended, and
resumed when an invoice is paid (services.events)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.subscriptions.models import SubscriptionStatus, TenantSubscription
from billing.subscriptions.overdue_marks import overdue_marks_rebuild
from billing.subscriptions.services.transitions import standing_suspend

OVERDUE = (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID)


def grace_ends(account: TenantSubscription):
    if account.past_due_since is None:
        return None
    return account.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)


def overdue_marks_refresh() -> None:
    """Rebuild the banner's past-due marks from the database."""
    accounts = TenantSubscription.objects.filter(status__in=OVERDUE)
    overdue_marks_rebuild({account.tenant_id: grace_ends(account) for account in accounts})


def overdue_tenants_suspend(*, now=None) -> list[str]:
    """Suspend every tenant past due for longer than the grace period; their slugs."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BILLING_GRACE_DAYS)
    due = TenantSubscription.objects.filter(
        status__in=OVERDUE,
        past_due_since__lte=cutoff,
        suspended_for_nonpayment_at__isnull=True,
    ).values_list("pk", flat=True)
    suspended = []
    for account_id in list(due):
        with transaction.atomic():
            account = (
                TenantSubscription.objects.select_for_update()
                .select_related("tenant")
                .filter(
                    pk=account_id,
                    status__in=OVERDUE,
                    past_due_since__lte=cutoff,
                    suspended_for_nonpayment_at__isnull=True,
                )
                .first()
            )
            if account is None:  # paid meanwhile
                continue
            reason = f"past due since {account.past_due_since:%Y-%m-%d}, grace period over"
            if standing_suspend(account=account, reason=reason):
                suspended.append(account.tenant.slug)
    return suspended
