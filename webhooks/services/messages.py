"""STAND-IN on the wh-admin branch, to be replaced by the delivery helper's module of the
same name (wh-delivery) when the branches merge: the same signatures, the smallest honest
behaviour. Each function only queues a message (status pending, due now); sending it, and
recording the attempt with its trigger (resend, replay, test), is the delivery engine's."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from webhooks.catalogue import TEST_EVENT_TYPE
from webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage


def _message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _tenant() -> str:
    return getattr(getattr(connection, "tenant", None), "slug", None) or connection.schema_name


@transaction.atomic
def message_resend(*, message: WebhookMessage, actor) -> WebhookMessage:
    """Send `message` again, now, with the same `webhook-id`."""
    WebhookMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.PENDING,
        attempt_count=0,
        delivered_at=None,
        next_attempt_at=timezone.now(),
    )
    message.refresh_from_db()
    return message


@transaction.atomic
def messages_replay(*, endpoint: WebhookEndpoint, since: datetime, actor) -> int:
    """Send again every message made for `endpoint` at or after `since`; how many."""
    count = WebhookMessage.objects.filter(endpoint=endpoint, created_at__gte=since).update(
        status=MessageStatus.PENDING,
        attempt_count=0,
        delivered_at=None,
        next_attempt_at=timezone.now(),
    )
    audit_record(
        action=AuditAction.WEBHOOK_MESSAGES_REPLAYED,
        actor=actor,
        target=endpoint,
        after={"since": since, "messages": count},
    )
    return count


@transaction.atomic
def test_event_send(*, endpoint: WebhookEndpoint, actor) -> WebhookMessage:
    """Queue a `webhook.test` message for `endpoint`."""
    now = timezone.now()
    return WebhookMessage.objects.create(
        message_id=_message_id(),
        endpoint=endpoint,
        event_id=None,
        event_type=TEST_EVENT_TYPE,
        payload={
            "type": TEST_EVENT_TYPE,
            "timestamp": now.isoformat(),
            "data": {"endpoint_id": endpoint.pk},
            "tenant": _tenant(),
        },
        status=MessageStatus.PENDING,
        next_attempt_at=now,
    )
