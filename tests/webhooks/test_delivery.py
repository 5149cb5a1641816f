"""Delivery through the real delivery loop to a real receiver on loopback, which checks every
signature with the spec's reference implementation. Time is moved by hand: a retry is made
due by setting its `next_attempt_at` to now."""

from __future__ import annotations

import json
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.core import mail
from django.utils import timezone

from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.events.models import EventType
from tests.webhooks.helpers import messages_for
from webhooks.models import AttemptTrigger, MessageStatus, WebhookAttempt, WebhookMessage
from webhooks.services.dispatch import messages_deliver
from webhooks.services.outcomes import RETRY_SCHEDULE

pytestmark = pytest.mark.usefixtures("in_tenant_a", "loopback_admitted")


def _make_due(message: WebhookMessage) -> None:
    WebhookMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_a_delivery_is_signed_sent_as_json_and_logged(receiver, make_endpoint):
    endpoint, secret = make_endpoint(
        "http://placeholder/",
        custom_headers={"X-Partner-Key": "k-123", "webhook-id": "forged"},
    )
    endpoint.url = receiver.expect("/hook", secrets=[secret])
    endpoint.save()
    [message] = messages_for(endpoint)

    report = messages_deliver()

    assert (report.claimed, report.delivered) == (1, 1)
    [delivery] = receiver.to("/hook")
    assert delivery.verified
    assert delivery.webhook_id == message.message_id
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["user-agent"].startswith("Lectern-Webhooks/")
    assert delivery.headers["x-partner-key"] == "k-123"
    assert delivery.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert json.loads(delivery.body) == message.payload
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.attempt_count == 1 and message.next_attempt_at is None
    [attempt] = message.attempts.all()
    assert attempt.status_code == 204 and attempt.succeeded
    assert attempt.trigger == AttemptTrigger.SCHEDULED
    assert attempt.request_headers["webhook-id"] == message.message_id
    assert attempt.request_headers["X-Partner-Key"] == "••••••"  # kept out of the log
    assert attempt.request_headers["webhook-signature"].startswith("v1,")


def test_a_failing_receiver_is_retried_on_the_schedule_then_given_up(receiver, make_endpoint):
    endpoint, secret = make_endpoint("http://placeholder/")
    endpoint.url = receiver.expect("/fail", secrets=[secret], status=500, body=b"x" * 3000)
    endpoint.save()
    [message] = messages_for(endpoint)

    messages_deliver()
    messages_deliver()  # the retry is not due yet: nothing goes
    assert len(receiver.to("/fail")) == 1

    for number, wait in enumerate(RETRY_SCHEDULE, start=1):
        message.refresh_from_db()
        assert message.status == MessageStatus.FAILING
        assert message.attempt_count == number
        scheduled = (message.next_attempt_at - message.last_attempt_at).total_seconds()
        assert wait.total_seconds() * 0.9 - 0.1 <= scheduled <= wait.total_seconds() * 1.1 + 0.1
        _make_due(message)
        messages_deliver()

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempt_count == len(RETRY_SCHEDULE) + 1 == 10
    assert message.next_attempt_at is None
    deliveries = receiver.to("/fail")
    assert len(deliveries) == 10
    assert {d.webhook_id for d in deliveries} == {message.message_id}
    assert all(d.verified for d in deliveries)
    attempts = list(message.attempts.all())
    assert len(attempts) == 10
    assert {a.status_code for a in attempts} == {500}
    assert all(len(a.response_excerpt) == 1024 for a in attempts)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.enabled


def test_a_receiver_that_does_not_answer_in_time_is_retried(receiver, make_endpoint, settings):
    settings.WEBHOOK_DELIVERY_TIMEOUT_SECONDS = 1
    endpoint, secret = make_endpoint("http://placeholder/")
    endpoint.url = receiver.expect("/slow", secrets=[secret], delay=3)
    endpoint.save()
    [message] = messages_for(endpoint)

    messages_deliver()

    message.refresh_from_db()
    [attempt] = message.attempts.all()
    assert attempt.status_code is None and not attempt.succeeded
    assert attempt.error == "No complete answer within 1 s."
    assert 900 <= attempt.latency_ms < 2500
    assert message.status == MessageStatus.FAILING
    # Counted from when the attempt gave up.
    wait = (message.next_attempt_at - message.last_attempt_at).total_seconds()
    wait -= attempt.latency_ms / 1000
    assert 4.4 <= wait <= 5.7


def test_410_gone_switches_the_endpoint_off_and_tells_the_admins(
    receiver, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint, secret = make_endpoint("http://placeholder/")
    endpoint.url = receiver.expect("/gone", secrets=[secret], status=410)
    endpoint.save()
    first, second = messages_for(endpoint, count=2)
    WebhookMessage.objects.filter(pk=second.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        messages_deliver()

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "410 Gone" in endpoint.disabled_reason
    assert endpoint.disabled_at is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (MessageStatus.FAILED, MessageStatus.FAILED)
    assert second.attempts.count() == 0
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_DISABLED)
    assert entry.target_id == str(endpoint.pk) and entry.actor_id is None
    assert [m.to for m in mail.outbox] == [["admin@alpha.example.com"]]
    assert mail.outbox[0].subject == f"Webhooks to {endpoint.url} were switched off"
    assert "410 Gone" in mail.outbox[0].body
    # Nothing more goes to it.
    WebhookMessage.objects.filter(pk=second.pk).update(
        status=MessageStatus.PENDING, next_attempt_at=timezone.now()
    )
    messages_deliver()
    assert len(receiver.to("/gone")) == 1


@pytest.mark.parametrize(
    ("status", "retry_after", "expected_seconds"),
    [
        (503, "120", 120),
        (429, "http-date+3600", 3600),
        (502, "999999", 24 * 3600),  # capped at a day
        (500, "120", 5),  # a 500's Retry-After is not a promise: the schedule holds
        (504, "soon", 5),  # unreadable: the schedule holds
    ],
)
def test_retry_after_is_honoured(receiver, make_endpoint, status, retry_after, expected_seconds):
    if retry_after.startswith("http-date+"):
        when = timezone.now() + timedelta(seconds=int(retry_after.split("+")[1]))
        retry_after = format_datetime(when, usegmt=True)
    endpoint, secret = make_endpoint("http://placeholder/")
    endpoint.url = receiver.expect(
        "/busy", secrets=[secret], status=status, headers={"Retry-After": retry_after}
    )
    endpoint.save()
    [message] = messages_for(endpoint)

    messages_deliver()

    message.refresh_from_db()
    wait = (message.next_attempt_at - message.last_attempt_at).total_seconds()
    assert message.status == MessageStatus.FAILING
    assert expected_seconds * 0.9 - 2 <= wait <= expected_seconds * 1.1 + 1


def test_an_endpoint_failing_for_five_days_is_switched_off_and_admins_told(
    receiver, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint, secret = make_endpoint("http://placeholder/")
    endpoint.url = receiver.expect("/down", secrets=[secret], status=500)
    endpoint.failing_since = timezone.now() - timedelta(days=4, hours=23)
    endpoint.save()
    [message] = messages_for(endpoint)
    messages_deliver()
    endpoint.refresh_from_db()
    assert endpoint.enabled  # not five days yet

    endpoint.failing_since = timezone.now() - timedelta(days=5, minutes=1)
    endpoint.save()
    _make_due(message)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        messages_deliver()

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "Every delivery attempt failed for 5 days."
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert AuditEntry.objects.filter(
        action=AuditAction.WEBHOOK_ENDPOINT_DISABLED, target_id=str(endpoint.pk)
    ).exists()
    assert [m.to for m in mail.outbox] == [["admin@alpha.example.com"]]
    assert "Every delivery attempt failed for 5 days." in mail.outbox[0].body


def test_a_success_ends_the_failing_streak(receiver, make_endpoint):
    endpoint, secret = make_endpoint("http://placeholder/")
    endpoint.url = receiver.expect("/back", secrets=[secret])
    endpoint.failing_since = timezone.now() - timedelta(days=2)
    endpoint.save()
    messages_for(endpoint)
    messages_deliver()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_during_a_rotation_both_secrets_sign_and_only_the_new_one_after(receiver, make_endpoint):
    from core.secret_box import secret_seal
    from webhooks.services import signing

    old = signing.secret_new()
    endpoint, new = make_endpoint(
        "http://placeholder/",
        previous_secret_sealed=secret_seal(old),
        previous_secret_expires_at=timezone.now() + timedelta(hours=24),
    )
    endpoint.url = receiver.expect("/rotating", secrets=[new, old])
    endpoint.save()
    messages_for(endpoint)
    messages_deliver()
    [during] = receiver.to("/rotating")
    assert sorted(during.verified_with) == sorted([new, old])
    assert len(during.headers["webhook-signature"].split(" ")) == 2

    endpoint.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    endpoint.save()
    messages_for(endpoint)
    messages_deliver()
    after = receiver.to("/rotating")[1]
    assert after.verified_with == [new]
    assert len(after.headers["webhook-signature"].split(" ")) == 1


def test_a_slow_receiver_does_not_hold_up_a_fast_one(receiver, make_endpoint):
    slow, slow_secret = make_endpoint("http://placeholder/", event_types=["course.*"])
    slow.url = receiver.expect("/slow", secrets=[slow_secret], delay=2)
    slow.save()
    fast, fast_secret = make_endpoint("http://placeholder/", event_types=["user.*"])
    fast.url = receiver.expect("/fast", secrets=[fast_secret])
    fast.save()
    messages_for(slow, count=20)  # made first: claimed first
    messages_for(fast, count=20, event_type=EventType.USER_UPDATED)
    started = timezone.now().timestamp()

    report = messages_deliver()

    assert report.delivered == 40
    fast_times = [d.received_at - started for d in receiver.to("/fast")]
    slow_times = sorted(d.received_at - started for d in receiver.to("/slow"))
    assert len(fast_times) == 20 and len(slow_times) == 20
    assert max(fast_times) < 1.0, fast_times
    # The slow one gets a few requests at a time: the rest wait for one of its connections.
    assert all(d.verified for d in receiver.deliveries)
    assert slow_times[-1] >= 1.9


def test_an_endpoints_rate_limit_spaces_its_deliveries(receiver, make_endpoint):
    endpoint, secret = make_endpoint("http://placeholder/", rate_limit_per_second=4)
    endpoint.url = receiver.expect("/paced", secrets=[secret])
    endpoint.save()
    messages_for(endpoint, count=8)

    messages_deliver()

    times = sorted(d.received_at for d in receiver.to("/paced"))
    assert len(times) == 8
    assert times[-1] - times[0] >= 1.6  # 8 at 4 per second: at least 7 gaps of 0.25 s
    assert WebhookAttempt.objects.filter(endpoint=endpoint).count() == 8
