"""A course titled like a script shows as text on every page that lists it, for every
persona: the portal never writes anything a person typed into a page as markup.

Each page is fetched through the whole stack (test client): the raw title must not be in
the HTML and its escaped form must. A real browser then opens the same pages and no
dialog may open (an `alert(1)` that ran would open one)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from tenant_apps.courses.models import LessonKind
from tenant_apps.people.models import Role
from tests.builders import course_build, lessons_of

TITLE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def scripted_course(tenant_a, make_person):
    from tenant_apps.enrollments.services import enrollment_assign
    from tenant_apps.progress.services import lesson_complete

    author = make_person(Role.INSTRUCTOR, full_name="Ines Instructor")
    admin = make_person(Role.ADMIN)
    learner = make_person(Role.LEARNER)
    with schema_context(tenant_a.schema):
        course = course_build(
            owner=author,
            title=TITLE,
            lessons=(LessonKind.TEXT, LessonKind.TEXT),
            certificate_enabled=True,
        )
        lesson = lessons_of(course)[0]
        enrollment = enrollment_assign(user=learner, course=course, actor=admin)
        lesson_complete(enrollment=enrollment, lesson=lesson, actor=admin)
    return {
        "course": course,
        "lesson": lesson,
        "author": author,
        "admin": admin,
        "learner": learner,
    }


def pages_listing(world) -> dict[str, list[str]]:
    course, lesson = world["course"], world["lesson"]
    return {
        "learner": [
            reverse("home"),
            reverse("catalogue"),
            reverse("course-detail", args=[course.pk]),
            reverse("lesson-play", args=[course.pk, lesson.pk]),
            reverse("my-learning"),
            reverse("notifications"),
        ],
        "author": [
            reverse("teach-courses"),
            reverse("teach-course", args=[course.pk]),
            reverse("teach-course-analytics", args=[course.pk]),
        ],
        "admin": [
            reverse("manage-dashboard"),
            reverse("manage-enrollments"),
            reverse("manage-audit"),
        ],
    }


def test_a_script_title_is_text_on_every_page(scripted_course, portal):
    for persona, paths in pages_listing(scripted_course).items():
        client = portal(scripted_course[persona])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (persona, path)
            html = response.content.decode()
            assert TITLE not in html, (persona, path)
            assert ESCAPED in html, (persona, path)


BROWSED = "scripted"


@pytest.fixture
def scripted_portal(committed_tenant, django_db_blocker, tmp_path):
    """The same course on a committed tenant, served by gunicorn (another process)."""
    from tenant_apps.enrollments.services import enrollment_assign
    from tenant_apps.progress.services import lesson_complete
    from tests.factories import UserFactory
    from tests.live import live_server, server_env

    tenant = committed_tenant(BROWSED, "Scripted Academy")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        people = {
            "author": UserFactory(role=Role.INSTRUCTOR, email="author@scripted.example.com"),
            "admin": UserFactory(role=Role.ADMIN, email="boss@scripted.example.com"),
            "learner": UserFactory(role=Role.LEARNER, email="lena@scripted.example.com"),
        }
        course = course_build(
            owner=people["author"], title=TITLE, lessons=(LessonKind.TEXT, LessonKind.TEXT)
        )
        lesson = lessons_of(course)[0]
        enrollment = enrollment_assign(user=people["learner"], course=course, actor=people["admin"])
        lesson_complete(enrollment=enrollment, lesson=lesson, actor=people["admin"])
    world = {"course": course, "lesson": lesson, **people}
    with live_server(server_env(), tmp_path / "server.log", workers=1) as base_url:
        yield world, base_url.replace("127.0.0.1", f"{BROWSED}.localhost")


@pytest.mark.timeout(240)
def test_no_page_runs_a_script_title_in_a_browser(scripted_portal):
    from tests.browser import chromium
    from tests.factories import PASSWORD

    world, server = scripted_portal
    dialogs: list[str] = []
    with chromium() as browser:
        for persona, paths in pages_listing(world).items():
            context = browser.new_context()
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(f"{server}/accounts/login/")
            page.fill("#id_username", world[persona].email)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for path in paths:
                assert page.goto(f"{server}{path}").status == 200, (persona, path)
                page.wait_for_load_state("networkidle")
                assert page.get_by_text(TITLE).count() > 0, (persona, path)
            context.close()
    assert dialogs == []
