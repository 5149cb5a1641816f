"""Kept catalogue pages across processes: gunicorn serves the catalogue (one worker, so the
page it keeps is the one it serves next), this test process changes courses through the
services and commits, and the server's very next answer shows the change."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django_tenants.utils import schema_context

from tenant_apps.courses import services
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import user_create, user_update
from tenant_apps.people.tokens import personal_token_issue
from tests.builders import course_build
from tests.live import live_server, server_env

SLUG = "keptpages"


@pytest.fixture
def kept_pages_tenant(committed_tenant, django_db_blocker):
    """A committed tenant with an author and a learner's personal token."""
    tenant = committed_tenant(SLUG, "Kept Pages")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        author = user_create(
            email="author@example.com", full_name="Ada Author", role=Role.INSTRUCTOR
        )
        learner = user_create(email="learner@example.com", role=Role.LEARNER)
        token = personal_token_issue(user=learner, name="catalogue").secret
    return tenant, author, token


def catalogue(base_url: str, token: str) -> list[tuple[str, str, int]]:
    address = urlsplit(base_url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    conn.request(
        "GET",
        "/api/v1/courses",
        headers={"Host": f"{SLUG}.localhost", "Authorization": f"Bearer {token}"},
    )
    response = conn.getresponse()
    assert response.status == 200
    rows = json.loads(response.read())["results"]
    conn.close()
    return [(row["title"], row["owner"]["full_name"], row["lesson_count"]) for row in rows]


@pytest.mark.timeout(300)
def test_changes_committed_here_are_served_at_once_by_another_process(
    kept_pages_tenant, django_db_blocker, tmp_path
):
    tenant, author, token = kept_pages_tenant

    def change(work: Callable[[], object]) -> object:
        """Run `work` in the tenant's schema and commit it (its after-commit work, which
        publishes the new catalogue version, runs at the commit)."""
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            return work()

    course = change(lambda: course_build(owner=author, title="Python Basics"))
    with live_server(server_env(), tmp_path / "server.log", workers=1) as base_url:
        assert catalogue(base_url, token) == [("Python Basics", "Ada Author", 2)]
        assert catalogue(base_url, token) == [("Python Basics", "Ada Author", 2)]  # kept

        change(lambda: services.course_update(course=course, title="Python Foundations"))
        assert catalogue(base_url, token) == [("Python Foundations", "Ada Author", 2)]

        change(
            lambda: user_update(
                user=User.objects.get(pk=author.pk), actor=None, full_name="Ada Lovelace"
            )
        )
        assert catalogue(base_url, token) == [("Python Foundations", "Ada Lovelace", 2)]

        change(lambda: course_build(owner=author, title="Advanced Rust", lessons=["text"]))
        assert catalogue(base_url, token) == [
            ("Advanced Rust", "Ada Lovelace", 1),
            ("Python Foundations", "Ada Lovelace", 2),
        ]

        change(lambda: services.course_archive(course=course, actor=author))
        assert catalogue(base_url, token) == [("Advanced Rust", "Ada Lovelace", 1)]
