"""Delivery by real Celery workers on the real Redis: an event committed in tenant A reaches
the receiver; and a worker killed with SIGKILL in the middle of a delivery leaves the message
to go out again, with the same `webhook-id`, once its lease has run out."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django_tenants.utils import schema_context

from core.redis_client import redis_client
from tenant_apps.events.models import OutboxEvent
from tests.webhooks.helpers import messages_for
from tests.webhooks.receiver import Answer
from tests.webhooks.workers import QUEUE, worker_start, worker_stop
from webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage
from webhooks.services.dispatch import lease_seconds
from webhooks.tasks import due_messages_sweep

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def committed(django_db_blocker, tenant_a, celery_eager_off, loopback_admitted) -> Iterator[None]:
    """Commit in tenant A for workers to see; remove the endpoints and events afterwards."""
    with django_db_blocker.unblock():
        redis_client().delete(QUEUE)  # nothing left over from an earlier run
        with schema_context(tenant_a.schema):
            last_event = OutboxEvent.objects.aggregate(last=Max("id"))["last"] or 0
            try:
                yield
            finally:
                connection.set_schema(tenant_a.schema)
                WebhookEndpoint.objects.all().delete()
                OutboxEvent.objects.filter(id__gt=last_event).delete()
                connection.set_schema_to_public()


def _committed_endpoint(make_endpoint, receiver, path: str, **answer) -> WebhookEndpoint:
    with transaction.atomic():
        endpoint, secret = make_endpoint("http://placeholder/")
        endpoint.url = receiver.expect(path, secrets=[secret], **answer)
        endpoint.save()
    return endpoint


def test_a_committed_event_is_delivered_by_the_worker(committed, receiver, make_endpoint, tmp_path):
    endpoint = _committed_endpoint(make_endpoint, receiver, "/hook")
    worker = worker_start(tmp_path)
    try:
        [message] = messages_for(endpoint)  # commits; the delivery is queued after commit
        [delivery] = receiver.wait_for(1, "/hook", timeout=60)
    finally:
        worker_stop(worker)
    assert delivery.verified and delivery.webhook_id == message.message_id
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == MessageStatus.DELIVERED:
            break
        time.sleep(0.1)
    assert message.status == MessageStatus.DELIVERED


def test_a_worker_killed_mid_delivery_leaves_the_message_to_go_again_with_its_id(
    committed, receiver, make_endpoint, tmp_path
):
    held = threading.Event()
    endpoint = _committed_endpoint(make_endpoint, receiver, "/held", hold=held)
    first_worker = worker_start(tmp_path, "first")
    try:
        [message] = messages_for(endpoint)
        [first] = receiver.wait_for(1, "/held", timeout=60)
        os.kill(first_worker.pid, signal.SIGKILL)  # while the receiver holds the request
        first_worker.wait(timeout=10)
    finally:
        worker_stop(first_worker)
    held.set()
    receiver.answers["/held"] = Answer(status=200)

    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts.count() == 0  # the worker died before recording anything
    # Leased to the dead worker: not due until the lease runs out.
    lease_left = (message.next_attempt_at - timezone.now()).total_seconds()
    assert lease_seconds() - 10 < lease_left <= lease_seconds()

    # The lease runs out (time moved by hand); the periodic sweep finds the message due.
    WebhookMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    second_worker = worker_start(tmp_path, "second")
    try:
        due_messages_sweep.delay()
        deliveries = receiver.wait_for(2, "/held", timeout=60)
    finally:
        worker_stop(second_worker)

    assert len(deliveries) == 2
    second = deliveries[1]
    assert first.webhook_id == second.webhook_id == message.message_id
    assert first.verified and second.verified and first.body == second.body
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == MessageStatus.DELIVERED:
            break
        time.sleep(0.1)
    assert message.status == MessageStatus.DELIVERED
    assert [a.status_code for a in message.attempts.all()] == [200]
