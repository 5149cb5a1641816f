"""Course services: fields and their rules, slugs, tags, status changes with their events
and audit entries, sections and lessons, and uploaded files."""

from __future__ import annotations

import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from core.errors import Conflict, NotFound, ValidationFailed
from core.money import Money
from tenant_apps.audit.models import AuditEntry
from tenant_apps.courses import services
from tenant_apps.courses.models import (
    Course,
    CourseStatus,
    Lesson,
    LessonKind,
    Section,
    Tag,
)
from tenant_apps.events.models import OutboxEvent
from tests.snapshots import stored_files
from tests.tenant_apps.courses.conftest import (
    course_rows,
    image_upload,
    lesson_positions,
    section_positions,
)


def fields_of(error: ValidationFailed | Conflict) -> set[str]:
    return {detail.field for detail in error.details}


# ------------------------------------------------------------------------------------------
# Creating and changing courses
def test_create_gives_a_draft_owned_by_its_creator_with_defaults(author, in_tenant_a):
    course = services.course_create(owner=author, title="  Intro to Python ")
    course.refresh_from_db()
    assert course.title == "Intro to Python"
    assert course.slug == "intro-to-python"
    assert course.owner_id == author.pk
    assert course.status == CourseStatus.DRAFT
    assert course.price_amount == 0
    assert course.is_free is True
    assert course.currency == "USD"
    assert course.passing_score == 70
    assert course.difficulty == "beginner"
    assert course.language == "en"
    assert course.certificate_enabled is False
    assert course.published_at is None


def test_slugs_from_titles_are_made_unique_regardless_of_case(author, in_tenant_a):
    first = services.course_create(owner=author, title="Intro to Python")
    second = services.course_create(owner=author, title="INTRO to python")
    third = services.course_create(owner=author, title="Intro to Python!")
    symbols = services.course_create(owner=author, title="!!!")
    assert [first.slug, second.slug, third.slug] == [
        "intro-to-python",
        "intro-to-python-2",
        "intro-to-python-3",
    ]
    assert symbols.slug == "course"


def test_explicit_slug_must_be_free_regardless_of_case(author, in_tenant_a):
    services.course_create(owner=author, title="Python", slug="python-101")
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.course_create(owner=author, title="Other", slug="Python-101")
    assert caught.value.code.value == "slug_taken"
    assert fields_of(caught.value) == {"slug"}
    assert course_rows() == before


def test_tags_are_created_on_the_fly_and_reused_by_name(author, in_tenant_a):
    first = services.course_create(
        owner=author, title="A", tags=["Python", "data   science", "python"]
    )
    second = services.course_create(owner=author, title="B", tags=["PYTHON", "Web"])
    assert sorted(first.tags.values_list("name", flat=True)) == ["Python", "data science"]
    assert sorted(second.tags.values_list("name", flat=True)) == ["Python", "Web"]
    assert Tag.objects.count() == 3


def test_invalid_values_are_refused_naming_each_field(author, in_tenant_a):
    before = course_rows()
    with pytest.raises(ValidationFailed) as caught:
        services.course_create(
            owner=author,
            title="   ",
            price_amount=-1,
            currency="usd",
            passing_score=101,
            language="english!",
            estimated_minutes=-5,
            tags=["x" * 51],
        )
    assert caught.value.code.value == "invalid_course"
    assert fields_of(caught.value) == {
        "title",
        "price_amount",
        "currency",
        "passing_score",
        "language",
        "estimated_minutes",
        "tags",
    }
    assert course_rows() == before


@pytest.mark.parametrize(
    ("price_amount", "message"),
    [
        (-1, "Use an amount from 0 to 1000000000000."),
        (10**12 + 1, "Use an amount from 0 to 1000000000000."),
        (Decimal("12.5"), "Use a whole number of minor units (cents)."),
        (12.5, "Use a whole number of minor units (cents)."),
        ("4990", "Use a whole number of minor units (cents)."),
        (True, "Use a whole number of minor units (cents)."),
    ],
)
def test_prices_are_checked(author, in_tenant_a, price_amount, message):
    before = course_rows()
    with pytest.raises(ValidationFailed) as caught:
        services.course_create(owner=author, title="Priced", price_amount=price_amount)
    assert [(d.field, d.message) for d in caught.value.details] == [("price_amount", message)]
    assert course_rows() == before


def test_unknown_category_is_refused(author, in_tenant_a):
    before = course_rows()
    with pytest.raises(ValidationFailed) as caught:
        services.course_create(owner=author, title="A", category_id=987654)
    assert caught.value.code.value == "category_not_found"
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("category_id", "No category 987654.")
    ]
    assert course_rows() == before


def test_update_changes_details_tags_and_category(author, in_tenant_a):
    design = services.category_create(name="Design")
    course = services.course_create(owner=author, title="A", tags=["old"])
    services.course_update(
        course=course,
        title="Colour Theory",
        description="Hues.",
        category_id=design.pk,
        tags=["Colour", "Art"],
        price_amount=4990,
        currency="EUR",
        passing_score=80,
        certificate_enabled=True,
        difficulty="advanced",
        language="pt-BR",
        estimated_minutes=90,
    )
    course.refresh_from_db()
    assert (course.title, course.slug, course.description) == ("Colour Theory", "a", "Hues.")
    assert course.category == design
    assert sorted(course.tags.values_list("name", flat=True)) == ["Art", "Colour"]
    assert (course.price_amount, course.currency, course.is_free) == (4990, "EUR", False)
    assert course.price == Money(4990, "EUR")
    assert (course.passing_score, course.certificate_enabled) == (80, True)
    assert (course.difficulty, course.language, course.estimated_minutes) == (
        "advanced",
        "pt-BR",
        90,
    )

    services.course_update(course=course, actor=author, category_id=None, tags=[])
    course.refresh_from_db()
    assert course.category is None
    assert list(course.tags.all()) == []
    updates = OutboxEvent.objects.filter(event_type="course.updated").order_by("id")
    assert [(e.subject_id, e.actor_id, e.payload["changed"]) for e in updates] == [
        (
            str(course.pk),
            None,
            [
                "category_id",
                "certificate_enabled",
                "currency",
                "description",
                "difficulty",
                "estimated_minutes",
                "language",
                "passing_score",
                "price_amount",
                "tags",
                "title",
            ],
        ),
        (str(course.pk), author.pk, ["category_id", "tags"]),
    ]
    assert updates.last().payload == {
        "id": course.pk,
        "title": "Colour Theory",
        "slug": "a",
        "status": "draft",
        "changed": ["category_id", "tags"],
    }


def test_update_of_slug_checks_it_is_free(author, in_tenant_a):
    services.course_create(owner=author, title="Taken", slug="taken")
    course = services.course_create(owner=author, title="Mine")
    before = course_rows()
    with pytest.raises(Conflict):
        services.course_update(course=course, slug="TAKEN")
    with pytest.raises(ValidationFailed) as blank:
        services.course_update(course=course, slug="")
    assert fields_of(blank.value) == {"slug"}
    assert course_rows() == before
    services.course_update(course=course, slug="Mine-Renamed")
    course.refresh_from_db()
    assert course.slug == "mine-renamed"


def test_category_slug_comes_from_the_name_and_is_unique(in_tenant_a):
    category = services.category_create(name="Data Science")
    assert (category.name, category.slug) == ("Data Science", "data-science")
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.category_create(name="Other", slug="DATA-science")
    assert caught.value.code.value == "category_taken"
    assert course_rows() == before


# ------------------------------------------------------------------------------------------
# Publishing and archiving
def test_publishing_needs_a_lesson_and_changes_nothing_otherwise(author, in_tenant_a):
    course = services.course_create(owner=author, title="Empty")
    services.section_create(course=course, title="Nothing yet")
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.course_publish(course=course, actor=author)
    assert caught.value.code.value == "course_has_no_lessons"
    assert course_rows() == before


def test_publishing_needs_a_required_lesson(build_course, author):
    course = build_course(author, lessons=2, optional=[0, 1])
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.course_publish(course=course, actor=author)
    assert caught.value.code.value == "course_has_no_required_lesson"
    assert [detail.field for detail in caught.value.details] == ["lessons"]
    assert course_rows() == before


def test_a_published_course_keeps_a_required_lesson(build_course, author):
    course = build_course(author, lessons=2, publish=True)
    required, optional = Lesson.objects.filter(course=course).order_by("position")
    services.lesson_update(lesson=optional, is_required=False)

    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.lesson_update(lesson=required, is_required=False)
    assert caught.value.code.value == "last_required_lesson_of_published_course"
    assert [detail.field for detail in caught.value.details] == ["is_required"]
    with pytest.raises(Conflict) as caught:
        services.lesson_delete(lesson=required)
    assert caught.value.code.value == "last_required_lesson_of_published_course"
    assert course_rows() == before
    required.refresh_from_db()

    # With another lesson required, either change is fine.
    services.lesson_update(lesson=optional, is_required=True)
    services.lesson_update(lesson=required, is_required=False)
    services.lesson_delete(lesson=required)
    assert list(Lesson.objects.filter(course=course)) == [optional]


def test_drafts_may_have_optional_lessons_only(build_course, author):
    course = build_course(author, lessons=1)
    (lesson,) = Lesson.objects.filter(course=course)
    assert services.lesson_update(lesson=lesson, is_required=False).is_required is False


def test_publishing_records_an_event_and_an_audit_entry(build_course, author):
    design = services.category_create(name="Design")
    course = build_course(author, title="Colour", tags=["Art"], category_id=design.pk, price="10")
    published = services.course_publish(course=course, actor=author)
    assert published.status == CourseStatus.PUBLISHED
    assert published.published_at is not None

    event = OutboxEvent.objects.get(event_type="course.published")
    assert (event.subject_type, event.subject_id, event.actor_id) == (
        "course",
        str(course.pk),
        author.pk,
    )
    assert event.payload == {
        "id": course.pk,
        "title": "Colour",
        "slug": "colour",
        "status": "published",
        "owner_id": author.pk,
        "category": {"id": design.pk, "name": "Design", "slug": "design"},
        "tags": ["Art"],
        "difficulty": "beginner",
        "language": "en",
        "estimated_minutes": 0,
        "price_amount": 1000,
        "currency": "EUR",
        "is_free": False,
        "certificate_enabled": False,
        "passing_score": 70,
        "lesson_count": 1,
        "published_at": event.payload["published_at"],
        "archived_at": None,
    }
    assert event.payload["published_at"].startswith(published.published_at.date().isoformat())

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.actor_email) == (
        "course.published",
        author.pk,
        "carla@example.com",
    )
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "course",
        str(course.pk),
        "Colour",
    )
    assert (entry.before, entry.after) == ({"status": "draft"}, {"status": "published"})


def test_archiving_records_an_event_and_an_audit_entry(build_course, author, instructor):
    course = build_course(author, publish=True)
    archived = services.course_archive(course=course, actor=instructor)
    assert archived.status == CourseStatus.ARCHIVED
    assert archived.archived_at is not None
    event = OutboxEvent.objects.get(event_type="course.archived")
    assert event.actor_id == instructor.pk
    assert event.payload["status"] == "archived"
    assert event.payload["id"] == course.pk
    entry = AuditEntry.objects.get(action="course.archived")
    assert (entry.actor_id, entry.before, entry.after) == (
        instructor.pk,
        {"status": "published"},
        {"status": "archived"},
    )


@pytest.mark.parametrize(
    ("start", "action", "message"),
    [
        ("published", "publish", "The course is already published."),
        ("archived", "publish", "An archived course cannot be published again."),
        ("draft", "archive", "Only published courses can be archived; delete a draft instead."),
        ("archived", "archive", "The course is already archived."),
    ],
)
def test_status_changes_that_are_not_allowed(build_course, author, start, action, message):
    course = build_course(author, publish=start != "draft")
    if start == "archived":
        services.course_archive(course=course, actor=author)
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        getattr(services, f"course_{action}")(course=course, actor=author)
    assert caught.value.code.value == "invalid_status_transition"
    assert caught.value.message == message
    assert course_rows() == before


def test_only_drafts_can_be_deleted(build_course, author):
    draft = build_course(author, title="Draft", sections=2, lessons=2)
    services.course_delete(course=draft)
    assert not Course.objects.filter(pk=draft.pk).exists()
    assert Section.objects.count() == 0
    assert Lesson.objects.count() == 0

    published = build_course(author, title="Live", publish=True)
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.course_delete(course=published)
    assert caught.value.code.value == "course_not_draft"
    assert course_rows() == before


# ------------------------------------------------------------------------------------------
# Sections and lessons
def test_sections_and_lessons_are_appended_and_gaps_closed_on_delete(build_course, author):
    course = build_course(author, sections=3, lessons=3)
    first, second, third = Section.objects.filter(course=course).order_by("position")
    assert [p for _pk, p in section_positions(course)] == [1, 2, 3]

    services.section_delete(section=second)
    assert section_positions(course) == [(first.pk, 1), (third.pk, 2)]

    middle = Lesson.objects.get(title="Lesson 1.2")
    services.lesson_delete(lesson=middle)
    assert lesson_positions(first) == [("Lesson 1.1", 1), ("Lesson 1.3", 2)]
    services.lesson_create(section=first, title="Appended", kind=LessonKind.QUIZ)
    assert lesson_positions(first) == [("Lesson 1.1", 1), ("Lesson 1.3", 2), ("Appended", 3)]


def test_a_published_course_keeps_its_last_lesson(build_course, author):
    course = build_course(author, sections=2, lessons=1, publish=True)
    first, second = Section.objects.filter(course=course).order_by("position")
    services.section_delete(section=first)
    (last,) = Lesson.objects.filter(course=course)
    before = course_rows()
    with pytest.raises(Conflict) as caught:
        services.lesson_delete(lesson=last)
    assert caught.value.code.value == "last_lesson_of_published_course"
    with pytest.raises(Conflict):
        services.section_delete(section=second)
    assert course_rows() == before


def test_text_lessons_store_sanitised_html(build_course, author):
    course = build_course(author, lessons=0)
    section = course.sections.get()
    lesson = services.lesson_create(
        section=section,
        title="Reading",
        kind=LessonKind.TEXT,
        body_markdown="# Hello\n\n**bold** <script>alert(1)</script>",
    )
    assert lesson.body_html == "<h1>Hello</h1>\n<p><strong>bold</strong> </p>"
    updated = services.lesson_update(lesson=lesson, body_markdown="[x](javascript:alert(1))")
    assert updated.body_html == '<p><a rel="noopener noreferrer nofollow">x</a></p>'
    assert Lesson.objects.get(pk=lesson.pk).body_markdown == "[x](javascript:alert(1))"


@pytest.mark.parametrize(
    ("kind", "fields", "field", "message"),
    [
        (
            "text",
            {"video_url": "https://v.example/1"},
            "video_url",
            "Only video lessons have a video URL.",
        ),
        ("video", {"body_markdown": "hi"}, "body_markdown", "Only text lessons have a body."),
        ("video", {"video_url": "javascript:alert(1)"}, "video_url", "Use an http or https URL."),
        (
            "video",
            {"video_url": "ftp://files.example/v.mp4"},
            "video_url",
            "Use an http or https URL.",
        ),
        (
            "video",
            {"duration_seconds": -1},
            "duration_seconds",
            "Use a whole number from 0 to 604800.",
        ),
        ("essay", {}, "kind", "Use one of video, text, file, quiz."),
    ],
)
def test_lesson_fields_are_checked_for_their_kind(
    build_course, author, kind, fields, field, message
):
    section = build_course(author, lessons=0).sections.get()
    before = course_rows()
    with pytest.raises(ValidationFailed) as caught:
        services.lesson_create(section=section, title="L", kind=kind, **fields)
    assert [(d.field, d.message) for d in caught.value.details] == [(field, message)]
    assert course_rows() == before


def test_a_video_url_replaces_an_uploaded_video(
    build_course, author, django_capture_on_commit_callbacks, media_root
):
    section = build_course(author, lessons=0).sections.get()
    lesson = services.lesson_create(section=section, title="Watch", kind=LessonKind.VIDEO)
    with django_capture_on_commit_callbacks(execute=True):
        lesson = services.lesson_video_set(lesson=lesson, upload=mp4_upload())
    stored = Path(media_root) / "t_alpha" / lesson.video_file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        lesson = services.lesson_update(lesson=lesson, video_url="https://v.example/watch")
    assert (lesson.video_url, lesson.video_file.name) == ("https://v.example/watch", "")
    assert not stored.exists()


# ------------------------------------------------------------------------------------------
# Files
def mp4_upload(name: str = "intro.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_thumbnail_is_stored_and_replaced(
    build_course, author, media_root, django_capture_on_commit_callbacks
):
    course = build_course(author)
    with django_capture_on_commit_callbacks(execute=True):
        course = services.course_thumbnail_set(course=course, upload=image_upload("PNG"))
    assert course.thumbnail.name == f"courses/{course.pk}/thumbnail.png"
    first = Path(media_root) / "t_alpha" / course.thumbnail.name
    assert first.exists()
    assert course.thumbnail.url == f"/media/t_alpha/courses/{course.pk}/thumbnail.png"

    with django_capture_on_commit_callbacks(execute=True):
        course = services.course_thumbnail_set(course=course, upload=image_upload("WEBP", "c.webp"))
    assert course.thumbnail.name == f"courses/{course.pk}/thumbnail.webp"
    assert not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        course = services.course_thumbnail_remove(course=course)
    assert Course.objects.get(pk=course.pk).thumbnail.name == ""


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: image_upload("GIF", "c.gif"), "Use a JPEG, PNG or WebP image."),
        (lambda: SimpleUploadedFile("c.png", b"not an image"), "The file is not an image."),
        (
            lambda: SimpleUploadedFile("c.png", b"\x89PNG" + b"\x00" * (2 * 1024 * 1024)),
            "Use an image of at most 2 MB.",
        ),
    ],
)
def test_thumbnails_of_other_types_or_sizes_are_refused(build_course, author, upload, message):
    course = build_course(author)
    before = course_rows(), stored_files()
    with pytest.raises(ValidationFailed) as caught:
        services.course_thumbnail_set(course=course, upload=upload())
    assert caught.value.code.value == "thumbnail_invalid"
    assert [(d.field, d.message) for d in caught.value.details] == [("thumbnail", message)]
    assert (course_rows(), stored_files()) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Week 1 notes.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n"),
        ("handout.docx", docx_bytes()),
        ("grades.csv", "name,score\nZoë,9\n".encode()),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32),
    ],
)
def test_documents_are_attached_to_file_lessons(build_course, author, media_root, name, content):
    section = build_course(author, lessons=0).sections.get()
    lesson = services.lesson_create(section=section, title="Read", kind=LessonKind.FILE)
    stored = services.lesson_attachment_set(lesson=lesson, upload=SimpleUploadedFile(name, content))
    expected = name.replace(" ", "_")
    assert stored.attachment.name == f"courses/{lesson.course_id}/lessons/{lesson.pk}/{expected}"
    assert (Path(media_root) / "t_alpha" / stored.attachment.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "tool.exe",
            b"MZ\x90\x00",
            "Use one of these types: csv, doc, docx, md, odp, ods, odt, "
            "pdf, ppt, pptx, rtf, txt, xls, xlsx.",
        ),
        ("fake.pdf", b"<html>not a pdf</html>", "The file's content is not a .pdf document."),
        ("fake.docx", b"PK\x03\x04garbage", "The file's content is not a .docx document."),
        ("binary.txt", b"abc\x00def", "The file's content is not a .txt document."),
        (
            "noextension",
            b"%PDF-1.4",
            "Use one of these types: csv, doc, docx, md, odp, ods, "
            "odt, pdf, ppt, pptx, rtf, txt, xls, xlsx.",
        ),
    ],
)
def test_attachments_of_other_types_are_refused(build_course, author, name, content, message):
    section = build_course(author, lessons=0).sections.get()
    lesson = services.lesson_create(section=section, title="Read", kind=LessonKind.FILE)
    before = course_rows(), stored_files()
    with pytest.raises(ValidationFailed) as caught:
        services.lesson_attachment_set(lesson=lesson, upload=SimpleUploadedFile(name, content))
    assert caught.value.code.value == "attachment_invalid"
    assert [(d.field, d.message) for d in caught.value.details] == [("attachment", message)]
    assert (course_rows(), stored_files()) == before


def test_attachments_over_50_mb_are_refused(build_course, author):
    section = build_course(author, lessons=0).sections.get()
    lesson = services.lesson_create(section=section, title="Big", kind=LessonKind.FILE)
    before = course_rows(), stored_files()
    upload = TemporaryUploadedFile("big.pdf", "application/pdf", 0, None)
    try:
        upload.write(b"%PDF-1.7\n")
        # A sparse file: 50 MB and one byte without writing them.
        os.truncate(upload.temporary_file_path(), 50 * 1024 * 1024 + 1)
        upload.size = 50 * 1024 * 1024 + 1
        with pytest.raises(ValidationFailed) as caught:
            services.lesson_attachment_set(lesson=lesson, upload=upload)
    finally:
        upload.close()
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("attachment", "Use a file of at most 50 MB.")
    ]
    assert (course_rows(), stored_files()) == before


def test_uploads_need_a_lesson_of_their_kind(build_course, author):
    course = build_course(author)
    text_lesson = course.lessons.get()
    before = course_rows(), stored_files()
    with pytest.raises(ValidationFailed) as attachment:
        services.lesson_attachment_set(
            lesson=text_lesson, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4")
        )
    assert [(d.field, d.message) for d in attachment.value.details] == [
        ("attachment", "This is a text lesson.")
    ]
    with pytest.raises(ValidationFailed) as video:
        services.lesson_video_set(lesson=text_lesson, upload=mp4_upload())
    assert [(d.field, d.message) for d in video.value.details] == [
        ("video_file", "This is a text lesson.")
    ]
    assert (course_rows(), stored_files()) == before


def test_videos_are_recognised_by_their_content(build_course, author):
    section = build_course(author, lessons=0).sections.get()
    lesson = services.lesson_create(
        section=section, title="Watch", kind=LessonKind.VIDEO, video_url="https://v.example/a"
    )
    before = course_rows(), stored_files()
    with pytest.raises(ValidationFailed) as caught:
        services.lesson_video_set(
            lesson=lesson, upload=SimpleUploadedFile("clip.webm", b"\x00\x00\x00\x18ftypmp42")
        )
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("video_file", "The file's content is not a .webm video.")
    ]
    assert (course_rows(), stored_files()) == before
    stored = services.lesson_video_set(lesson=lesson, upload=mp4_upload("My Intro.mp4"))
    assert stored.video_file.name == f"courses/{lesson.course_id}/lessons/{lesson.pk}/My_Intro.mp4"
    assert stored.video_url == ""


def test_changes_to_a_deleted_lesson_are_not_found(build_course, author):
    lesson = build_course(author, lessons=2).lessons.first()
    Lesson.objects.filter(pk=lesson.pk).delete()
    before = course_rows()
    with pytest.raises(NotFound):
        services.lesson_update(lesson=lesson, title="Gone")
    with pytest.raises(NotFound):
        services.lesson_delete(lesson=lesson)
    assert course_rows() == before
