"""Background work of the webhooks, each run in one tenant's schema (lectern.celery.TenantTask
carries it): delivery batches queued after commit, and the sweep the beat schedule queues for
every tenant (shared_apps.tenants.tasks.every_tenant_queue) for retries that came due and
messages whose worker died."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from webhooks.models import AttemptTrigger, MessageStatus, WebhookMessage
from webhooks.services import dispatch
from webhooks.services.disabling import endpoint_disabled_mail
from webhooks.services.messages import messages_prune as prune


@shared_task(name="webhooks.tasks.messages_deliver", acks_late=True, reject_on_worker_lost=True)
def messages_deliver(
    message_pks: list[int] | None = None, trigger: str = AttemptTrigger.SCHEDULED
) -> dict[str, int]:
    """Deliver this tenant's due messages (first `message_pks`, attempted as `trigger`),
    concurrently, for up to 20 s (webhooks.services.dispatch)."""
    dispatch.kick_clear()
    return asdict(dispatch.messages_deliver(message_pks=message_pks, trigger=trigger))


@shared_task(name="webhooks.tasks.due_messages_sweep")
def due_messages_sweep() -> int:
    """From the beat, per tenant: start a delivery task if anything is due (a retry, or a
    message whose lease ran out because its worker died)."""
    due = WebhookMessage.objects.filter(
        status__in=[MessageStatus.PENDING, MessageStatus.FAILING],
        next_attempt_at__lte=timezone.now(),
        endpoint__enabled=True,
    ).exists()
    if due:
        # A loop's mark may belong to a worker that died: start one regardless (two loops
        # in one tenant only share the work).
        dispatch.delivery_kick(even_while_looping=True)
    return int(due)


@shared_task(name="webhooks.tasks.messages_prune")
def messages_prune() -> int:
    """Delete delivered and failed messages (and their attempts) past the retention period."""
    return prune()


@shared_task(name="webhooks.tasks.endpoint_disabled_notify")
def endpoint_disabled_notify(endpoint_pk: int) -> int:
    """E-mail the tenant's admins that Lectern switched an endpoint off."""
    return endpoint_disabled_mail(endpoint_pk=endpoint_pk)
