"""Ordering sections and lessons: full-list reorders, moves between sections, and the
checks that keep positions 1..n."""

from __future__ import annotations

import pytest

from core.errors import Conflict, ValidationFailed
from tenant_apps.courses import services
from tenant_apps.courses.models import Lesson, Section
from tests.tenant_apps.courses.conftest import (
    check_deferred_constraints,
    course_rows,
    lesson_positions,
    section_positions,
)


@pytest.fixture
def course(build_course, author):
    return build_course(author, sections=3, lessons=3)


def sections(course) -> list[Section]:
    return list(Section.objects.filter(course=course).order_by("position"))


def test_sections_take_the_order_given(course):
    first, second, third = sections(course)
    result = services.sections_reorder(course=course, section_ids=[third.pk, first.pk, second.pk])
    assert [s.pk for s in result] == [third.pk, first.pk, second.pk]
    check_deferred_constraints()
    assert section_positions(course) == [(third.pk, 1), (first.pk, 2), (second.pk, 3)]


@pytest.mark.parametrize(
    ("order", "details"),
    [
        (lambda a, b, c: [a, b], ["Missing: [{c}]."]),
        (lambda a, b, c: [a, b, c, 999999], ["Not here: [999999]."]),
        (lambda a, b, c: [a, b, b], ["Missing: [{c}].", "Given twice: [{b}]."]),
        (lambda a, b, c: [a, b, c, c], ["Given twice: [{c}]."]),
        (lambda a, b, c: [], ["Missing: [{a}, {b}, {c}]."]),
    ],
)
def test_an_order_that_does_not_match_is_a_conflict(course, order, details):
    a, b, c = (s.pk for s in sections(course))
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.sections_reorder(course=course, section_ids=order(a, b, c))
    assert caught.value.code.value == "order_mismatch"
    assert caught.value.status == 409
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("section_ids", message.format(a=a, b=b, c=c)) for message in details
    ]
    assert course_rows() == before


def test_sections_of_another_course_are_not_accepted(course, build_course, author):
    other = build_course(author, title="Other", sections=1, lessons=0)
    first, second, _third = sections(course)
    ids = [first.pk, second.pk, sections(other)[0].pk]
    before = course_rows()
    with pytest.raises(Conflict):
        services.sections_reorder(course=course, section_ids=ids)
    assert course_rows() == before


def test_lessons_take_the_order_given(course):
    section = sections(course)[0]
    one, two, three = Lesson.objects.filter(section=section).order_by("position")
    services.lessons_reorder(section=section, lesson_ids=[two.pk, three.pk, one.pk])
    check_deferred_constraints()
    assert lesson_positions(section) == [("Lesson 1.2", 1), ("Lesson 1.3", 2), ("Lesson 1.1", 3)]

    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.lessons_reorder(section=section, lesson_ids=[one.pk, two.pk])
    assert caught.value.code.value == "order_mismatch"
    assert [d.field for d in caught.value.details] == ["lesson_ids"]
    assert course_rows() == before


def test_a_lesson_of_another_section_is_not_accepted_in_a_reorder(course):
    first, second, _third = sections(course)
    ids = list(Lesson.objects.filter(section=first).values_list("pk", flat=True))
    ids[0] = Lesson.objects.filter(section=second).first().pk
    before = course_rows()
    with pytest.raises(Conflict):
        services.lessons_reorder(section=first, lesson_ids=ids)
    assert course_rows() == before


def test_moving_a_lesson_to_another_section_closes_and_opens_gaps(course):
    first, second, _third = sections(course)
    moving = Lesson.objects.get(title="Lesson 1.2")
    moved = services.lesson_move(lesson=moving, section_id=second.pk, position=2)
    assert (moved.section_id, moved.position, moved.course_id) == (second.pk, 2, course.pk)
    check_deferred_constraints()
    assert lesson_positions(first) == [("Lesson 1.1", 1), ("Lesson 1.3", 2)]
    assert lesson_positions(second) == [
        ("Lesson 2.1", 1),
        ("Lesson 1.2", 2),
        ("Lesson 2.2", 3),
        ("Lesson 2.3", 4),
    ]


def test_moving_without_a_position_or_past_the_end_appends(course):
    first, second, _third = sections(course)
    services.lesson_move(lesson=Lesson.objects.get(title="Lesson 1.1"), section_id=second.pk)
    services.lesson_move(
        lesson=Lesson.objects.get(title="Lesson 1.2"), section_id=second.pk, position=99
    )
    check_deferred_constraints()
    assert [t for t, _p in lesson_positions(second)] == [
        "Lesson 2.1",
        "Lesson 2.2",
        "Lesson 2.3",
        "Lesson 1.1",
        "Lesson 1.2",
    ]
    assert [p for _t, p in lesson_positions(second)] == [1, 2, 3, 4, 5]
    assert lesson_positions(first) == [("Lesson 1.3", 1)]


def test_moving_within_a_section(course):
    first = sections(course)[0]
    services.lesson_move(
        lesson=Lesson.objects.get(title="Lesson 1.3"), section_id=first.pk, position=1
    )
    check_deferred_constraints()
    assert lesson_positions(first) == [("Lesson 1.3", 1), ("Lesson 1.1", 2), ("Lesson 1.2", 3)]


def test_moving_to_a_section_of_another_course_is_refused(course, build_course, author):
    other_section = sections(build_course(author, title="Other", lessons=0))[0]
    lesson = Lesson.objects.get(title="Lesson 1.1")
    before = course_rows()
    with pytest.raises(ValidationFailed) as caught:
        services.lesson_move(lesson=lesson, section_id=other_section.pk)
    assert caught.value.code.value == "section_not_in_course"
    assert [d.field for d in caught.value.details] == ["section_id"]
    assert course_rows() == before


def test_a_moved_lesson_can_be_appended_after(course):
    first, second, _third = sections(course)
    services.lesson_move(lesson=Lesson.objects.get(title="Lesson 1.1"), section_id=second.pk)
    services.lesson_create(section=first, title="New", kind="quiz")
    services.lesson_create(section=second, title="Newer", kind="quiz")
    check_deferred_constraints()
    assert [p for _t, p in lesson_positions(first)] == [1, 2, 3]
    assert lesson_positions(second)[-2:] == [("Lesson 1.1", 4), ("Newer", 5)]


def test_the_database_itself_refuses_duplicate_positions_at_commit(course):
    from django.db import IntegrityError, transaction

    first, second, _third = sections(course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.filter(pk=second.pk).update(position=first.position)
        check_deferred_constraints()
