"""The course page and the course player: outline, enrol (free and paid), continue, mark
complete, the video position, who sees content, other tenants' ids, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from tenant_apps.courses import services as course_services
from tenant_apps.courses.models import LessonKind
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.services import enrollment_self_enroll
from tenant_apps.progress.models import LessonProgress
from tests.builders import course_build, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(tenant_a, author):
    with schema_context(tenant_a.schema):
        return course_build(
            owner=author,
            title="Birds <script>alert(1)</script>",
            lessons=(LessonKind.VIDEO, LessonKind.TEXT, LessonKind.FILE),
            sections=2,
        )


@pytest.fixture
def paid_course(tenant_a, author):
    with schema_context(tenant_a.schema):
        return course_build(owner=author, title="Paid birds", price="49.00")


def _enrol(tenant, user, course):
    with schema_context(tenant.schema):
        return enrollment_self_enroll(user=user, course=course)


def test_course_page_shows_the_outline_and_an_enrol_button(portal, learner, course):
    response = portal(learner).get(f"/courses/{course.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Birds &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body
    assert "Section 1" in body and "Section 2" in body
    assert "Lesson 1.1" in body and "Lesson 2.1" in body
    assert "Carla Creator" in body
    assert f'action="/courses/{course.pk}/enrol/"' in body
    assert reverse("course-detail", kwargs={"course_id": course.pk}) == f"/courses/{course.pk}/"


def test_enrolling_in_a_free_course_goes_to_its_first_lesson(portal, learner, course, tenant_a):
    client = portal(learner)
    response = client.post(f"/courses/{course.pk}/enrol/", follow=True)
    with schema_context(tenant_a.schema):
        enrollment = Enrollment.objects.get(user=learner, course=course)
        first = lessons_of(course)[0]
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert response.redirect_chain[-1][0] == f"/courses/{course.pk}/lessons/{first.pk}/"
    assert "You are enrolled in" in response.content.decode()


def test_enrolling_in_a_paid_course_explains_whom_to_ask(
    portal, learner, admin, paid_course, tenant_a
):
    response = portal(learner).post(f"/courses/{paid_course.pk}/enrol/", follow=True)
    with schema_context(tenant_a.schema):
        enrollment = Enrollment.objects.get(user=learner, course=paid_course)
    assert enrollment.status == EnrollmentStatus.PENDING
    assert response.redirect_chain[-1][0] == f"/courses/{paid_course.pk}/"
    body = response.content.decode()
    assert "Paying online is not available yet" in body
    assert "Ada Admin" in body and "mailto:ada@example.com" in body


def test_enrolling_twice_shows_the_reason_on_the_page(portal, learner, course, tenant_a):
    _enrol(tenant_a, learner, course)
    response = portal(learner).post(f"/courses/{course.pk}/enrol/")
    assert response.status_code == 409
    assert "Already enrolled in this course." in response.content.decode()
    with schema_context(tenant_a.schema):
        assert Enrollment.objects.filter(user=learner, course=course).count() == 1


def test_an_enrolled_learner_sees_continue(portal, learner, course, tenant_a):
    _enrol(tenant_a, learner, course)
    body = portal(learner).get(f"/courses/{course.pk}/").content.decode()
    assert "Start the course" in body
    assert "/enrol/" not in body


def test_another_tenants_course_is_404(portal, learner, tenant_b, make_person):
    with schema_context(tenant_b.schema):
        from tenant_apps.people.models import Role

        owner = make_person(Role.CONTENT_CREATOR, tenant=tenant_b)
    with schema_context(tenant_b.schema):
        foreign = course_build(owner=owner)
        foreign_lesson = lessons_of(foreign)[0]
    client = portal(learner)
    assert client.get(f"/courses/{foreign.pk + 1000}/").status_code == 404
    assert client.get(f"/courses/{foreign.pk}/lessons/{foreign_lesson.pk}/").status_code == 404


def test_a_draft_course_is_404_to_a_learner(portal, learner, author, tenant_a):
    with schema_context(tenant_a.schema):
        draft = course_build(owner=author, status="draft")
    assert portal(learner).get(f"/courses/{draft.pk}/").status_code == 404
    assert portal(learner).post(f"/courses/{draft.pk}/enrol/").status_code == 404


def test_the_player_shows_content_only_to_the_enrolled(portal, learner, course, tenant_a):
    with schema_context(tenant_a.schema):
        text = lessons_of(course)[1]
        course_services.lesson_update(lesson=text, body_markdown="# Hello\n\n<script>x()</script>")
    url = f"/courses/{course.pk}/lessons/{text.pk}/"
    locked = portal(learner).get(url)
    assert locked.status_code == 403
    assert "This lesson opens when you are enrolled" in locked.content.decode()
    assert "<h1>Hello</h1>" not in locked.content.decode()
    _enrol(tenant_a, learner, course)
    opened = portal(learner).get(url)
    assert opened.status_code == 200
    body = opened.content.decode()
    assert "<h1>Hello</h1>" in body and "<script>x()</script>" not in body
    assert f'href="{url}" aria-current="page"' in body


def test_a_lesson_of_another_course_is_404(portal, learner, course, author, tenant_a):
    with schema_context(tenant_a.schema):
        other = course_build(owner=author)
        other_lesson = lessons_of(other)[0]
    assert (
        portal(learner).get(f"/courses/{course.pk}/lessons/{other_lesson.pk}/").status_code == 404
    )


def test_mark_complete_moves_on_to_the_next_lesson(portal, learner, course, tenant_a):
    _enrol(tenant_a, learner, course)
    with schema_context(tenant_a.schema):
        video, _text, file = lessons_of(course)  # sections: 1 = video, file; 2 = text
    response = portal(learner).post(f"/courses/{course.pk}/lessons/{video.pk}/complete/")
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{course.pk}/lessons/{file.pk}/"
    with schema_context(tenant_a.schema):
        assert LessonProgress.objects.get(lesson=video).completed_at is not None


def test_mark_complete_without_an_enrollment_changes_nothing(portal, learner, course, tenant_a):
    with schema_context(tenant_a.schema):
        video = lessons_of(course)[0]
    response = portal(learner).post(f"/courses/{course.pk}/lessons/{video.pk}/complete/")
    assert response.status_code == 403
    with schema_context(tenant_a.schema):
        assert not LessonProgress.objects.exists()


def test_the_video_position_is_kept_and_shown(portal, learner, course, tenant_a):
    _enrol(tenant_a, learner, course)
    with schema_context(tenant_a.schema):
        video = lessons_of(course)[0]
    client = portal(learner)
    url = f"/courses/{course.pk}/lessons/{video.pk}/position/"
    assert client.post(url, {"position": "42", "watched": "5"}).status_code == 204
    assert client.post(url, {"position": "-1"}).status_code == 400
    with schema_context(tenant_a.schema):
        progress = LessonProgress.objects.get(lesson=video)
    assert (progress.last_position_seconds, progress.time_spent_seconds) == (42, 5)


def test_the_video_position_of_someone_not_enrolled_is_refused(portal, learner, course, tenant_a):
    with schema_context(tenant_a.schema):
        video = lessons_of(course)[0]
    response = portal(learner).post(
        f"/courses/{course.pk}/lessons/{video.pk}/position/", {"position": "4"}
    )
    assert response.status_code == 403
    with schema_context(tenant_a.schema):
        assert not LessonProgress.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(portal, course):
    response = portal().get(f"/courses/{course.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_course_page_and_player_run_a_bounded_number_of_queries(
    portal, learner, author, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        big = course_build(owner=author, lessons=[LessonKind.TEXT] * 60, sections=6)
        enrollment = enrollment_self_enroll(user=learner, course=big)
        from tenant_apps.progress.services import lesson_progress_record

        for lesson in lessons_of(big)[:30]:
            lesson_progress_record(
                enrollment=enrollment, lesson=lesson, learner=learner, completed=True
            )
        lesson = lessons_of(big)[31]
    client = portal(learner)
    with django_assert_max_num_queries(14):
        assert client.get(f"/courses/{big.pk}/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/courses/{big.pk}/lessons/{lesson.pk}/").status_code == 200


def test_the_links_notifications_send_open_these_pages(portal, learner, course, tenant_a):
    from tenant_apps.notifications.models import Notification

    _enrol(tenant_a, learner, course)
    with schema_context(tenant_a.schema):
        links = list(Notification.objects.filter(recipient=learner).values_list("link", flat=True))
        lesson = lessons_of(course)[0]
    links.append(f"/courses/{course.pk}/lessons/{lesson.pk}/")  # as the essay-graded one does
    assert links[0] == f"/courses/{course.pk}/"
    client = portal(learner)
    for link in links:
        assert client.get(link).status_code == 200, link
