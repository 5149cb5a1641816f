"""The outbox: an event exists exactly when the change it tells of does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from tenant_apps.events.models import EventType, OutboxEvent
from tenant_apps.events.services import record_event, record_events
from tenant_apps.people.models import Role
from tests.snapshots import snapshot


def test_an_event_rolls_back_with_its_failed_change(in_tenant_a, make_person):
    person = make_person(Role.LEARNER)
    before = snapshot()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(
            event_type=EventType.USER_UPDATED,
            subject_type="user",
            subject_id=person.pk,
            payload={"id": person.pk},
        )
        raise RuntimeError("the change fails after its event was written")
    assert snapshot() == before


def test_payloads_are_stored_as_consumers_will_read_them(in_tenant_a):
    moment = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    key = uuid.uuid4()
    event = record_event(
        event_type=EventType.COURSE_PUBLISHED,
        subject_type="course",
        subject_id=7,
        payload={"at": moment, "price": Decimal("19.50"), "key": key},
        actor_id=3,
    )
    stored = OutboxEvent.objects.get(pk=event.pk)
    assert stored.payload == {"at": "2026-05-01T12:30:00Z", "price": "19.50", "key": str(key)}
    assert (stored.subject_id, stored.actor_id, stored.relayed_at) == ("7", 3, None)


def test_a_batch_of_events_is_written_in_the_order_given(in_tenant_a):
    with transaction.atomic():
        events = record_events(
            event_type=EventType.USER_CREATED,
            subject_type="user",
            payloads=[(9, {"n": 1}), (4, {"n": 2, "at": datetime(2026, 5, 1, tzinfo=UTC)})],
            actor_id=2,
        )
    stored = list(OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk"))
    assert [(e.subject_id, e.payload) for e in stored] == [
        ("9", {"n": 1}),
        ("4", {"n": 2, "at": "2026-05-01T00:00:00Z"}),
    ]


def test_each_tenant_has_its_own_outbox(tenant_a, tenant_b, make_person):
    person = make_person(Role.LEARNER, email="only-in-a@example.com")
    with schema_context(tenant_a.schema), transaction.atomic():
        record_event(
            event_type=EventType.USER_UPDATED,
            subject_type="user",
            subject_id=person.pk,
            payload={"marker": "alpha-only"},
        )
    with schema_context(tenant_b.schema):
        assert not OutboxEvent.objects.filter(payload__marker="alpha-only").exists()
    with schema_context(tenant_a.schema):
        assert OutboxEvent.objects.filter(payload__marker="alpha-only").count() == 1
