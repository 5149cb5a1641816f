"""Catalogue pages kept per process: every change that alters a page is seen on the next
request, whichever process made it; tenants, authors and editors never get someone else's
page; with Redis unreachable, pages are built every time and still right."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.versions import version_bump
from tenant_apps.courses import services
from tenant_apps.courses.catalogue_cache import catalogue_pages
from tenant_apps.courses.models import Course, Lesson, LessonKind, Section
from tenant_apps.people.services import user_update
from tests.tenant_apps.courses.conftest import build, image_upload

CATALOGUE = "/api/v1/courses"


def titles(client) -> list[str]:
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    return [course["title"] for course in response.json()["results"]]


def rows(client) -> list[dict]:
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    return response.json()["results"]


def catalogue_queries(client) -> list[str]:
    """The statements a catalogue request runs that read courses."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(CATALOGUE).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "courses_course" in q["sql"]]


@pytest.fixture
def course(tenant_a, author) -> Course:
    with schema_context(tenant_a.schema):
        return build(author, title="Python Basics", publish=True)


@pytest.fixture
def as_learner(api, learner):
    return api(learner)


@pytest.fixture
def committed(tenant_a, django_capture_on_commit_callbacks) -> Callable:
    """Run a change in tenant A as if its transaction committed (the after-commit work,
    which publishes the new catalogue version, runs)."""

    def run(change: Callable[[], object]) -> object:
        with schema_context(tenant_a.schema), django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def test_a_kept_page_is_served_without_reading_courses(course, as_learner):
    first = as_learner.get(CATALOGUE)
    assert catalogue_queries(as_learner) == []
    again = as_learner.get(CATALOGUE)
    assert (again.status_code, again["Content-Type"]) == (200, "application/json")
    assert again.json() == first.json()
    assert len(catalogue_pages) == 1


def test_query_strings_are_kept_apart(course, as_learner, tenant_a, author, committed):
    committed(lambda: build(author, title="Advanced Rust", publish=True))
    assert titles(as_learner) == ["Advanced Rust", "Python Basics"]
    searched = as_learner.get(CATALOGUE, {"search": "rust"}).json()["results"]
    assert [c["title"] for c in searched] == ["Advanced Rust"]
    assert titles(as_learner) == ["Advanced Rust", "Python Basics"]


def test_editing_a_course_is_seen_on_the_next_request(course, as_learner, committed):
    assert titles(as_learner) == ["Python Basics"]
    committed(lambda: services.course_update(course=course, title="Python Foundations"))
    assert titles(as_learner) == ["Python Foundations"]


def test_tags_and_category_changes_are_seen(course, as_learner, committed):
    rows(as_learner)

    def recategorise():
        category = services.category_create(name="Programming")
        services.course_update(course=course, tags=["loops"], category_id=category.pk)

    committed(recategorise)
    [row] = rows(as_learner)
    assert (row["tags"], row["category"]["name"]) == (["loops"], "Programming")


def test_publishing_and_archiving_are_seen(course, as_learner, author, committed):
    draft = committed(lambda: build(author, title="Advanced Rust"))
    assert titles(as_learner) == ["Python Basics"]
    committed(lambda: services.course_publish(course=draft, actor=author))
    assert titles(as_learner) == ["Advanced Rust", "Python Basics"]
    committed(lambda: services.course_archive(course=draft, actor=author))
    assert titles(as_learner) == ["Python Basics"]


def test_lesson_count_follows_lessons_added_and_removed(course, as_learner, committed):
    assert [r["lesson_count"] for r in rows(as_learner)] == [1]

    def add_section_with_two():
        section = services.section_create(course=course, title="More")
        for n in (1, 2):
            services.lesson_create(section=section, title=f"Extra {n}", kind=LessonKind.TEXT)
        return section

    section = committed(add_section_with_two)
    assert [r["lesson_count"] for r in rows(as_learner)] == [3]
    committed(lambda: services.lesson_delete(lesson=Lesson.objects.get(title="Extra 1")))
    assert [r["lesson_count"] for r in rows(as_learner)] == [2]
    committed(lambda: services.section_delete(section=Section.objects.get(pk=section.pk)))
    assert [r["lesson_count"] for r in rows(as_learner)] == [1]


def test_thumbnail_changes_are_seen(course, as_learner, committed, media_root):
    assert [r["thumbnail_url"] for r in rows(as_learner)] == [None]
    committed(lambda: services.course_thumbnail_set(course=course, upload=image_upload()))
    [url] = [r["thumbnail_url"] for r in rows(as_learner)]
    assert url.endswith(".png")
    committed(lambda: services.course_thumbnail_remove(course=course))
    assert [r["thumbnail_url"] for r in rows(as_learner)] == [None]


def test_the_owners_new_name_is_seen(course, as_learner, author, committed):
    assert [r["owner"]["full_name"] for r in rows(as_learner)] == ["Carla Creator"]
    committed(lambda: user_update(user=author, actor=author, full_name="Carla Curator"))
    assert [r["owner"]["full_name"] for r in rows(as_learner)] == ["Carla Curator"]


def test_a_change_published_by_another_process_is_seen(course, as_learner, tenant_a):
    assert titles(as_learner) == ["Python Basics"]
    # Another process changes the row and publishes it the way catalogue_changed does: a
    # new catalogue version for this tenant in Redis. This process's kept page is stale.
    with schema_context(tenant_a.schema):
        Course.objects.filter(pk=course.pk).update(title="Changed Elsewhere")
        version_bump(f"lectern:catalogue:{connection.schema_name}:version")
    assert titles(as_learner) == ["Changed Elsewhere"]


def test_a_change_that_rolled_back_publishes_nothing(course, as_learner, tenant_a, author):
    assert titles(as_learner) == ["Python Basics"]
    with schema_context(tenant_a.schema), pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            services.course_update(course=course, title="Never Committed")
            raise RuntimeError("the request failed after the change")
    assert titles(as_learner) == ["Python Basics"]


def test_two_tenants_never_share_a_page(course, as_learner, api, make_person, tenant_b):
    from tenant_apps.people.models import Role

    other_author = make_person(Role.CONTENT_CREATOR, tenant=tenant_b)
    with schema_context(tenant_b.schema):
        build(other_author, title="Bravo Only", publish=True)
    other_learner = make_person(tenant=tenant_b)
    assert titles(as_learner) == ["Python Basics"]
    assert titles(api(other_learner, tenant=tenant_b)) == ["Bravo Only"]
    assert titles(as_learner) == ["Python Basics"]


def test_drafts_and_archived_courses_never_come_from_a_shared_page(
    course, as_learner, api, author, other_author, admin, tenant_a
):
    with schema_context(tenant_a.schema):
        build(author, title="Carla's Draft")
        build(other_author, title="Otto's Draft")
    for _ in range(2):  # the second time, the learner's page is kept
        assert titles(as_learner) == ["Python Basics"]
        assert titles(api(author)) == ["Carla's Draft", "Python Basics"]
        assert titles(api(other_author)) == ["Otto's Draft", "Python Basics"]
        assert titles(api(admin)) == ["Carla's Draft", "Otto's Draft", "Python Basics"]
    assert len(catalogue_pages) == 1


def test_with_redis_unreachable_pages_are_built_every_time(
    course, as_learner, tenant_a, redis_down
):
    assert titles(as_learner) == ["Python Basics"]
    with schema_context(tenant_a.schema):
        Course.objects.filter(pk=course.pk).update(title="Changed Meanwhile")
    assert titles(as_learner) == ["Changed Meanwhile"]
    assert len(catalogue_pages) == 0
