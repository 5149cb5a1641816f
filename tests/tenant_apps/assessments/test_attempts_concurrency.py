"""Starting attempts at the same moment, for real: threads with their own database
connections that commit. However they interleave, a learner never gets more attempts than
the quiz allows, nor two running at once."""

from __future__ import annotations

from collections.abc import Callable

from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.errors import Conflict
from tenant_apps.assessments import services
from tenant_apps.assessments.models import Attempt
from tenant_apps.people.tokens import token_pair_issue
from tests.concurrency import race_in_schema
from tests.tenant_apps.assessments.conftest import CommittedQuiz


def start(committed: CommittedQuiz) -> Callable[[], object]:
    return lambda: services.attempt_start(quiz=committed.quiz, learner=committed.learner)[0].pk


def test_simultaneous_starts_give_one_attempt(committed):
    results = race_in_schema(committed.schema, [start(committed) for _ in range(4)])
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert committed.attempts() == [(1, "in_progress")]


def test_simultaneous_starts_never_exceed_max_attempts(committed):
    with schema_context(committed.schema):
        first, _new = services.attempt_start(quiz=committed.quiz, learner=committed.learner)
        services.attempt_submit(attempt=first, learner=committed.learner)
    results = race_in_schema(committed.schema, [start(committed) for _ in range(4)])
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert committed.attempts() == [(1, "graded"), (2, "in_progress")]
    with schema_context(committed.schema):
        second = Attempt.objects.get(pk=results[0])
        services.attempt_submit(attempt=second, learner=committed.learner)
    results = race_in_schema(committed.schema, [start(committed) for _ in range(4)])
    assert all(isinstance(r, Conflict) for r in results), results
    assert {r.code.value for r in results} == {"no_attempts_left"}
    assert committed.attempts() == [(1, "graded"), (2, "graded")]


def test_simultaneous_start_requests_through_the_api(committed):
    with schema_context(committed.schema):
        access = token_pair_issue(user=committed.learner).access
    url = f"/api/v1/lessons/{committed.quiz.lesson_id}/quiz/attempts"

    def request() -> tuple[int, int]:
        client = APIClient(HTTP_HOST=committed.host)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        response = client.post(url)
        return response.status_code, response.json()["id"]

    results = race_in_schema(committed.schema, [request for _ in range(3)])
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(code for code, _id in results) == [200, 200, 201]
    assert len({attempt_id for _code, attempt_id in results}) == 1
    assert committed.attempts() == [(1, "in_progress")]
