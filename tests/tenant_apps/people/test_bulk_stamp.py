"""Creating people in a batch (HR syncs): the credentials stamp is replaced once per
batch, the enterprise attributes SCIM brings are kept; all or none."""

from __future__ import annotations

import pytest

from core.errors import Conflict
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people import token_cache
from tenant_apps.people.models import User
from tenant_apps.people.services.bulk import NewPerson, users_create_many


def test_a_batch_creates_announces_and_replaces_the_stamp_once(in_tenant_a):
    before = token_cache.credentials_stamp()
    made = users_create_many(
        people=[
            NewPerson(email=f"Batch{i}@Example.com", full_name=f"B {i}", external_id=f"x{i}")
            for i in range(20)
        ],
        actor=None,
    )
    after = token_cache.credentials_stamp()
    assert after != before
    assert [u.email for u in made] == [f"batch{i}@example.com" for i in range(20)]
    assert not any(u.has_usable_password() for u in made)
    assert User.objects.get(email="batch3@example.com").external_id == "x3"
    ids = [str(u.pk) for u in made]
    assert OutboxEvent.objects.filter(event_type="user.created", subject_id__in=ids).count() == 20


def test_a_batch_with_a_taken_address_creates_nobody(in_tenant_a):
    users_create_many(people=[NewPerson(email="one@example.com")], actor=None)
    with pytest.raises(Conflict):
        users_create_many(
            people=[NewPerson(email="two@example.com"), NewPerson(email="ONE@example.com")],
            actor=None,
        )
    with pytest.raises(Conflict):
        users_create_many(
            people=[NewPerson(email="three@example.com"), NewPerson(email="three@example.com")],
            actor=None,
        )
    assert not User.objects.filter(email__in=["two@example.com", "three@example.com"]).exists()
