"""Creating many people at once (tenant_apps.people.services.bulk)."""

from __future__ import annotations

import pytest

from core.errors import Conflict
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import User
from tenant_apps.people.services.bulk import NewPerson, users_create_many
from tenant_apps.people.services.policy import new_person_defaults


def test_many_people_are_created_as_user_create_would(in_tenant_a, admin):
    users = users_create_many(
        people=[
            NewPerson(email=" A@Example.com ", full_name=" Ann ", external_id="X1"),
            NewPerson(
                email="b@example.com", role="instructor", attribute_sources={"role": "import"}
            ),
        ],
        actor=admin,
    )
    a, b = (User.objects.get(pk=u.pk) for u in users)
    assert (a.email, a.full_name, a.external_id, a.role) == (
        "a@example.com",
        "Ann",
        "X1",
        "learner",
    )
    assert (b.role, b.attribute_sources) == ("instructor", {"role": "import"})
    assert not a.has_usable_password()
    assert (a.locale, a.time_zone) == new_person_defaults()
    events = OutboxEvent.objects.filter(
        event_type="user.created", subject_id__in=[str(a.pk), str(b.pk)]
    )
    assert events.count() == 2
    assert events.get(subject_id=str(a.pk)).actor_id == admin.pk


def test_a_taken_email_refuses_the_whole_batch(in_tenant_a, admin):
    with pytest.raises(Conflict) as refused:
        users_create_many(
            people=[NewPerson(email="new@example.com"), NewPerson(email="ADA@example.com")],
            actor=admin,
        )
    assert [d.message for d in refused.value.details] == ["ada@example.com is taken."]
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_taken_external_id_refuses_the_whole_batch(in_tenant_a, admin):
    User.objects.filter(pk=admin.pk).update(external_id="X1")
    with pytest.raises(Conflict):
        users_create_many(
            people=[
                NewPerson(email="new@example.com"),
                NewPerson(email="c@example.com", external_id="X1"),
            ],
            actor=admin,
        )
    assert not User.objects.filter(email="new@example.com").exists()
