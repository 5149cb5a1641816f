"""Fixtures for the courses tests: courses built with the real services (tests/builders.py),
and uploads stored in a temporary media folder."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils.functional import empty
from PIL import Image

from tenant_apps.courses.models import (
    Category,
    Course,
    CourseStatus,
    Lesson,
    LessonKind,
    Section,
    Tag,
)
from tenant_apps.people.models import User
from tests.builders import course_build
from tests.snapshots import snapshot


def _forget_media_root() -> None:
    # TenantFileSystemStorage caches its root and does not reset it when MEDIA_ROOT changes.
    if default_storage._wrapped is not empty:
        default_storage._wrapped.__dict__.pop("relative_media_root", None)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Iterator[str]:
    """Uploaded files land in a folder of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    _forget_media_root()
    yield settings.MEDIA_ROOT
    _forget_media_root()


BuildCourse = Callable[..., Course]


def build(
    owner: User,
    *,
    title: str = "Intro to Python",
    sections: int = 1,
    lessons: int = 1,
    publish: bool = False,
    **fields,
) -> Course:
    """A course of tests/builders.py in the current schema: `sections` sections of `lessons`
    text lessons each, a draft unless `publish`; `fields` go to `course_build` (course
    fields, `optional`)."""
    return course_build(
        owner=owner,
        title=title,
        sections=sections,
        lessons=[LessonKind.TEXT] * (sections * lessons),
        status=CourseStatus.PUBLISHED if publish else CourseStatus.DRAFT,
        **fields,
    )


@pytest.fixture
def build_course(in_tenant_a) -> BuildCourse:
    """Build courses in tenant A (see `build`)."""
    return build


def course_rows(tenant=None) -> dict:
    """Every course, section, lesson, category, tag and course tag of a tenant (else the
    current schema), with its events and audit log: a refused change touches none of them."""
    return snapshot(Course, Section, Lesson, Category, Tag, Course.tags.through, tenant=tenant)


def section_positions(course: Course) -> list[tuple[int, int]]:
    return list(
        Section.objects.filter(course=course).order_by("position").values_list("pk", "position")
    )


def lesson_positions(section: Section) -> list[tuple[str, int]]:
    return list(
        Lesson.objects.filter(section=section).order_by("position").values_list("title", "position")
    )


def check_deferred_constraints() -> None:
    """Run the deferred position constraints now, as the commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def image_upload(
    kind: str = "PNG", name: str = "cover.png", size: tuple[int, int] = (64, 48)
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")
