"""Rate limits: 429 with Retry-After per person, per token and per address; per tenant."""

from __future__ import annotations

import pytest

from core.api.throttling import parse_rate
from tenant_apps.people.models import User
from tests.snapshots import snapshot

pytestmark = pytest.mark.usefixtures("fresh_throttle_counters")


@pytest.fixture
def tight_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "token": "2/min", "anon": "2/min"},
    }


def test_parse_rate():
    assert parse_rate("1200/min") == (1200, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("100/hour") == (100, 3600)


def test_a_person_over_the_limit_gets_429_with_retry_after(api, make_person, tight_limits):
    client = api(make_person())
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_limits_are_per_person(api, make_person, tight_limits):
    first, second = api(make_person()), api(make_person())
    for _ in range(3):
        first.get("/api/v1/me")
    assert first.get("/api/v1/me").status_code == 429
    assert second.get("/api/v1/me").status_code == 200


def test_personal_tokens_have_their_own_budget(api, make_person, tight_limits):
    person = make_person()
    secret = api(person).post("/api/v1/me/tokens", {"name": "ci"}).json()["token"]
    integration = api()
    integration.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [integration.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]


def test_limits_are_per_tenant(api, make_person, tenant_b, tight_limits):
    in_a = api(make_person())
    in_b = api(make_person(tenant=tenant_b), tenant=tenant_b)
    for _ in range(3):
        in_a.get("/api/v1/me")
    assert in_a.get("/api/v1/me").status_code == 429
    assert in_b.get("/api/v1/me").status_code == 200


def test_anonymous_callers_are_limited_per_address(api, tenant_a, tight_limits):
    anonymous = api()
    payload = {"email": "nobody@example.com"}
    codes = [anonymous.post("/api/v1/auth/password-reset", payload).status_code for _ in range(2)]
    assert codes == [202, 202]
    before = snapshot(User, tenant=tenant_a)
    assert anonymous.post("/api/v1/auth/password-reset", payload).status_code == 429
    assert snapshot(User, tenant=tenant_a) == before
