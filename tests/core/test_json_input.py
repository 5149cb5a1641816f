"""JSON bodies the server refuses with 400 before they can hurt: nesting past MAX_JSON_DEPTH
(it used to be a 500, even on the unauthenticated sign-in) and lone surrogates."""

from __future__ import annotations

import json

import pytest

from core.api.parsers import MAX_JSON_DEPTH, json_nesting_exceeds
from tenant_apps.people.models import RefreshToken, Role, User
from tests.factories import PASSWORD
from tests.snapshots import snapshot


@pytest.fixture(autouse=True)
def _no_failed_sign_ins():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def nested(depth: int, opener: str = "[", closer: str = "]", core: str = "1") -> str:
    return opener * depth + core + closer * depth


@pytest.mark.parametrize("depth", [100, 1000, 100_000])
@pytest.mark.parametrize("shape", ["array", "object"])
def test_deep_nesting_on_the_sign_in_is_400_with_the_error_body(api, tenant_a, depth, shape):
    before = snapshot(User, RefreshToken, tenant=tenant_a)
    if shape == "array":
        body = '{"email": "a@example.com", "password": ' + nested(depth) + "}"
    else:
        body = '{"email": "a@example.com", "password": ' + nested(depth, '{"a":', "}") + "}"
    response = api().post("/api/v1/auth/login", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "parse_error",
            "message": f"JSON may nest arrays and objects at most {MAX_JSON_DEPTH} deep.",
            "details": [],
        }
    }
    assert snapshot(User, RefreshToken, tenant=tenant_a) == before


def test_a_normal_body_still_signs_in(api, make_person):
    make_person(Role.LEARNER, email="lena@example.com")
    response = api().post(
        "/api/v1/auth/login",
        json.dumps({"email": "lena@example.com", "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200


def test_nesting_at_the_limit_is_parsed_and_judged_by_the_serializer(api, tenant_a):
    before = snapshot(User, RefreshToken, tenant=tenant_a)
    at_limit = nested(MAX_JSON_DEPTH - 1)  # inside the outer object: exactly the limit
    response = api().post(
        "/api/v1/auth/login",
        '{"email": "a@example.com", "password": ' + at_limit + "}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert [d["field"] for d in response.json()["error"]["details"]] == ["password"]
    assert snapshot(User, RefreshToken, tenant=tenant_a) == before


@pytest.mark.parametrize(
    ("text", "exceeds"),
    [
        (nested(3), False),
        (nested(4), True),
        # Brackets inside strings are text, escaped quotes do not end a string.
        ('["[[[[[[[[", "]"]', False),
        ('["\\"[[[[[[", 1]', False),
        ('["\\\\", [[[1]]]]', True),
        ('{"a": {"b": {"c": 1}}, "d": [1, 2]}', False),
        ("", False),
    ],
)
def test_nesting_is_counted_outside_strings(text, exceeds):
    assert json_nesting_exceeds(text, limit=3) is exceeds


def test_lone_surrogates_are_still_refused(api, tenant_a):
    before = snapshot(User, RefreshToken, tenant=tenant_a)
    response = api().post(
        "/api/v1/auth/login",
        '{"email": "a@example.com", "password": "\\ud800"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert snapshot(User, RefreshToken, tenant=tenant_a) == before
