"""The course outputs are written out field by field for speed; they must give exactly what
DRF's generic loop over their declared fields (the ones the OpenAPI schema shows) gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from tenant_apps.courses import selectors, services
from tenant_apps.courses.models import Course
from tenant_apps.courses.serializers import CourseDetailOutput, CourseOutput
from tenant_apps.people.models import User
from tests.tenant_apps.courses.conftest import build, image_upload


def generic(serializer: serializers.Serializer, course: Course) -> dict:
    return serializers.Serializer.to_representation(serializer, course)


@pytest.fixture
def courses(in_tenant_a, author: User) -> list[Course]:
    category = services.category_create(name="Programming")
    plain = build(author, title="Plain draft", sections=0)
    rich = build(
        author,
        title="Rich",
        description="All the fields.",
        category_id=category.pk,
        tags=["python", "Beginner"],
        price=Decimal("19.5"),
        currency="EUR",
        certificate_enabled=True,
        sections=2,
        lessons=2,
        publish=True,
    )
    services.course_thumbnail_set(course=rich, upload=image_upload())
    archived = build(author, title="Retired", publish=True)
    services.course_archive(course=archived, actor=author)
    return [plain, rich, archived]


def test_list_output_is_what_the_declared_fields_give(courses, author: User) -> None:
    listed = list(selectors.course_catalogue(user=author))
    assert len(listed) == 3
    serializer = CourseOutput()
    for course in listed:
        assert serializer.to_representation(course) == generic(serializer, course)
    rich = next(course for course in listed if course.title == "Rich")
    shown = serializer.to_representation(rich)
    assert shown["category"]["name"] == "Programming"
    assert shown["thumbnail_url"] and shown["price_amount"] == 1950
    assert shown["price_display"] == "€19.50"
    assert shown["tags"] == ["Beginner", "python"] and shown["lesson_count"] == 4


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/St_Johns"])
def test_list_output_matches_in_other_time_zones(courses, author: User, zone: str) -> None:
    serializer = CourseOutput()
    with timezone.override(zone):
        for course in selectors.course_catalogue(user=author):
            shown = serializer.to_representation(course)
            assert shown == generic(serializer, course)
            assert not shown["created_at"].endswith("Z")


def test_detail_output_is_what_the_declared_fields_give(courses, author: User) -> None:
    for course in courses:
        detailed = selectors.course_detail(user=author, course_id=course.pk)
        serializer = CourseDetailOutput()
        assert serializer.to_representation(detailed) == generic(serializer, detailed)
    rich = selectors.course_detail(user=author, course_id=courses[1].pk)
    sections = CourseDetailOutput().to_representation(rich)["sections"]
    assert [len(section["lessons"]) for section in sections] == [2, 2]


def test_output_fields_are_the_declared_ones(courses, author: User) -> None:
    course = selectors.course_detail(user=author, course_id=courses[1].pk)
    assert list(CourseOutput().to_representation(course)) == CourseOutput.Meta.fields
    assert list(CourseDetailOutput().to_representation(course)) == CourseDetailOutput.Meta.fields
