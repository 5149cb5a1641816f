"""Every link Lectern sends opens the page it names: each e-mail and in-app notification is
produced through the real services (e-mails in Django's locmem outbox), every link in it is
taken out, and its recipient opens it on the tenant's host: 200, or redirects ending on a
200 page, and it is the page the link was meant to name."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import resolve
from django_tenants.utils import schema_context

from core.errors import ApplicationError
from tenant_apps.assessments import services as assessments
from tenant_apps.certificates.services import certificate_revoke
from tenant_apps.enrollments.services import enrollment_assign, enrollment_self_enroll
from tenant_apps.notifications.models import Notification
from tenant_apps.people import services as people
from tenant_apps.people.limits import ACCOUNT_LOCK_FAILURES
from tenant_apps.people.models import Role, User
from tenant_apps.people.tokens import personal_token_issue
from tenant_apps.progress.services import lesson_complete
from tests.builders import course_build, lessons_of
from tests.factories import PASSWORD
from tests.tenant_apps.assessments.conftest import add_essay, quiz_course

HOST = "alpha.localhost"
HREF = re.compile(r'href="([^"]+)"')
URL = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _clean(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = str(tmp_path)  # certificate PDFs
    cache.clear()  # sign-in and reset counters
    yield
    cache.clear()


def destination(path: str) -> str:
    """The name of the page a path opens (Resolver404 when none)."""
    return resolve(path).url_name


def links_of(message) -> list[str]:
    """Every link of an e-mail, text and HTML parts, in order, each once."""
    html = message.alternatives[0][0]
    found = URL.findall(message.body) + HREF.findall(html)
    return list(dict.fromkeys(found))


def opens(client: Client, path: str) -> int:
    """The status of the page a link ends on, after its redirects (all on this host)."""
    response = client.get(path, follow=True)
    for hop, _status in response.redirect_chain:
        assert urlsplit(hop).netloc in ("", HOST), hop
    return response.status_code


def browser_of(person: User | None, tenant) -> Client:
    client = Client(HTTP_HOST=tenant.host)
    if person is not None:
        with schema_context(tenant.schema):
            client.force_login(User.objects.get(pk=person.pk))
    return client


def check_links(message, *, expected: set[str], client: Client) -> None:
    """Every link of `message` is on the tenant's host, names one of the `expected` pages
    and opens it."""
    names = set()
    for link in links_of(message):
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc) == ("http", HOST), link
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        names.add(destination(parts.path))
        assert opens(client, path) == 200, link
    assert names == expected, message.subject


def sent(run) -> list:
    """The e-mails `run()` sends, the work queued after commit included."""
    before = len(mail.outbox)
    run()
    return mail.outbox[before:]


# ------------------------------------------------------------------------------------------
# The e-mails
@pytest.fixture
def world(tenant_a, make_person, django_capture_on_commit_callbacks):
    """Tenant A's admin, an instructor and a learner in Berlin, and a way to run services
    with their after-commit work."""

    class World:
        tenant = tenant_a
        admin = make_person(Role.ADMIN, email="ada@example.com", full_name="Ada Admin")
        instructor = make_person(Role.INSTRUCTOR, email="ivan@example.com")
        learner = make_person(Role.LEARNER, email="lena@example.com", full_name="Lena Learner")

        @staticmethod
        def run(action):
            with (
                schema_context(tenant_a.schema),
                django_capture_on_commit_callbacks(execute=True),
            ):
                return action()

    return World


def test_the_invitation_opens_the_set_password_page(world):
    (message,) = sent(
        lambda: world.run(lambda: people.user_invite(email="ivy@example.com", actor=world.admin))
    )
    assert message.to == ["ivy@example.com"]
    check_links(message, expected={"set-password", "home"}, client=browser_of(None, world.tenant))


def test_the_password_reset_opens_the_set_password_page(world):
    messages = sent(
        lambda: world.run(
            lambda: people.password_reset_request(email="lena@example.com", address="192.0.2.1")
        )
    )
    (message,) = messages
    client = browser_of(None, world.tenant)
    check_links(message, expected={"set-password", "home"}, client=client)


def test_the_password_changed_mail_opens_the_tokens_and_reset_pages(world):
    world.run(lambda: personal_token_issue(user=world.learner, name="HR reports"))
    (message,) = sent(
        lambda: world.run(
            lambda: people.password_change(
                user=world.learner,
                current_password=PASSWORD,
                new_password="a-brand-new-pass-phrase",
                address="192.0.2.1",
            )
        )
    )
    expected = {"personal-tokens", "password_reset", "home"}
    check_links(message, expected=expected, client=browser_of(world.learner, world.tenant))


def test_the_sign_in_paused_mail_opens_the_reset_page(world):
    def guess_from_many_addresses():
        for number in range(ACCOUNT_LOCK_FAILURES):
            with contextlib.suppress(ApplicationError):
                people.user_authenticate(
                    email="lena@example.com", password="guess", address=f"198.51.100.{number}"
                )

    (message,) = sent(lambda: world.run(guess_from_many_addresses))
    assert message.subject == "Signing in to your Alpha Learning account is paused"
    client = browser_of(world.learner, world.tenant)
    check_links(message, expected={"password_reset", "home"}, client=client)


def test_the_enrollment_and_assignment_mails_open_the_course_page(world):
    course = world.run(lambda: course_build(owner=world.instructor, title="Safety Basics"))
    other = world.run(lambda: course_build(owner=world.instructor, title="First Aid"))
    (confirmation,) = sent(
        lambda: world.run(lambda: enrollment_self_enroll(user=world.learner, course=course))
    )
    (assignment,) = sent(
        lambda: world.run(
            lambda: enrollment_assign(user=world.learner, course=other, actor=world.admin)
        )
    )
    client = browser_of(world.learner, world.tenant)
    for message, course_id in ((confirmation, course.pk), (assignment, other.pk)):
        check_links(message, expected={"course-detail", "home"}, client=client)
        assert f"http://{HOST}/courses/{course_id}/" in links_of(message)
    # "Start the course" is the course's page, not the home page.
    assert f'<a href="http://{HOST}/courses/{other.pk}/" style' in assignment.alternatives[0][0]


def test_the_certificate_mail_opens_the_verification_page_and_the_pdf(world):
    course = world.run(
        lambda: course_build(
            owner=world.instructor, title="Safety Basics", certificate_enabled=True
        )
    )

    def finish():
        enrollment = enrollment_self_enroll(user=world.learner, course=course)
        for lesson in lessons_of(course):
            lesson_complete(enrollment=enrollment, lesson=lesson, actor=world.learner)

    messages = sent(lambda: world.run(finish))
    (message,) = [m for m in messages if m.subject.startswith("You completed")]
    client = browser_of(world.learner, world.tenant)
    expected = {"certificate-verify-page", "certificate-download", "home"}
    check_links(message, expected=expected, client=client)
    # Signed out, the PDF link asks to sign in first, then gives the PDF.
    download = next(link for link in links_of(message) if "/download/" in link)
    assert (
        browser_of(None, world.tenant)
        .get(urlsplit(download).path)["Location"]
        .startswith("/accounts/login/?next=")
    )


def test_the_essay_graded_mail_opens_the_lesson(world):
    setup = world.run(lambda: quiz_course(owner=world.instructor, title="Biology"))
    world.run(lambda: add_essay(setup.quiz, points=5))

    def answer():
        enrollment_self_enroll(user=world.learner, course=setup.course)
        attempt, _new = assessments.attempt_start(quiz=setup.quiz, learner=world.learner)
        (question,) = setup.quiz.questions.all()
        assessments.attempt_answers_save(
            attempt=attempt,
            learner=world.learner,
            answers=[{"question_id": question.pk, "response": {"text": "Light to sugar."}}],
        )
        return assessments.attempt_submit(attempt=attempt, learner=world.learner)

    attempt = world.run(answer)
    essay = world.run(lambda: attempt.answers.get())
    (message,) = sent(
        lambda: world.run(
            lambda: assessments.essay_grade(answer=essay, grader=world.instructor, points=4)
        )
    )
    client = browser_of(world.learner, world.tenant)
    check_links(message, expected={"lesson-play", "home"}, client=client)
    path = f"/courses/{setup.course.pk}/lessons/{setup.lesson.pk}/"
    assert f"http://{HOST}{path}" in links_of(message)


# ------------------------------------------------------------------------------------------
# The in-app notifications
def test_every_notification_opens_its_page_and_is_marked_read(world):
    course = world.run(
        lambda: course_build(
            owner=world.instructor, title="Safety Basics", certificate_enabled=True
        )
    )
    assigned = world.run(lambda: course_build(owner=world.instructor, title="First Aid"))
    setup = world.run(lambda: quiz_course(owner=world.instructor, title="Biology"))
    world.run(lambda: add_essay(setup.quiz, points=5))

    def learn():
        enrollment = enrollment_self_enroll(user=world.learner, course=course)
        for lesson in lessons_of(course):
            lesson_complete(enrollment=enrollment, lesson=lesson, actor=world.learner)
        enrollment_assign(user=world.learner, course=assigned, actor=world.admin)
        enrollment_self_enroll(user=world.learner, course=setup.course)
        attempt, _new = assessments.attempt_start(quiz=setup.quiz, learner=world.learner)
        (question,) = setup.quiz.questions.all()
        assessments.attempt_answers_save(
            attempt=attempt,
            learner=world.learner,
            answers=[{"question_id": question.pk, "response": {"text": "Light."}}],
        )
        assessments.attempt_submit(attempt=attempt, learner=world.learner)
        assessments.essay_grade(answer=attempt.answers.get(), grader=world.instructor, points=3)
        certificate = enrollment.certificates.get()
        certificate_revoke(certificate=certificate, actor=world.admin, reason="Issued in error")

    world.run(learn)
    with schema_context(world.tenant.schema):
        notifications = list(
            Notification.objects.filter(recipient=world.learner)
            .order_by("pk")
            .values_list("pk", "kind", "link")
        )
    kinds = {
        "enrolled": "course-detail",
        "assigned": "course-detail",
        "certificate": "certificate-verify-page",
        "graded": "lesson-play",
    }
    assert sorted(kind for _, kind, _ in notifications) == sorted(
        ["enrolled", "enrolled", "assigned", "certificate", "certificate", "graded"]
    )
    client = browser_of(world.learner, world.tenant)
    for pk, kind, link in notifications:
        assert link.startswith("/") and not link.startswith("//"), link
        assert destination(link) == kinds[kind], (kind, link)
        response = client.get(f"/notifications/{pk}/open/")
        assert (response.status_code, response["Location"]) == (302, link)
        assert opens(client, link) == 200, link
    with schema_context(world.tenant.schema):
        assert not Notification.objects.filter(recipient=world.learner, read_at=None).exists()
