"""Real concurrency in tenant A: threads with connections of their own that commit, and a
clean-up that removes everything such a test wrote."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.db.models import Max
from django_tenants.utils import schema_context

from tenant_apps.courses.models import Course
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import LearnerGroup, Role, User
from tests.builders import course_build
from tests.factories import UserFactory


def wait_for_lock_waiters(count: int, timeout: float = 10.0) -> None:
    """Block until `count` other sessions of this database wait on a lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)
    raise AssertionError(f"no {count} session(s) waiting on a lock after {timeout} s")


@dataclass
class CommittedWorld:
    """Rows committed in tenant A for one test, removed afterwards."""

    schema: str
    people: list[User] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    groups: list[LearnerGroup] = field(default_factory=list)

    def person(self, role: str = Role.LEARNER, **fields) -> User:
        with schema_context(self.schema):
            person = UserFactory(role=role, **fields)
        self.people.append(person)
        return person

    def course(self, **options) -> Course:
        with schema_context(self.schema):
            course = course_build(**options)
        self.courses.append(course)
        return course

    def group(self, name: str, members: list[User]) -> LearnerGroup:
        with schema_context(self.schema):
            group = LearnerGroup.objects.create(name=name)
            group.members.add(*members)
        self.groups.append(group)
        return group


@pytest.fixture
def committed(django_db_setup, django_db_blocker, tenant_a) -> Iterator[CommittedWorld]:
    """Let the test commit in tenant A; delete what it made afterwards."""
    with django_db_blocker.unblock():
        with schema_context(tenant_a.schema):
            last_event = OutboxEvent.objects.aggregate(last=Max("id"))["last"] or 0
        world = CommittedWorld(schema=tenant_a.schema)
        try:
            yield world
        finally:
            connection.set_schema_to_public()
            with schema_context(tenant_a.schema):
                people = [p.pk for p in world.people]
                Enrollment.objects.filter(user_id__in=people).delete()
                Enrollment.objects.filter(course__in=world.courses).delete()
                LearnerGroup.objects.filter(pk__in=[g.pk for g in world.groups]).delete()
                Course.objects.filter(pk__in=[c.pk for c in world.courses]).delete()
                User.objects.filter(pk__in=people).delete()
                OutboxEvent.objects.filter(id__gt=last_event).delete()
            connection.set_schema_to_public()
