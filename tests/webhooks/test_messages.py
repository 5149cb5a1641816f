"""What admins do with messages: resend, replay, test events, and the retention pruning; and
the health figures of an endpoint. The queued deliveries run in-process (eager tasks) once the
service's transaction commits."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tenant_apps.audit.models import AuditAction, AuditEntry
from tests.webhooks.helpers import messages_for
from webhooks.models import AttemptTrigger, MessageStatus, WebhookAttempt, WebhookMessage
from webhooks.selectors import endpoint_health
from webhooks.services import messages as message_services
from webhooks.services.dispatch import messages_deliver
from webhooks.services.messages import message_resend, messages_prune, messages_replay

pytestmark = pytest.mark.usefixtures("in_tenant_a", "loopback_admitted")


@pytest.fixture
def hook(receiver, make_endpoint):
    endpoint, secret = make_endpoint("http://placeholder/")
    endpoint.url = receiver.expect("/hook", secrets=[secret])
    endpoint.save()
    return endpoint


def test_a_resent_message_goes_again_with_the_same_id(
    receiver, hook, make_person, django_capture_on_commit_callbacks
):
    admin = make_person("admin")
    [message] = messages_for(hook)
    messages_deliver()

    with django_capture_on_commit_callbacks(execute=True):
        resent = message_resend(message=message, actor=admin)
        assert resent.status == MessageStatus.PENDING

    first, second = receiver.to("/hook")
    assert first.webhook_id == second.webhook_id == message.message_id
    assert second.verified and second.body == first.body
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert [a.trigger for a in message.attempts.order_by("id")] == [
        AttemptTrigger.SCHEDULED,
        AttemptTrigger.RESEND,
    ]


def test_a_replay_sends_every_message_since_a_time_and_is_audited(
    receiver, hook, make_person, django_capture_on_commit_callbacks
):
    admin = make_person("admin")
    old, *recent = messages_for(hook, count=3)
    messages_deliver()
    WebhookMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    WebhookMessage.objects.filter(pk=recent[1].pk).update(status=MessageStatus.FAILED)
    since = timezone.now() - timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        count = messages_replay(endpoint=hook, since=since, actor=admin)

    assert count == 2
    replayed = [d.webhook_id for d in receiver.to("/hook")[3:]]
    assert sorted(replayed) == sorted(m.message_id for m in recent)
    assert WebhookAttempt.objects.filter(trigger=AttemptTrigger.REPLAY).count() == 2
    assert set(
        WebhookMessage.objects.filter(pk__in=[m.pk for m in recent]).values_list(
            "status", flat=True
        )
    ) == {MessageStatus.DELIVERED}
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_MESSAGES_REPLAYED)
    assert entry.actor_id == admin.pk and entry.target_id == str(hook.pk)
    assert entry.after["messages"] == 2
    assert entry.after["since"].startswith(since.strftime("%Y-%m-%dT%H:%M:%S."))


def test_a_test_event_is_sent_right_away(
    receiver, hook, make_person, django_capture_on_commit_callbacks
):
    admin = make_person("admin")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_services.test_event_send(endpoint=hook, actor=admin)

    [delivery] = receiver.to("/hook")
    assert delivery.verified and delivery.webhook_id == message.message_id
    body = json.loads(delivery.body)
    assert body["type"] == "webhook.test"
    assert body["data"] == {"endpoint_id": hook.pk}
    assert body["tenant"] == "alpha"
    [attempt] = WebhookAttempt.objects.filter(message=message)
    assert attempt.trigger == AttemptTrigger.TEST and attempt.succeeded


def test_pruning_removes_old_finished_messages_and_their_attempts(hook, settings):
    settings.WEBHOOK_RETENTION_DAYS = 30
    delivered_old, failed_old, waiting_old, recent = messages_for(hook, count=4)
    messages_deliver()
    long_ago = timezone.now() - timedelta(days=31)
    WebhookMessage.objects.filter(pk__in=[delivered_old.pk, failed_old.pk, waiting_old.pk]).update(
        created_at=long_ago
    )
    WebhookMessage.objects.filter(pk=failed_old.pk).update(status=MessageStatus.FAILED)
    WebhookMessage.objects.filter(pk=waiting_old.pk).update(status=MessageStatus.FAILING)

    assert messages_prune() == 2

    assert set(WebhookMessage.objects.values_list("pk", flat=True)) == {waiting_old.pk, recent.pk}
    assert set(WebhookAttempt.objects.values_list("message_id", flat=True)) == {
        waiting_old.pk,
        recent.pk,
    }


def test_endpoint_health_counts_the_last_day(receiver, hook):
    messages = messages_for(hook, count=4)
    messages_deliver()
    attempts = WebhookAttempt.objects.filter(endpoint=hook).order_by("id")
    latencies = [10, 20, 30, 400]
    for attempt, latency in zip(attempts, latencies, strict=True):
        attempt.latency_ms = latency
        attempt.save()
    failed = attempts[3]
    failed.succeeded, failed.status_code = False, 500
    failed.save()
    WebhookAttempt.objects.create(  # two days ago: outside the window
        message=messages[0],
        endpoint=hook,
        attempted_at=timezone.now() - timedelta(days=2),
        status_code=200,
        succeeded=True,
        latency_ms=5000,
    )

    health = endpoint_health(endpoint=hook)

    assert health["attempts"] == 4 and health["succeeded"] == 3 and health["failed"] == 1
    assert health["success_rate"] == 0.75
    assert health["latency_ms"] == {"p50": 25, "p95": 344}
    assert len(health["per_hour"]) == 24
    assert health["per_hour"][-1]["attempts"] == 4
    assert sum(bucket["attempts"] for bucket in health["per_hour"]) == 4
