"""Enrolling at the same moment, for real: requests on separate connections that commit."""

from __future__ import annotations

import threading

from django.db import connections, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.errors import Conflict
from tenant_apps.enrollments import services
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import Role
from tenant_apps.people.tokens import token_pair_issue
from tests.concurrency import in_schema, race
from tests.tenant_apps.enrollments.concurrency import (
    committed,  # noqa: F401 (fixture)
    wait_for_lock_waiters,
)


def signed_in(world, user) -> APIClient:
    with schema_context(world.schema):
        pair = token_pair_issue(user=user)
    client = APIClient(HTTP_HOST="alpha.localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    return client


def test_two_enroll_requests_at_once_give_one_enrollment(committed):  # noqa: F811
    owner = committed.person(Role.INSTRUCTOR)
    learner = committed.person()
    course = committed.course(owner=owner)
    clients = [signed_in(committed, learner) for _ in range(2)]

    responses = race(
        [lambda c=client: c.post(f"/api/v1/courses/{course.pk}/enroll") for client in clients]
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    (conflict,) = [r for r in responses if r.status_code == 409]
    assert conflict.json()["error"]["code"] == "already_enrolled"
    with schema_context(committed.schema):
        (enrollment,) = Enrollment.objects.filter(user=learner, course=course)
        assert enrollment.status == "active"
        assert (
            OutboxEvent.objects.filter(
                event_type="enrollment.created", subject_id=str(enrollment.pk)
            ).count()
            == 1
        )


def test_losing_the_race_at_the_unique_index_is_already_enrolled(committed):  # noqa: F811
    """The second insert waits on the first's uncommitted row, then hits the index."""
    owner = committed.person(Role.INSTRUCTOR)
    learner = committed.person()
    course = committed.course(owner=owner)
    inserted, release = threading.Event(), threading.Event()

    def hold_an_uncommitted_enrollment() -> None:
        try:
            with schema_context(committed.schema), transaction.atomic():
                Enrollment.objects.create(
                    user=learner,
                    course=course,
                    status="active",
                    source="self",
                    activated_at=timezone.now(),
                )
                inserted.set()
                release.wait(30)
        finally:
            connections.close_all()

    outcome: list[object] = []

    def enroll() -> None:
        try:
            with schema_context(committed.schema):
                outcome.append(services.enrollment_self_enroll(user=learner, course=course))
        except Exception as exc:  # collected for the assertions
            outcome.append(exc)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_an_uncommitted_enrollment)
    holder.start()
    assert inserted.wait(10)
    enroller = threading.Thread(target=enroll)
    enroller.start()
    try:
        wait_for_lock_waiters(1)  # the enroller's INSERT waits on the holder's row
    finally:
        release.set()
        holder.join(30)
        enroller.join(30)

    (result,) = outcome
    assert isinstance(result, Conflict), result
    assert result.code.value == "already_enrolled"
    with schema_context(committed.schema):
        assert Enrollment.objects.filter(user=learner, course=course).count() == 1
        assert not OutboxEvent.objects.filter(
            event_type="enrollment.created", payload__user_id=learner.pk
        ).exists()


def test_group_assignment_and_self_enrollment_at_once(committed):  # noqa: F811
    admin = committed.person(Role.ADMIN)
    owner = committed.person(Role.INSTRUCTOR)
    members = [committed.person() for _ in range(5)]
    course = committed.course(owner=owner)
    group = committed.group("Racers", members)
    schema = committed.schema

    assignment, own = race(
        [
            in_schema(
                schema,
                lambda: services.enrollment_assign_group(group=group, course=course, actor=admin),
            ),
            in_schema(
                schema, lambda: services.enrollment_self_enroll(user=members[2], course=course)
            ),
        ]
    )

    assert not isinstance(assignment, Exception), assignment
    with schema_context(schema):
        rows = list(Enrollment.objects.filter(course=course).values_list("user_id", "source"))
    assert sorted(user_id for user_id, _ in rows) == sorted(m.pk for m in members)
    if isinstance(own, Exception):  # the group got there first
        assert isinstance(own, Conflict)
        assert (len(assignment.enrolled_ids), assignment.already_enrolled) == (5, 0)
    else:
        assert (len(assignment.enrolled_ids), assignment.already_enrolled) == (4, 1)
        assert (members[2].pk, "self") in rows
