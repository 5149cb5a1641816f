"""Changing a tenant's subscription state, plan or standing, each change logged
(SubscriptionChange and the log) — shared by events, dunning and operators."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.subscriptions.models import SubscriptionChange, SubscriptionStatus, TenantSubscription
from billing.subscriptions.overdue_marks import overdue_clear, overdue_mark
from core.transactions import after_commit
from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.tenants.routing import routing_changed
from shared_apps.tenants.services import tenant_resume, tenant_suspend

logger = logging.getLogger("billing.subscriptions")


def change_log(*, tenant: Tenant, kind: str, before: str, after: str, reason: str) -> None:
    SubscriptionChange.objects.create(
        tenant=tenant, kind=kind, before=before or "", after=after or "", reason=reason[:200]
    )
    logger.info(
        "billing %s of %s: %s -> %s (%s)", kind, tenant.slug, before or "-", after or "-", reason
    )


def tenant_plan_set(*, tenant: Tenant, plan_code: str, reason: str) -> None:
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if locked.plan_code == plan_code:
        return
    before = locked.plan_code
    locked.plan_code = plan_code
    locked.save(update_fields=["plan_code", "updated_at"])
    routing_changed()  # the routed tenant carries its plan (admin banners read it)
    change_log(tenant=locked, kind="plan", before=before, after=plan_code, reason=reason)


def status_set(*, account: TenantSubscription, status: str, reason: str) -> None:
    """Record `status` (saved by the caller) and what it starts: past due starts the grace
    period and e-mails the admins; good standing ends it and resumes a tenant dunning
    suspended."""
    before = account.status
    if before == status:
        return
    account.status = status
    change_log(tenant=account.tenant, kind="status", before=before, after=status, reason=reason)
    tenant_id = account.tenant_id
    if status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID):
        if account.past_due_since is None:
            account.past_due_since = timezone.now()
            after_commit(lambda: _dunning_notice_queue(tenant_id))
        grace_end = account.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)
        after_commit(lambda: overdue_mark(tenant_id, grace_end))
    else:
        after_commit(lambda: overdue_clear(tenant_id))
    if status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        account.past_due_since = None
        standing_restore(account=account, reason=reason)


def standing_restore(*, account: TenantSubscription, reason: str) -> None:
    """Resume the tenant if dunning suspended it (an operator's suspension stays)."""
    if account.suspended_for_nonpayment_at is None:
        return
    account.suspended_for_nonpayment_at = None
    tenant = Tenant.objects.get(pk=account.tenant_id)
    if tenant.status == TenantStatus.SUSPENDED:
        tenant_resume(tenant=tenant)
        change_log(
            tenant=tenant, kind="standing", before="suspended", after="active", reason=reason
        )


def standing_suspend(*, account: TenantSubscription, reason: str) -> bool:
    """Suspend the tenant for non-payment and tell its admins (with the pay link); False
    when it is not active (left as it is)."""
    tenant = Tenant.objects.get(pk=account.tenant_id)
    if tenant.status != TenantStatus.ACTIVE or tenant.is_deleted:
        return False
    tenant_suspend(tenant=tenant)
    account.suspended_for_nonpayment_at = timezone.now()
    account.save(update_fields=["suspended_for_nonpayment_at", "updated_at"])
    change_log(tenant=tenant, kind="standing", before="active", after="suspended", reason=reason)
    tenant_id = tenant.pk
    after_commit(lambda: _dunning_notice_queue(tenant_id))  # "suspended", with the pay link
    return True


def _dunning_notice_queue(tenant_id: int) -> None:
    """Queue the e-mail to the tenant's admins in the tenant's schema (the task carries it)."""
    from billing.subscriptions.tasks import dunning_notice_send

    schema = Tenant.objects.filter(pk=tenant_id).values_list("schema_name", flat=True).first()
    if schema is None:
        return
    if connection.schema_name == schema:
        dunning_notice_send.delay()
        return
    with schema_context(schema):
        dunning_notice_send.delay()
