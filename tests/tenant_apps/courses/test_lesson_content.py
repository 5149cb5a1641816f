"""Lesson content (text, video, attachment, quiz) is for active or completed enrollees, the
course's staff and admins, plus lessons marked as free previews; the outline (titles,
kinds, durations) stays public for published courses. Every door asks the one rule
(courses.permissions.user_can_read_lesson_content)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.assessments.models import Answer, Attempt
from tenant_apps.assessments.services import question_create, quiz_save
from tenant_apps.courses import services
from tenant_apps.courses.models import Course, Lesson, LessonKind
from tenant_apps.enrollments import services as enrollments
from tenant_apps.people.models import Role, User
from tests.snapshots import snapshot

LOCKED = {
    "error": {
        "code": "lesson_content_locked",
        "message": "Enrol in this course to open this lesson.",
        "details": [],
    }
}
SECRETS = (
    "Paid chapter text",
    "https://video.example/paid.mp4",
    "handout.txt",
    "What does ORM stand for?",
)


@dataclass(frozen=True)
class PaidCourse:
    course: Course
    text: Lesson
    video: Lesson
    file: Lesson
    quiz: Lesson
    preview: Lesson

    @property
    def content_lessons(self) -> list[Lesson]:
        return [self.text, self.video, self.file, self.quiz]


@pytest.fixture
def paid(in_tenant_a, author) -> PaidCourse:
    """A published 99 EUR course with one lesson of each kind and one free preview, built
    with the services."""
    course = services.course_create(
        owner=author, title="Advanced Django", price_amount=9900, currency="EUR"
    )
    section = services.section_create(course=course, title="Chapter 1")
    preview = services.lesson_create(
        section=section,
        title="Welcome",
        kind=LessonKind.TEXT,
        body_markdown="Free welcome text",
        is_preview=True,
    )
    text = services.lesson_create(
        section=section, title="Models", kind=LessonKind.TEXT, body_markdown="Paid chapter text"
    )
    video = services.lesson_create(
        section=section,
        title="Demo",
        kind=LessonKind.VIDEO,
        video_url="https://video.example/paid.mp4",
        duration_seconds=300,
    )
    file = services.lesson_create(section=section, title="Handout", kind=LessonKind.FILE)
    file = services.lesson_attachment_set(
        lesson=file, upload=SimpleUploadedFile("handout.txt", b"Paid handout")
    )
    quiz = services.lesson_create(section=section, title="Check", kind=LessonKind.QUIZ)
    saved, _created = quiz_save(lesson=quiz)
    question_create(
        quiz=saved,
        kind="true_false",
        prompt="What does ORM stand for?",
        statement_is_true=True,
    )
    course = services.course_publish(course=course, actor=author)
    return PaidCourse(course, text, video, file, quiz, preview)


def content_of(client, lesson: Lesson):
    if lesson.kind == LessonKind.QUIZ:
        return client.get(f"/api/v1/lessons/{lesson.pk}/quiz")
    return client.get(f"/api/v1/lessons/{lesson.pk}")


def shown(response) -> str:
    """What a content answer shows of the lesson's content."""
    body = response.json()
    if "question_count" in body:
        return f"quiz of {body['question_count']} question"
    return body["body_html"] or body["video_url"] or body["attachment_name"]


EXPECTED = {
    "text": "<p>Paid chapter text</p>",
    "video": "https://video.example/paid.mp4",
    "file": "handout.txt",
    "quiz": "quiz of 1 question",
}


def assert_reads_everything(client, paid: PaidCourse) -> None:
    for lesson in paid.content_lessons:
        response = content_of(client, lesson)
        assert response.status_code == 200, lesson.kind
        assert shown(response) == EXPECTED[lesson.kind]


def assert_locked_out(client, paid: PaidCourse) -> None:
    for lesson in paid.content_lessons:
        response = content_of(client, lesson)
        assert (response.status_code, response.json()) == (403, LOCKED), lesson.kind
        assert not any(secret in response.content.decode() for secret in SECRETS)


# ------------------------------------------------------------------------------------------
# Learners
def test_a_learner_who_has_not_paid_sees_the_outline_and_the_preview_only(
    api, learner, paid, tenant_a
):
    client = api(learner)
    before = snapshot(Lesson, tenant=tenant_a)
    assert_locked_out(client, paid)
    assert snapshot(Lesson, tenant=tenant_a) == before

    detail = client.get(f"/api/v1/courses/{paid.course.pk}")
    assert detail.status_code == 200
    assert [
        (lesson["title"], lesson["kind"], lesson["duration_seconds"], lesson["is_preview"])
        for lesson in detail.json()["sections"][0]["lessons"]
    ] == [
        ("Welcome", "text", 0, True),
        ("Models", "text", 0, False),
        ("Demo", "video", 300, False),
        ("Handout", "file", 0, False),
        ("Check", "quiz", 0, False),
    ]
    section_id = paid.text.section_id
    for path in (f"courses/{paid.course.pk}", f"sections/{section_id}/lessons"):
        listed = client.get(f"/api/v1/{path}").content.decode()
        assert not any(secret in listed for secret in SECRETS), path

    preview = client.get(f"/api/v1/lessons/{paid.preview.pk}")
    assert preview.status_code == 200
    assert preview.json()["body_html"] == "<p>Free welcome text</p>"


def test_a_pending_enrollment_opens_nothing_until_it_is_paid(api, learner, admin, paid):
    pending = enrollments.enrollment_self_enroll(user=learner, course=paid.course)
    assert pending.status == "pending"
    assert_locked_out(api(learner), paid)

    enrollments.enrollment_activate(enrollment=pending, actor=admin)
    assert_reads_everything(api(learner), paid)


def test_a_completed_enrollment_keeps_the_content_open(api, learner, admin, paid):
    enrollment = enrollments.enrollment_assign(user=learner, course=paid.course, actor=admin)
    enrollments.enrollment_complete(enrollment=enrollment, actor=admin)
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert_reads_everything(api(learner), paid)


def test_a_cancelled_enrollment_closes_the_content_again(api, learner, admin, paid):
    enrollment = enrollments.enrollment_assign(user=learner, course=paid.course, actor=admin)
    assert_reads_everything(api(learner), paid)
    enrollments.enrollment_cancel(enrollment=enrollment, actor=admin)
    assert_locked_out(api(learner), paid)


def test_another_learners_enrollment_opens_nothing_to_me(api, learner, other_learner, admin, paid):
    enrollments.enrollment_assign(user=other_learner, course=paid.course, actor=admin)
    assert_locked_out(api(learner), paid)


# ------------------------------------------------------------------------------------------
# Staff
@pytest.mark.parametrize("who", ["author", "instructor", "admin"])
def test_the_courses_staff_and_admins_read_everything(api, paid, request, who):
    staff: User = request.getfixturevalue(who)
    assert_reads_everything(api(staff), paid)


def test_an_author_of_other_courses_is_not_staff_of_this_one(api, other_author, paid):
    assert other_author.role == Role.CONTENT_CREATOR
    assert_locked_out(api(other_author), paid)


# ------------------------------------------------------------------------------------------
# Free previews
def test_the_author_marks_a_lesson_as_a_free_preview_through_the_api(api, author, learner, paid):
    client = api(learner)
    assert content_of(client, paid.video).status_code == 403

    marked = api(author).patch(f"/api/v1/lessons/{paid.video.pk}", {"is_preview": True})
    assert marked.status_code == 200
    assert marked.json()["is_preview"] is True
    opened = content_of(client, paid.video)
    assert opened.status_code == 200
    assert opened.json()["video_url"] == "https://video.example/paid.mp4"
    # The other lessons stay closed.
    assert content_of(client, paid.text).status_code == 403


def test_a_quiz_preview_shows_its_settings_but_questions_still_need_an_enrollment(
    api, author, learner, paid
):
    api(author).patch(f"/api/v1/lessons/{paid.quiz.pk}", {"is_preview": True})
    client = api(learner)
    assert content_of(client, paid.quiz).status_code == 200
    before = snapshot(Attempt, Answer)
    started = client.post(f"/api/v1/lessons/{paid.quiz.pk}/quiz/attempts")
    assert started.status_code == 403
    assert started.json()["error"]["code"] == "not_enrolled"
    assert "What does ORM stand for?" not in started.content.decode()
    assert snapshot(Attempt, Answer) == before


def test_a_learner_cannot_make_a_lesson_a_preview(api, learner, paid, tenant_a):
    client = api(learner)
    before = snapshot(Lesson, tenant=tenant_a)
    refused = client.patch(f"/api/v1/lessons/{paid.text.pk}", {"is_preview": True})
    assert refused.status_code == 403
    assert snapshot(Lesson, tenant=tenant_a) == before


def test_a_preview_of_a_draft_course_does_not_exist_for_learners(api, author, learner, paid):
    draft = services.course_create(owner=author, title="Coming soon")
    section = services.section_create(course=draft, title="Soon")
    teaser = services.lesson_create(
        section=section, title="Teaser", kind=LessonKind.TEXT, is_preview=True
    )
    assert api(learner).get(f"/api/v1/lessons/{teaser.pk}").status_code == 404
