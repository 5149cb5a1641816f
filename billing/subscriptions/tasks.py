"""Background work of platform billing."""

from __future__ import annotations

from celery import shared_task

from billing.subscriptions.services.dunning import overdue_tenants_suspend as suspend_due
from core.errors import ApplicationError


@shared_task(name="billing.subscriptions.tasks.overdue_tenants_suspend")
def overdue_tenants_suspend() -> list[str]:
    """Suspend tenants past due beyond the grace period (beat, public schema), and rebuild
    the admin banner's past-due marks."""
    from billing.subscriptions.services.dunning import overdue_marks_refresh

    suspended = suspend_due()
    overdue_marks_refresh()
    return suspended


@shared_task(
    name="billing.subscriptions.tasks.replaced_subscription_cancel",
    autoretry_for=(ApplicationError,),
    retry_backoff=60,
    max_retries=10,
)
def replaced_subscription_cancel(subscription_id: str) -> str:
    """End a subscription an upgrade replaced (retried while Stripe does not answer)."""
    from billing.subscriptions.stripe_gateway import subscription_cancel

    return subscription_cancel(subscription_id)


@shared_task(name="billing.subscriptions.tasks.dunning_notice_send")
def dunning_notice_send() -> int:
    """E-mail this tenant's active admins that its payment failed (queued in the tenant's
    schema); how many e-mails went out."""
    from billing.subscriptions.services.notices import dunning_notice_send as send

    return send()
