"""Edits of one course's structure racing for real: threads with their own database
connections that commit. Whatever interleaving happens, positions stay 1..n with no
duplicates and no gaps, and every outcome is a success or a clean 409."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from core.errors import Conflict
from tenant_apps.audit.models import AuditEntry
from tenant_apps.courses import services
from tenant_apps.courses.models import Course, Lesson, LessonKind, Section, Tag
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import user_create
from tests.concurrency import race_in_schema
from tests.tenant_apps.courses.conftest import build


@dataclass(frozen=True)
class CommittedCourse:
    schema: str
    owner: User
    course: Course

    def sections(self) -> list[Section]:
        return list(Section.objects.filter(course=self.course).order_by("position"))


@pytest.fixture
def committed(tenant_a, django_db_blocker) -> Iterator[CommittedCourse]:
    """A course with three sections of three lessons, committed for real; removed after."""
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        # A fresh address each time: a failed clean-up must not break the next test.
        owner = user_create(
            email=f"racer-{uuid.uuid4().hex[:8]}@example.com", role=Role.CONTENT_CREATOR
        )
        course = build(owner, title="Racing", sections=3, lessons=3)
        try:
            yield CommittedCourse(schema=tenant_a.schema, owner=owner, course=course)
        finally:
            Course.objects.filter(owner=owner).delete()
            Tag.objects.all().delete()
            AuditEntry.objects.filter(actor_id=owner.pk).delete()
            OutboxEvent.objects.filter(subject_type="user", subject_id=str(owner.pk)).delete()
            owner.delete()


def assert_consistent(course: Course) -> None:
    """Sections 1..n; each section's lessons 1..m; every lesson in its course."""
    positions = list(
        Section.objects.filter(course=course)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert positions == list(range(1, len(positions) + 1))
    for section in Section.objects.filter(course=course):
        lesson_positions = list(
            Lesson.objects.filter(section=section)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert lesson_positions == list(range(1, len(lesson_positions) + 1)), section.title
    assert not Lesson.objects.filter(section__course=course).exclude(course=course).exists()


def test_simultaneous_reorders_leave_one_of_the_orders(committed):
    rng = random.Random(7)
    for _round in range(5):
        ids = [s.pk for s in committed.sections()]
        orders = [rng.sample(ids, len(ids)) for _ in range(3)]
        results = race_in_schema(
            committed.schema,
            [
                lambda order=order: services.sections_reorder(
                    course=committed.course, section_ids=order
                )
                for order in orders
            ],
        )
        assert all(not isinstance(r, Exception) for r in results), results
        assert_consistent(committed.course)
        assert [s.pk for s in committed.sections()] in orders


def test_simultaneous_appends_get_distinct_positions(committed):
    results = race_in_schema(
        committed.schema,
        [
            lambda n=n: services.section_create(course=committed.course, title=f"New {n}")
            for n in range(6)
        ],
    )
    assert all(isinstance(r, Section) for r in results), results
    assert sorted(r.position for r in results) == [4, 5, 6, 7, 8, 9]
    assert_consistent(committed.course)


def test_reorders_racing_appends_either_apply_or_conflict(committed):
    for round_number in range(4):
        ids = [s.pk for s in committed.sections()]
        results = race_in_schema(
            committed.schema,
            [
                lambda ids=ids: services.sections_reorder(
                    course=committed.course, section_ids=list(reversed(ids))
                ),
                lambda n=round_number: services.section_create(
                    course=committed.course, title=f"Added {n}"
                ),
            ],
        )
        reorder, added = results
        assert isinstance(added, Section), added
        if isinstance(reorder, Exception):
            # The append committed first: the list no longer names every section.
            assert isinstance(reorder, Conflict), reorder
            assert reorder.code.value == "order_mismatch"
        else:
            assert [s.pk for s in committed.sections()] == [*reversed(ids), added.pk]
        assert_consistent(committed.course)


def test_lesson_moves_creates_and_reorders_at_once_stay_consistent(committed):
    first, second, third = committed.sections()
    for _round in range(3):
        first_ids = list(
            Lesson.objects.filter(section=first).order_by("position").values_list("pk", flat=True)
        )
        movable = Lesson.objects.filter(section=second).order_by("position").first()
        from_third = Lesson.objects.filter(section=third).order_by("position").last()
        results = race_in_schema(
            committed.schema,
            [
                lambda: services.lesson_create(section=first, title="Extra", kind=LessonKind.QUIZ),
                lambda: services.lesson_create(section=second, title="More", kind=LessonKind.QUIZ),
                lambda movable=movable: services.lesson_move(
                    lesson=movable, section_id=first.pk, position=1
                ),
                lambda ids=first_ids: services.lessons_reorder(
                    section=first, lesson_ids=list(reversed(ids))
                ),
                lambda from_third=from_third: services.lesson_move(
                    lesson=from_third, section_id=second.pk
                ),
            ],
        )
        for result in results:
            if isinstance(result, Exception):
                assert isinstance(result, Conflict), result
                assert result.code.value == "order_mismatch"
        assert_consistent(committed.course)
    assert Lesson.objects.filter(course=committed.course).count() == 9 + 3 * 2
    assert not Lesson.objects.filter(section=third).exists()


def test_courses_created_at_once_get_distinct_slugs_and_share_new_tags(committed):
    results = race_in_schema(
        committed.schema,
        [
            lambda: services.course_create(
                owner=committed.owner, title="Same Title", tags=["Brand New", "racing"]
            )
            for _ in range(3)
        ],
    )
    assert all(isinstance(r, Course) for r in results), results
    assert sorted(r.slug for r in results) == ["same-title", "same-title-2", "same-title-3"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Brand New", "racing"]
    for course in results:
        assert sorted(course.tags.values_list("name", flat=True)) == ["Brand New", "racing"]
