"""The course list: who sees which courses, filters, search, ordering, pagination, and a
number of queries that does not grow with the page size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.courses import services
from tenant_apps.courses.models import Category, Course
from tenant_apps.people.models import User
from tests.tenant_apps.courses.conftest import build


@dataclass(frozen=True)
class Catalogue:
    programming: Category
    design: Category
    python: Course
    rust: Course
    colour: Course
    draft: Course
    other_draft: Course
    retired: Course


@pytest.fixture
def catalogue(in_tenant_a, author: User, other_author: User) -> Catalogue:
    programming = services.category_create(name="Programming")
    design = services.category_create(name="Design")
    python = build(
        author,
        title="Python Basics",
        description="Learn loops.",
        category_id=programming.pk,
        tags=["python"],
        publish=True,
    )
    rust = build(
        other_author,
        title="Advanced Rust",
        category_id=programming.pk,
        tags=["rust", "Systems"],
        difficulty="advanced",
        language="de",
        price=Decimal("49"),
        publish=True,
    )
    colour = build(
        author,
        title="Colour Theory",
        description="A Python-free course.",
        category_id=design.pk,
        tags=["Art"],
        difficulty="intermediate",
        price=Decimal("15.50"),
        currency="EUR",
        publish=True,
    )
    draft = build(author, title="Draft Ideas")
    other_draft = build(other_author, title="Secret Draft")
    retired = build(author, title="Old Course", publish=True)
    services.course_archive(course=retired, actor=author)
    return Catalogue(programming, design, python, rust, colour, draft, other_draft, retired)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [course["title"] for course in response.json()["results"]]


def test_learners_see_the_published_catalogue(api, learner, catalogue):
    assert titles(api(learner).get("/api/v1/courses")) == [
        "Advanced Rust",
        "Colour Theory",
        "Python Basics",
    ]


def test_authors_also_see_their_own_drafts_and_archived_courses(api, author, catalogue):
    assert titles(api(author).get("/api/v1/courses")) == [
        "Advanced Rust",
        "Colour Theory",
        "Draft Ideas",
        "Old Course",
        "Python Basics",
    ]


def test_instructors_and_admins_see_every_course(api, instructor, admin, catalogue):
    everything = [
        "Advanced Rust",
        "Colour Theory",
        "Draft Ideas",
        "Old Course",
        "Python Basics",
        "Secret Draft",
    ]
    assert titles(api(instructor).get("/api/v1/courses")) == everything
    assert titles(api(admin).get("/api/v1/courses")) == everything


def test_a_course_in_the_list(api, learner, author, catalogue):
    (item,) = api(learner).get("/api/v1/courses?search=loops").json()["results"]
    assert item == {
        "id": catalogue.python.pk,
        "title": "Python Basics",
        "slug": "python-basics",
        "description": "Learn loops.",
        "thumbnail_url": None,
        "category": {
            "id": catalogue.programming.pk,
            "name": "Programming",
            "slug": "programming",
        },
        "tags": ["python"],
        "difficulty": "beginner",
        "language": "en",
        "estimated_minutes": 0,
        "price_amount": 0,
        "currency": "EUR",
        "price_display": "€0.00",
        "is_free": True,
        "status": "published",
        "certificate_enabled": False,
        "passing_score": 70,
        "owner": {"id": author.pk, "full_name": "Carla Creator"},
        "lesson_count": 1,
        "published_at": item["published_at"],
        "archived_at": None,
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }
    assert item["published_at"] is not None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=published", ["Advanced Rust", "Colour Theory", "Python Basics"]),
        ("status=draft", []),
        ("category={programming}", ["Advanced Rust", "Python Basics"]),
        ("category_slug=DESIGN", ["Colour Theory"]),
        ("difficulty=advanced", ["Advanced Rust"]),
        ("language=DE", ["Advanced Rust"]),
        ("owner={other_author}", ["Advanced Rust"]),
        ("tag=PYTHON", ["Python Basics"]),
        ("tag=systems", ["Advanced Rust"]),
        ("tag=unknown", []),
        ("is_free=true", ["Python Basics"]),
        ("is_free=false", ["Advanced Rust", "Colour Theory"]),
        ("search=python", ["Colour Theory", "Python Basics"]),
        ("search=LOOPS", ["Python Basics"]),
        ("ordering=price_amount", ["Python Basics", "Colour Theory", "Advanced Rust"]),
        ("ordering=-price_amount", ["Advanced Rust", "Colour Theory", "Python Basics"]),
        ("ordering=-published_at", ["Colour Theory", "Advanced Rust", "Python Basics"]),
        ("ordering=-title", ["Python Basics", "Colour Theory", "Advanced Rust"]),
        ("ordering=created_at", ["Python Basics", "Advanced Rust", "Colour Theory"]),
        ("category={programming}&is_free=false", ["Advanced Rust"]),
    ],
)
def test_filters_search_and_ordering(api, learner, other_author, catalogue, query, expected):
    query = query.format(programming=catalogue.programming.pk, other_author=other_author.pk)
    assert titles(api(learner).get(f"/api/v1/courses?{query}")) == expected


def test_authors_filter_their_drafts_by_status(api, author, catalogue):
    assert titles(api(author).get("/api/v1/courses?status=draft")) == ["Draft Ideas"]
    assert titles(api(author).get("/api/v1/courses?status=archived")) == ["Old Course"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=bogus", "status"), ("category=abc", "category"), ("difficulty=expert", "difficulty")],
)
def test_bad_filters_are_a_400_naming_the_parameter(api, learner, catalogue, query, field):
    response = api(learner).get(f"/api/v1/courses?{query}")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


def test_pages(api, learner, catalogue):
    first = api(learner).get("/api/v1/courses?page_size=2").json()
    assert first["count"] == 3
    assert [c["title"] for c in first["results"]] == ["Advanced Rust", "Colour Theory"]
    assert first["next"].endswith("/api/v1/courses?page=2&page_size=2")
    second = api(learner).get("/api/v1/courses?page=2&page_size=2").json()
    assert [c["title"] for c in second["results"]] == ["Python Basics"]
    assert second["next"] is None


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_catalogue_costs_the_same_queries_whatever_the_page_size(
    api, learner, author, other_author, in_tenant_a, django_assert_max_num_queries
):
    categories = [services.category_create(name=f"Category {n}") for n in range(3)]
    for n in range(55):
        build(
            author if n % 2 else other_author,
            title=f"Course {n:02}",
            category_id=categories[n % 3].pk,
            tags=[f"tag{n % 4}", f"extra{n % 5}", "common"],
            publish=True,
        )
    client = api(learner)
    client.get("/api/v1/courses?page_size=1")  # resolves and caches the tenant's route

    small = count_queries(client, "/api/v1/courses?page_size=5")
    large = count_queries(client, "/api/v1/courses?page_size=50")
    assert small == large
    with django_assert_max_num_queries(small):
        response = client.get("/api/v1/courses?page_size=50&ordering=-published_at&tag=common")
    assert len(response.json()["results"]) == 50
    assert all(len(course["tags"]) == 3 for course in response.json()["results"])
    # Sign-in check, count, page (with category and owner), tags of the page.
    assert small <= 5
