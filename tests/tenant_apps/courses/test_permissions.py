"""Who may read and change courses. A refused change is a 403 (or a 404 where the course is
not even visible) and leaves everything exactly as it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.audit.models import AuditEntry
from tenant_apps.courses.models import Course, Lesson, Section
from tenant_apps.people.models import Role
from tests.snapshots import stored_files
from tests.tenant_apps.courses.conftest import build, course_rows, image_upload


def edit_attempts(course: Course) -> list[tuple[str, str, Any, str]]:
    """(method, path, body, format) for every change to a course and its structure."""
    first, second = Section.objects.filter(course=course).order_by("position")
    one, two = Lesson.objects.filter(section=first).order_by("position")
    return [
        ("patch", f"courses/{course.pk}", {"title": "Hijacked"}, "json"),
        ("delete", f"courses/{course.pk}", None, "json"),
        ("post", f"courses/{course.pk}/publish", None, "json"),
        ("post", f"courses/{course.pk}/archive", None, "json"),
        ("put", f"courses/{course.pk}/thumbnail", {"thumbnail": image_upload()}, "multipart"),
        ("delete", f"courses/{course.pk}/thumbnail", None, "json"),
        ("post", f"courses/{course.pk}/sections", {"title": "Extra"}, "json"),
        (
            "put",
            f"courses/{course.pk}/sections/order",
            {"section_ids": [second.pk, first.pk]},
            "json",
        ),
        ("patch", f"sections/{first.pk}", {"title": "Renamed"}, "json"),
        ("delete", f"sections/{first.pk}", None, "json"),
        ("post", f"sections/{first.pk}/lessons", {"title": "Extra", "kind": "quiz"}, "json"),
        ("put", f"sections/{first.pk}/lessons/order", {"lesson_ids": [two.pk, one.pk]}, "json"),
        ("patch", f"lessons/{one.pk}", {"title": "Renamed"}, "json"),
        ("delete", f"lessons/{one.pk}", None, "json"),
        ("post", f"lessons/{one.pk}/move", {"section_id": second.pk}, "json"),
        (
            "put",
            f"lessons/{one.pk}/attachment",
            {"attachment": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
            "multipart",
        ),
        (
            "put",
            f"lessons/{one.pk}/video",
            {"video_file": SimpleUploadedFile("v.mp4", b"\x00\x00\x00\x18ftypmp42")},
            "multipart",
        ),
    ]


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (Role.LEARNER, "published", 403),
        (Role.CONTENT_CREATOR, "published", 403),
        (Role.LEARNER, "draft", 404),
        (Role.CONTENT_CREATOR, "draft", 404),
        (Role.LEARNER, "archived", 404),
        (Role.CONTENT_CREATOR, "archived", 404),
    ],
)
def test_changes_by_others_are_refused_and_change_nothing(
    api, make_person, author, in_tenant_a, role, status, expected
):
    course = build(author, sections=2, lessons=2, publish=status != "draft", tags=["keep"])
    if status == "archived":
        from tenant_apps.courses.services import course_archive

        course = course_archive(course=course, actor=author)
    client = api(make_person(role))
    before, files_before = course_rows(), stored_files()
    for method, path, body, body_format in edit_attempts(course):
        response = getattr(client, method)(f"/api/v1/{path}", body, format=body_format)
        assert response.status_code == expected, (method, path, response.json())
        code = "permission_denied" if expected == 403 else "not_found"
        assert response.json()["error"]["code"] == code
        assert (course_rows(), stored_files()) == (before, files_before), (method, path)


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ADMIN])
def test_instructors_and_admins_edit_anyones_course(api, make_person, author, in_tenant_a, role):
    course = build(author)
    editor = make_person(role)
    client = api(editor)
    assert client.patch(f"/api/v1/courses/{course.pk}", {"title": "Better"}).status_code == 200
    section = client.post(f"/api/v1/courses/{course.pk}/sections", {"title": "More"})
    assert section.status_code == 201
    published = client.post(f"/api/v1/courses/{course.pk}/publish")
    assert published.status_code == 200
    course.refresh_from_db()
    assert (course.title, course.status, course.owner_id) == ("Better", "published", author.pk)
    assert AuditEntry.objects.get().actor_id == editor.pk


def test_authors_edit_their_own_courses(api, author, in_tenant_a):
    course = build(author)
    client = api(author)
    assert client.patch(f"/api/v1/courses/{course.pk}", {"title": "Mine"}).status_code == 200
    assert client.post(f"/api/v1/courses/{course.pk}/publish").status_code == 200


def test_learners_cannot_create_courses_or_categories(api, learner, in_tenant_a):
    client = api(learner)
    before = course_rows()
    response = client.post("/api/v1/courses", {"title": "Mine"})
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "Your role does not allow this.",
        "details": [],
    }
    assert client.post("/api/v1/categories", {"name": "Mine"}).status_code == 403
    assert course_rows() == before


@pytest.mark.parametrize("role", [Role.CONTENT_CREATOR, Role.INSTRUCTOR, Role.ADMIN])
def test_authors_create_courses_they_own(api, make_person, in_tenant_a, role):
    creator = make_person(role)
    response = api(creator).post("/api/v1/courses", {"title": "Mine"})
    assert response.status_code == 201
    assert Course.objects.get().owner_id == creator.pk
    assert response.json()["owner"]["id"] == creator.pk


def test_learners_read_the_outline_of_published_courses(api, learner, author, in_tenant_a):
    course = build(author, sections=1, lessons=0)
    section = course.sections.get()
    from tenant_apps.courses.services import course_publish, lesson_create

    lesson = lesson_create(section=section, title="Read me", kind="text", body_markdown="*Hi*")
    course_publish(course=course, actor=author)
    client = api(learner)

    detail = client.get(f"/api/v1/courses/{course.pk}")
    assert detail.status_code == 200
    assert [
        (s["title"], [lesson["title"] for lesson in s["lessons"]])
        for s in detail.json()["sections"]
    ] == [("Section 1", ["Read me"])]
    assert client.get(f"/api/v1/courses/{course.pk}/sections").status_code == 200
    listed = client.get(f"/api/v1/sections/{section.pk}/lessons")
    assert listed.status_code == 200
    assert "body_html" not in listed.json()[0]
    # The content is for enrollees (tests/tenant_apps/courses/test_lesson_content.py).
    assert client.get(f"/api/v1/lessons/{lesson.pk}").status_code == 403


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_unpublished_courses_do_not_exist_for_learners_and_other_authors(
    api, learner, other_author, author, instructor, in_tenant_a, status
):
    course = build(author, publish=status == "archived")
    if status == "archived":
        from tenant_apps.courses.services import course_archive

        course_archive(course=course, actor=author)
    section, lesson = course.sections.get(), course.lessons.get()
    paths = [
        f"courses/{course.pk}",
        f"courses/{course.pk}/sections",
        f"sections/{section.pk}",
        f"sections/{section.pk}/lessons",
        f"lessons/{lesson.pk}",
    ]
    for person in (learner, other_author):
        for path in paths:
            assert api(person).get(f"/api/v1/{path}").status_code == 404, (person.role, path)
    for person in (author, instructor):
        for path in paths:
            assert api(person).get(f"/api/v1/{path}").status_code == 200, (person.role, path)
