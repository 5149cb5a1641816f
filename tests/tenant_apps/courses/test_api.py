"""The courses API: authoring a course end to end, the error bodies of bad input, another
tenant's ids, and inputs that must never cause a 500."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.courses import services
from tenant_apps.courses.models import Category, Course, Lesson, Section
from tenant_apps.people.models import Role
from tests.snapshots import stored_files
from tests.tenant_apps.courses.conftest import build, course_rows, image_upload


def error_fields(response) -> set[str]:
    return {detail["field"] for detail in response.json()["error"]["details"]}


@pytest.fixture
def as_author(api, author):
    return api(author)


# ------------------------------------------------------------------------------------------
# Authoring a course from start to finish
def test_create_course_returns_it_with_defaults(as_author, author, in_tenant_a):
    category = Category.objects.create(name="Programming", slug="programming")
    response = as_author.post(
        "/api/v1/courses",
        {
            "title": "Intro to Python",
            "description": "Start here.",
            "category_id": category.pk,
            "tags": ["python", "Beginners"],
            "price_amount": 1999,
            "currency": "EUR",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    course = Course.objects.get()
    assert body == {
        "id": course.pk,
        "title": "Intro to Python",
        "slug": "intro-to-python",
        "description": "Start here.",
        "thumbnail_url": None,
        "category": {"id": category.pk, "name": "Programming", "slug": "programming"},
        "tags": ["Beginners", "python"],
        "difficulty": "beginner",
        "language": "en",
        "estimated_minutes": 0,
        "price_amount": 1999,
        "currency": "EUR",
        "price_display": "€19.99",
        "is_free": False,
        "status": "draft",
        "certificate_enabled": False,
        "passing_score": 70,
        "owner": {"id": author.pk, "full_name": "Carla Creator"},
        "lesson_count": 0,
        "published_at": None,
        "archived_at": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "sections": [],
    }


def test_author_builds_publishes_and_archives_a_course(as_author, in_tenant_a):
    course_id = as_author.post("/api/v1/courses", {"title": "Git"}).json()["id"]

    basics = as_author.post(f"/api/v1/courses/{course_id}/sections", {"title": "Basics"})
    assert basics.status_code == 201
    assert basics.json() == {
        "id": basics.json()["id"],
        "course_id": course_id,
        "title": "Basics",
        "position": 1,
        "lessons": [],
    }
    section_id = basics.json()["id"]
    text = as_author.post(
        f"/api/v1/sections/{section_id}/lessons",
        {"title": "What is Git", "kind": "text", "body_markdown": "Git is *distributed*."},
    )
    assert text.status_code == 201
    assert text.json()["body_html"] == "<p>Git is <em>distributed</em>.</p>"
    assert text.json()["position"] == 1
    video = as_author.post(
        f"/api/v1/sections/{section_id}/lessons",
        {
            "title": "Demo",
            "kind": "video",
            "video_url": "https://videos.example/git",
            "duration_seconds": 300,
        },
    )
    assert (video.status_code, video.json()["position"]) == (201, 2)

    published = as_author.post(f"/api/v1/courses/{course_id}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["lesson_count"] == 2
    assert published.json()["sections"] == [
        {
            "id": section_id,
            "course_id": course_id,
            "title": "Basics",
            "position": 1,
            "lessons": [
                {
                    "id": text.json()["id"],
                    "title": "What is Git",
                    "kind": "text",
                    "position": 1,
                    "is_required": True,
                    "is_preview": False,
                    "duration_seconds": 0,
                },
                {
                    "id": video.json()["id"],
                    "title": "Demo",
                    "kind": "video",
                    "position": 2,
                    "is_required": True,
                    "is_preview": False,
                    "duration_seconds": 300,
                },
            ],
        }
    ]
    before = course_rows()
    again = as_author.post(f"/api/v1/courses/{course_id}/publish")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_status_transition"
    assert course_rows() == before

    archived = as_author.post(f"/api/v1/courses/{course_id}/archive")
    assert (archived.status_code, archived.json()["status"]) == (200, "archived")
    before = course_rows()
    assert as_author.post(f"/api/v1/courses/{course_id}/publish").status_code == 409
    assert course_rows() == before


def test_publishing_without_lessons_is_a_conflict(as_author, in_tenant_a):
    course_id = as_author.post("/api/v1/courses", {"title": "Empty"}).json()["id"]
    before = course_rows()
    response = as_author.post(f"/api/v1/courses/{course_id}/publish")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "course_has_no_lessons",
            "message": "A course needs at least one lesson to be published.",
            "details": [{"field": "lessons", "message": "Add a lesson first."}],
        }
    }
    assert course_rows() == before


def test_the_last_required_lesson_of_a_published_course_stays_required(
    as_author, build_course, author
):
    course = build_course(author, lessons=1, publish=True)
    (lesson,) = Lesson.objects.filter(course=course)
    before = course_rows()
    response = as_author.patch(f"/api/v1/lessons/{lesson.pk}", {"is_required": False})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_required_lesson_of_published_course"
    assert error_fields(response) == {"is_required"}
    assert course_rows() == before


def test_update_and_delete_a_course(as_author, build_course, author):
    course = build_course(author, tags=["old"])
    response = as_author.patch(
        f"/api/v1/courses/{course.pk}",
        {"title": "Renamed", "tags": ["New"], "price_amount": 550, "passing_score": 0},
    )
    assert response.status_code == 200
    body = response.json()
    assert (
        body["title"],
        body["slug"],
        body["tags"],
        body["price_amount"],
        body["passing_score"],
    ) == (
        "Renamed",
        "intro-to-python",
        ["New"],
        550,
        0,
    )
    assert as_author.delete(f"/api/v1/courses/{course.pk}").status_code == 204
    assert not Course.objects.filter(pk=course.pk).exists()
    assert as_author.get(f"/api/v1/courses/{course.pk}").status_code == 404


def test_published_course_cannot_be_deleted(as_author, build_course, author):
    course = build_course(author, publish=True)
    before = course_rows()
    response = as_author.delete(f"/api/v1/courses/{course.pk}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "course_not_draft"
    assert course_rows() == before


def test_status_cannot_be_set_by_patch(as_author, build_course, author):
    course = build_course(author)
    before = course_rows()
    response = as_author.patch(f"/api/v1/courses/{course.pk}", {"status": "published"})
    assert response.status_code == 400
    # Not a field of the request in the API document: refused before the serializer.
    assert response.json()["error"]["details"] == [{"field": "status", "message": "Unknown field."}]
    assert course_rows() == before


def test_thumbnail_upload_and_removal(as_author, build_course, author):
    course = build_course(author)
    url = f"/api/v1/courses/{course.pk}/thumbnail"
    response = as_author.put(url, {"thumbnail": image_upload("JPEG", "c.jpg")}, format="multipart")
    assert response.status_code == 200
    assert response.json()["thumbnail_url"] == f"/media/t_alpha/courses/{course.pk}/thumbnail.jpg"

    before, files_before = course_rows(), stored_files()
    refused = as_author.put(url, {"thumbnail": image_upload("GIF", "c.gif")}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "thumbnail_invalid",
        "message": "The thumbnail was refused.",
        "details": [{"field": "thumbnail", "message": "Use a JPEG, PNG or WebP image."}],
    }
    missing = as_author.put(url, {}, format="multipart")
    assert (missing.status_code, error_fields(missing)) == (400, {"thumbnail"})
    as_json = as_author.put(url, {"thumbnail": "x"}, format="json")
    assert as_json.status_code == 415
    assert (course_rows(), stored_files()) == (before, files_before)

    removed = as_author.delete(url)
    assert (removed.status_code, removed.json()["thumbnail_url"]) == (200, None)


def test_sections_listing_renaming_ordering_and_deleting(as_author, build_course, author):
    course = build_course(author, sections=3, lessons=1)
    first, second, third = Section.objects.filter(course=course).order_by("position")

    listed = as_author.get(f"/api/v1/courses/{course.pk}/sections")
    assert [(s["title"], s["position"]) for s in listed.json()] == [
        ("Section 1", 1),
        ("Section 2", 2),
        ("Section 3", 3),
    ]
    renamed = as_author.patch(f"/api/v1/sections/{second.pk}", {"title": "Middle"})
    assert (renamed.status_code, renamed.json()["title"]) == (200, "Middle")

    ordered = as_author.put(
        f"/api/v1/courses/{course.pk}/sections/order",
        {"section_ids": [third.pk, first.pk, second.pk]},
    )
    assert ordered.status_code == 200
    assert [(s["id"], s["position"]) for s in ordered.json()] == [
        (third.pk, 1),
        (first.pk, 2),
        (second.pk, 3),
    ]
    before = course_rows()
    stale = as_author.put(
        f"/api/v1/courses/{course.pk}/sections/order", {"section_ids": [first.pk, second.pk]}
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "order_mismatch"
    assert stale.json()["error"]["details"] == [
        {"field": "section_ids", "message": f"Missing: [{third.pk}]."}
    ]
    assert course_rows() == before

    assert as_author.delete(f"/api/v1/sections/{third.pk}").status_code == 204
    remaining = as_author.get(f"/api/v1/courses/{course.pk}/sections").json()
    assert [(s["id"], s["position"]) for s in remaining] == [(first.pk, 1), (second.pk, 2)]


def test_lessons_ordering_moving_and_editing(as_author, build_course, author):
    course = build_course(author, sections=2, lessons=2)
    first, second = Section.objects.filter(course=course).order_by("position")
    one, two = Lesson.objects.filter(section=first).order_by("position")

    ordered = as_author.put(
        f"/api/v1/sections/{first.pk}/lessons/order", {"lesson_ids": [two.pk, one.pk]}
    )
    assert [(lesson["title"], lesson["position"]) for lesson in ordered.json()] == [
        ("Lesson 1.2", 1),
        ("Lesson 1.1", 2),
    ]
    moved = as_author.post(
        f"/api/v1/lessons/{one.pk}/move", {"section_id": second.pk, "position": 1}
    )
    assert moved.status_code == 200
    assert (moved.json()["section_id"], moved.json()["position"]) == (second.pk, 1)
    listed = as_author.get(f"/api/v1/sections/{second.pk}/lessons").json()
    assert [(lesson["title"], lesson["position"]) for lesson in listed] == [
        ("Lesson 1.1", 1),
        ("Lesson 2.1", 2),
        ("Lesson 2.2", 3),
    ]

    edited = as_author.patch(
        f"/api/v1/lessons/{two.pk}",
        {"title": "Intro", "body_markdown": "# Hi", "is_required": False},
    )
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["body_html"], edited.json()["is_required"]) == (
        "Intro",
        "<h1>Hi</h1>",
        False,
    )
    before = course_rows()
    kind_change = as_author.patch(f"/api/v1/lessons/{two.pk}", {"kind": "video"})
    assert kind_change.status_code == 400
    assert error_fields(kind_change) == {"kind"}
    assert course_rows() == before
    assert as_author.delete(f"/api/v1/lessons/{two.pk}").status_code == 204
    assert not Lesson.objects.filter(pk=two.pk).exists()


def test_moving_a_lesson_to_another_courses_section_names_the_field(
    as_author, build_course, author
):
    lesson = build_course(author).lessons.get()
    elsewhere = build_course(author, title="Other").sections.get()
    before = course_rows()
    response = as_author.post(f"/api/v1/lessons/{lesson.pk}/move", {"section_id": elsewhere.pk})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "section_not_in_course"
    assert error_fields(response) == {"section_id"}
    assert course_rows() == before


def test_file_lesson_attachment_and_video_upload(as_author, build_course, author):
    section = build_course(author, lessons=0).sections.get()
    file_lesson = as_author.post(
        f"/api/v1/sections/{section.pk}/lessons", {"title": "Slides", "kind": "file"}
    ).json()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    slides = SimpleUploadedFile("deck.pptx", buffer.getvalue())
    stored = as_author.put(
        f"/api/v1/lessons/{file_lesson['id']}/attachment",
        {"attachment": slides},
        format="multipart",
    )
    assert stored.status_code == 200
    lesson_id = file_lesson["id"]
    assert stored.json()["attachment_url"] == (
        f"/media/t_alpha/courses/{section.course_id}/lessons/{lesson_id}/deck.pptx"
    )
    assert stored.json()["attachment_name"] == "deck.pptx"

    before, files_before = course_rows(), stored_files()
    refused = as_author.put(
        f"/api/v1/lessons/{lesson_id}/attachment",
        {"attachment": SimpleUploadedFile("run.sh", b"#!/bin/sh")},
        format="multipart",
    )
    assert (refused.status_code, error_fields(refused)) == (400, {"attachment"})
    assert (course_rows(), stored_files()) == (before, files_before)

    video_lesson = as_author.post(
        f"/api/v1/sections/{section.pk}/lessons", {"title": "Clip", "kind": "video"}
    ).json()
    clip = SimpleUploadedFile("clip.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 32)
    uploaded = as_author.put(
        f"/api/v1/lessons/{video_lesson['id']}/video", {"video_file": clip}, format="multipart"
    )
    assert uploaded.status_code == 200
    assert uploaded.json()["video_file_url"].endswith(f"/lessons/{video_lesson['id']}/clip.webm")
    before, files_before = course_rows(), stored_files()
    wrong_kind = as_author.put(
        f"/api/v1/lessons/{lesson_id}/video",
        {"video_file": SimpleUploadedFile("clip.webm", b"\x1a\x45\xdf\xa3")},
        format="multipart",
    )
    assert (wrong_kind.status_code, error_fields(wrong_kind)) == (400, {"video_file"})
    assert (course_rows(), stored_files()) == (before, files_before)


def test_categories_are_listed_and_created_by_authors(as_author, api, learner, in_tenant_a):
    created = as_author.post("/api/v1/categories", {"name": "Data Science"})
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "name": "Data Science",
        "slug": "data-science",
    }
    as_learner = api(learner)
    before = course_rows()
    duplicate = as_author.post("/api/v1/categories", {"name": "data science"})
    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (409, "category_taken")
    listed = as_learner.get("/api/v1/categories")
    assert listed.status_code == 200
    assert listed.json()["results"] == [created.json()]
    denied = as_learner.post("/api/v1/categories", {"name": "Mine"})
    assert denied.status_code == 403
    assert course_rows() == before


# ------------------------------------------------------------------------------------------
# Bad input: 400 naming the field, nothing written
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "nul\x00byte"}, "title"),
        ({"title": 12}, "title"),  # a number is not text (the API document says string)
        ({"title": ["list"]}, "title"),
        ({"title": "T", "slug": "not a slug!"}, "slug"),
        ({"title": "T", "slug": "s" * 201}, "slug"),
        ({"title": "T", "description": "d" * 20_001}, "description"),
        ({"title": "T", "price_amount": -1}, "price_amount"),
        ({"title": "T", "price_amount": "abc"}, "price_amount"),
        ({"title": "T", "price_amount": 10**13}, "price_amount"),
        ({"title": "T", "price_amount": 10.5}, "price_amount"),
        ({"title": "T", "price_amount": "NaN"}, "price_amount"),
        ({"title": "T", "price_amount": "Infinity"}, "price_amount"),
        # The old major-unit field is named, not silently ignored.
        ({"title": "T", "price": "49.90"}, "price"),
        ({"title": "T", "currency": "usd"}, "currency"),
        ({"title": "T", "currency": "EURO"}, "currency"),
        ({"title": "T", "currency": "€"}, "currency"),
        ({"title": "T", "passing_score": 101}, "passing_score"),
        ({"title": "T", "passing_score": -1}, "passing_score"),
        ({"title": "T", "passing_score": "high"}, "passing_score"),
        ({"title": "T", "passing_score": 50.5}, "passing_score"),
        ({"title": "T", "estimated_minutes": -1}, "estimated_minutes"),
        ({"title": "T", "estimated_minutes": 10**20}, "estimated_minutes"),
        ({"title": "T", "category_id": 987654}, "category_id"),
        ({"title": "T", "category_id": "abc"}, "category_id"),
        ({"title": "T", "category_id": 10**30}, "category_id"),
        ({"title": "T", "category_id": 0}, "category_id"),
        ({"title": "T", "tags": "python"}, "tags"),
        ({"title": "T", "tags": ["x" * 51]}, "tags.0"),
        ({"title": "T", "tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"title": "T", "tags": [{"name": "x"}]}, "tags.0"),
        ({"title": "T", "difficulty": "expert"}, "difficulty"),
        ({"title": "T", "language": "english!"}, "language"),
        ({"title": "T", "language": "e" * 17}, "language"),
        ({"title": "T", "certificate_enabled": "maybe"}, "certificate_enabled"),
        ({"title": "T", "owner": 1}, "owner"),
    ],
)
def test_bad_course_input_is_a_400_naming_the_field(as_author, in_tenant_a, payload, field):
    before = course_rows()
    response = as_author.post("/api/v1/courses", payload, format="json")
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["details"], response.json()
    assert field in error_fields(response)
    assert course_rows() == before


def test_a_body_that_is_not_an_object_is_a_400(as_author, in_tenant_a):
    before = course_rows()
    response = as_author.post("/api/v1/courses", [1, 2], format="json")
    assert response.status_code == 400
    malformed = as_author.generic(
        "POST", "/api/v1/courses", "{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "parse_error"
    assert course_rows() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "text"}, "title"),
        ({"title": "L"}, "kind"),
        ({"title": "L", "kind": "essay"}, "kind"),
        ({"title": "L", "kind": "video", "video_url": "not a url"}, "video_url"),
        ({"title": "L", "kind": "video", "video_url": "ftp://x.example/v"}, "video_url"),
        (
            {"title": "L", "kind": "video", "video_url": "https://x.example/" + "v" * 500},
            "video_url",
        ),
        ({"title": "L", "kind": "text", "video_url": "https://x.example/v"}, "video_url"),
        ({"title": "L", "kind": "text", "body_markdown": "b" * 100_001}, "body_markdown"),
        ({"title": "L", "kind": "quiz", "body_markdown": "text"}, "body_markdown"),
        ({"title": "L", "kind": "video", "duration_seconds": -3}, "duration_seconds"),
        ({"title": "L", "kind": "video", "duration_seconds": "long"}, "duration_seconds"),
        ({"title": "L", "kind": "text", "is_required": "perhaps"}, "is_required"),
        ({"title": "L", "kind": "text", "position": 3}, "position"),
    ],
)
def test_bad_lesson_input_is_a_400_naming_the_field(
    as_author, build_course, author, payload, field
):
    section = build_course(author, lessons=0).sections.get()
    before = course_rows()
    response = as_author.post(f"/api/v1/sections/{section.pk}/lessons", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in error_fields(response)
    assert course_rows() == before


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("courses/{course}/sections", {"title": ""}, "title"),
        ("courses/{course}/sections", {"title": "s" * 201}, "title"),
        ("courses/{course}/sections/order", {"section_ids": "1,2"}, "section_ids"),
        ("courses/{course}/sections/order", {"section_ids": ["a"]}, "section_ids"),
        ("courses/{course}/sections/order", {"section_ids": [2**63]}, "section_ids"),
        ("courses/{course}/sections/order", {}, "section_ids"),
        ("sections/{section}/lessons/order", {"lesson_ids": [-1]}, "lesson_ids"),
        ("sections/{section}/lessons/order", {"lesson_ids": None}, "lesson_ids"),
        ("lessons/{lesson}/move", {}, "section_id"),
        ("lessons/{lesson}/move", {"section_id": "x"}, "section_id"),
        ("lessons/{lesson}/move", {"section_id": 999999}, "section_id"),
        ("lessons/{lesson}/move", {"section_id": "{section}", "position": 0}, "position"),
    ],
)
def test_bad_structure_input_is_a_400_naming_the_field(
    as_author, build_course, author, path, payload, field
):
    course = build_course(author, sections=1, lessons=1)
    section, lesson = course.sections.get(), course.lessons.get()
    ids = {"course": course.pk, "section": section.pk, "lesson": lesson.pk}
    payload = {
        key: int(value.format(**ids)) if isinstance(value, str) and "{" in value else value
        for key, value in payload.items()
    }
    method = as_author.put if path.endswith("order") else as_author.post
    before = course_rows()
    response = method(f"/api/v1/{path.format(**ids)}", payload, format="json")
    assert response.status_code == 400, response.json()
    assert any(name.startswith(field) for name in error_fields(response)), response.json()
    assert course_rows() == before


# ------------------------------------------------------------------------------------------
# Another tenant, unknown ids, no credentials
def test_another_tenants_course_is_not_found(
    api, build_course, author, make_person, tenant_a, tenant_b
):
    course = build_course(author, publish=True)
    section, lesson = course.sections.get(), course.lessons.get()
    admin_b = make_person(Role.ADMIN, tenant=tenant_b)
    as_b = api(admin_b, tenant=tenant_b)
    before_a, before_b = course_rows(tenant_a), course_rows(tenant_b)
    attempts = [
        ("get", f"/api/v1/courses/{course.pk}", None),
        ("patch", f"/api/v1/courses/{course.pk}", {"title": "Stolen"}),
        ("delete", f"/api/v1/courses/{course.pk}", None),
        ("post", f"/api/v1/courses/{course.pk}/archive", None),
        ("get", f"/api/v1/courses/{course.pk}/sections", None),
        ("post", f"/api/v1/courses/{course.pk}/sections", {"title": "Injected"}),
        ("put", f"/api/v1/courses/{course.pk}/sections/order", {"section_ids": [section.pk]}),
        ("get", f"/api/v1/sections/{section.pk}", None),
        ("patch", f"/api/v1/sections/{section.pk}", {"title": "Stolen"}),
        ("post", f"/api/v1/sections/{section.pk}/lessons", {"title": "X", "kind": "quiz"}),
        ("get", f"/api/v1/lessons/{lesson.pk}", None),
        ("patch", f"/api/v1/lessons/{lesson.pk}", {"title": "Stolen"}),
        ("delete", f"/api/v1/lessons/{lesson.pk}", None),
        ("post", f"/api/v1/lessons/{lesson.pk}/move", {"section_id": section.pk}),
    ]
    for method, url, payload in attempts:
        response = getattr(as_b, method)(url, payload, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["error"]["code"] == "not_found"
    assert (course_rows(tenant_a), course_rows(tenant_b)) == (before_a, before_b)
    listed = as_b.get("/api/v1/courses")
    assert listed.json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/courses/999999",
        "/api/v1/courses/99999999999999999999999",
        "/api/v1/sections/99999999999999999999999",
        "/api/v1/lessons/99999999999999999999999",
        "/api/v1/sections/99999999999999999999999/lessons",
        "/api/v1/courses/0/sections",
    ],
)
def test_unknown_ids_are_not_found(as_author, in_tenant_a, url):
    response = as_author.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_without_credentials_nothing_is_shown(api, build_course, author):
    course = build_course(author, publish=True)
    anonymous = api()
    before = course_rows()
    assert anonymous.get("/api/v1/courses").status_code == 401
    assert anonymous.get(f"/api/v1/courses/{course.pk}").status_code == 401
    assert anonymous.post("/api/v1/courses", {"title": "X"}).status_code == 401
    assert course_rows() == before


# ------------------------------------------------------------------------------------------
# No input gives a 500
JUNK = [
    None,
    "",
    "x" * 100_000,
    -1,
    10**40,
    1.5e308,
    True,
    [],
    [None],
    {},
    {"nested": {"deep": [1]}},
    "\x00",
    "\ud800",
    "<script>alert(1)</script>",
    "'; DROP TABLE courses_course; --",
]
# Every field the services accept, so a new one is fuzzed as soon as it exists.
COURSE_FIELDS = sorted(services.COURSE_FIELDS)
LESSON_FIELDS = sorted(services.LESSON_FIELDS)


def test_junk_in_every_field_never_gives_a_500(as_author, build_course, author):
    course = build_course(author, sections=2, lessons=2)
    section = course.sections.first()
    lesson = course.lessons.first()
    targets = [
        ("post", "/api/v1/courses", COURSE_FIELDS, {"title": "T"}),
        ("patch", f"/api/v1/courses/{course.pk}", COURSE_FIELDS, {}),
        (
            "post",
            f"/api/v1/sections/{section.pk}/lessons",
            [*LESSON_FIELDS, "kind"],
            {"title": "L", "kind": "text"},
        ),
        ("patch", f"/api/v1/lessons/{lesson.pk}", LESSON_FIELDS, {}),
        ("post", f"/api/v1/courses/{course.pk}/sections", ["title"], {}),
        ("put", f"/api/v1/courses/{course.pk}/sections/order", ["section_ids"], {}),
        ("put", f"/api/v1/sections/{section.pk}/lessons/order", ["lesson_ids"], {}),
        ("post", f"/api/v1/lessons/{lesson.pk}/move", ["section_id", "position"], {}),
        ("post", "/api/v1/categories", ["name", "slug"], {}),
    ]
    for method, url, fields, base in targets:
        for field in fields:
            for junk in JUNK:
                # json.dumps escapes what the test client cannot encode (lone surrogates).
                body = json.dumps({**base, field: junk})
                response = as_author.generic(
                    method.upper(), url, body, content_type="application/json"
                )
                assert response.status_code < 500, (method, url, field, junk)
                assert "error" in response.json() or response.status_code in {200, 201}


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "category=abc",
        "category=99999999999999999999999",
        "owner=-1",
        "tag=%00",
        "search=%00",
        "search=" + "x" * 5000,
        "ordering=password",
        "ordering=owner__password",
        "page=abc",
        "page=99999",
        "page_size=-5",
        "is_free=maybe",
        "language=" + "x" * 100,
        "difficulty[]=x",
    ],
)
def test_junk_in_list_queries_never_gives_a_500(as_author, build_course, author, query):
    build(author, publish=True)
    response = as_author.get(f"/api/v1/courses?{query}")
    assert response.status_code in {200, 400, 404}, response.status_code


def test_openapi_schema_describes_the_courses_api(as_author, in_tenant_a):
    response = as_author.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/courses",
        "/api/v1/courses/{course_id}",
        "/api/v1/courses/{course_id}/publish",
        "/api/v1/courses/{course_id}/thumbnail",
        "/api/v1/courses/{course_id}/sections/order",
        "/api/v1/sections/{section_id}/lessons/order",
        "/api/v1/lessons/{lesson_id}/move",
        "/api/v1/lessons/{lesson_id}/attachment",
        "/api/v1/categories",
    ]:
        assert path in paths, path
