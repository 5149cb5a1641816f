"""The catalogue page: published courses only, filters combined with search, paging, the
HTMX results region, titles shown as text, bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.courses import services
from tests.builders import course_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(tenant_a, author):
    with schema_context(tenant_a.schema):
        birds = services.category_create(name="Birds", slug="birds")
        fish = services.category_create(name="Fish", slug="fish")
        return {
            "owls": course_build(
                owner=author,
                title="Owls at night",
                category_id=birds.pk,
                difficulty="advanced",
                language="de",
            ),
            "gulls": course_build(owner=author, title="Gulls", category_id=birds.pk, price="10.00"),
            "trout": course_build(
                owner=author, title="Trout <script>alert(1)</script>", category_id=fish.pk
            ),
            "draft": course_build(owner=author, title="Secret draft", status="draft"),
        }


def _titles(response) -> str:
    return response.content.decode()


def test_the_catalogue_lists_published_courses_only(portal, learner, shelf):
    response = portal(learner).get("/courses/")
    body = _titles(response)
    assert response.status_code == 200
    assert "Owls at night" in body and "Gulls" in body
    assert "Trout &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body
    assert "Secret draft" not in body
    assert "3 courses" in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("category=birds", ["Owls at night", "Gulls"], ["Trout"]),
        ("category=birds&price=paid", ["Gulls"], ["Owls at night", "Trout"]),
        ("category=birds&price=free", ["Owls at night"], ["Gulls", "Trout"]),
        ("difficulty=advanced", ["Owls at night"], ["Gulls", "Trout"]),
        ("language=de", ["Owls at night"], ["Gulls", "Trout"]),
        ("q=night&category=birds", ["Owls at night"], ["Gulls", "Trout"]),
        ("q=night&category=fish", [], ["Owls at night", "Gulls", "Trout"]),
    ],
)
def test_filters_and_search_combine(portal, learner, shelf, query, shown, hidden):
    body = _titles(portal(learner).get(f"/courses/?{query}"))
    for title in shown:
        assert title in body
    for title in hidden:
        assert f">{title}" not in body
    if not shown:
        assert "No course matches these filters." in body


def test_an_unknown_filter_value_is_shown_as_an_error(portal, learner, shelf):
    response = portal(learner).get("/courses/?difficulty=legendary")
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and "0 courses" in body


def test_htmx_gets_the_results_region_alone(portal, learner, shelf):
    response = portal(learner).get(
        "/courses/?category=fish", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalogue-results"
    )
    body = response.content.decode()
    assert "<html" not in body and "Trout" in body and "Owls" not in body


def test_the_catalogue_pages(portal, learner, author, tenant_a):
    with schema_context(tenant_a.schema):
        for n in range(30):
            course_build(owner=author, title=f"Course {n:02d}")
    first = _titles(portal(learner).get("/courses/"))
    assert "Page 1 of 2" in first and "page=2" in first
    second = _titles(portal(learner).get("/courses/?page=2"))
    assert "Course 29" in second and "Course 00" not in second


def test_signed_out_people_sign_in_first(portal):
    response = portal().get("/courses/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_catalogue_runs_a_bounded_number_of_queries(
    portal, learner, author, tenant_a, django_assert_max_num_queries, redis_down
):
    with schema_context(tenant_a.schema):
        for n in range(40):
            course_build(owner=author, title=f"Course {n:02d}", tags=["a", "b"])
    client = portal(learner)
    with django_assert_max_num_queries(14):
        assert client.get("/courses/?q=course").status_code == 200


def test_a_kept_results_page_is_fresh_after_a_change(
    portal, learner, author, tenant_a, shelf, django_capture_on_commit_callbacks
):
    client = portal(learner)
    assert "Herons" not in client.get("/courses/?category=birds").content.decode()
    with CaptureQueriesContext(connection) as kept:
        client.get("/courses/?category=birds")
    assert not any('"courses_course"."title"' in q["sql"] for q in kept.captured_queries)
    with schema_context(tenant_a.schema), django_capture_on_commit_callbacks(execute=True):
        course_build(owner=author, title="Herons", category_id=shelf["owls"].category_id)
    assert "Herons" in client.get("/courses/?category=birds").content.decode()
