"""The outbox consumer: one message per matching endpoint per event, never two, with a stable
sortable id and a thin body. Events are real outbox rows written by the LMS services; the
consumer is called the way the relay calls it (from the registry, in a transaction)."""

from __future__ import annotations

import re
import time

import pytest
from django.db import transaction

from tenant_apps.events.consumers import outbox_consumers
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import Role
from tenant_apps.people.services import user_create
from tests.builders import course_build
from webhooks.models import MessageStatus, WebhookMessage
from webhooks.services.fanout import event_type_matches, message_id_new

pytestmark = pytest.mark.usefixtures("in_tenant_a")


def _relay(events: list[OutboxEvent]) -> None:
    """What the relay does with a batch: every consumer that wants them, in a transaction."""
    with transaction.atomic():
        for consumer in outbox_consumers():
            wanted = [event for event in events if consumer.wants(event.event_type)]
            if wanted:
                consumer.handler(wanted)


def _webhooks_consumer():
    return next(c for c in outbox_consumers() if c.name == "webhooks")


def test_the_webhooks_consumer_is_registered_for_every_event_type():
    consumer = _webhooks_consumer()
    assert consumer.event_types is None
    assert consumer.wants("course.published") and consumer.wants("lesson.completed")


def test_patterns_with_wildcards_choose_event_types():
    assert event_type_matches([], "user.created")
    assert event_type_matches(["course.*"], "course.published")
    assert not event_type_matches(["course.*"], "user.created")
    assert event_type_matches(["user.created", "enrollment.*"], "enrollment.cancelled")
    assert not event_type_matches(["user.created"], "user.updated")


def test_one_message_per_matching_endpoint_and_no_second_on_a_repeat(make_endpoint, make_person):
    everything, _ = make_endpoint("https://hooks.example.com/all")
    courses_only, _ = make_endpoint("https://hooks.example.com/c", event_types=["course.*"])
    make_endpoint("https://hooks.example.com/off", enabled=False)
    user = user_create(email="fan-out@example.com", full_name="Fanny Out")
    owner = make_person(Role.INSTRUCTOR)
    course_build(owner=owner, title="Knots")
    events = list(OutboxEvent.objects.order_by("id"))
    types = [event.event_type for event in events]
    assert "user.created" in types and "course.published" in types

    _relay(events)
    _relay(events)  # the relay delivers at least once

    messages = WebhookMessage.objects.all()
    assert messages.filter(endpoint=everything).count() == len(events)
    assert sorted(messages.filter(endpoint=courses_only).values_list("event_type", flat=True)) == [
        t for t in sorted(types) if t.startswith("course.")
    ]
    assert messages.count() == len(events) + sum(t.startswith("course.") for t in types)
    assert set(messages.values_list("status", flat=True)) == {MessageStatus.PENDING}
    assert all(m.next_attempt_at is not None for m in messages)

    event = OutboxEvent.objects.get(event_type="user.created", subject_id=str(user.pk))
    created = messages.get(endpoint=everything, event_id=event.event_id)
    assert created.payload["type"] == "user.created"
    assert created.payload["tenant"] == "alpha"
    assert created.payload["timestamp"] == event.occurred_at.isoformat()
    # A person's event names them by id and role, not by e-mail or name.
    assert created.payload["data"] == {"id": user.pk, "role": Role.LEARNER, "is_active": True}


def test_message_ids_are_unique_and_sort_by_creation():
    ids = [message_id_new() for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(re.fullmatch(r"msg_[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)
    first = message_id_new()
    time.sleep(0.002)
    assert message_id_new() > first


def test_a_certificate_event_leaves_out_the_printed_name():
    from webhooks.services.payloads import event_data

    data = event_data(
        "certificate",
        {
            "id": 3,
            "code": "C-1",
            "user_id": 9,
            "course_id": 2,
            "learner_name": "Ada Lovelace",
            "course_title": "Engines",
            "issued_at": "2031-01-01T00:00:00+00:00",
        },
    )
    assert data == {
        "id": 3,
        "code": "C-1",
        "user_id": 9,
        "course_id": 2,
        "course_title": "Engines",
        "issued_at": "2031-01-01T00:00:00+00:00",
    }
