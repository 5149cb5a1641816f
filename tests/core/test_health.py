"""Liveness and readiness, on any host, with no tenant."""

from __future__ import annotations

import pytest
from django.test import Client

from core.redis_client import redis_client


@pytest.mark.parametrize(
    "host", ["localhost", "alpha.localhost", "unknown.example", "malformed host:port"]
)
def test_healthz_answers_on_any_host(db, tenant_a, host):
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_redis(db):
    response = Client(HTTP_HOST="unknown.example").get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


@pytest.fixture
def redis_down(settings):
    """Redis unreachable: nothing listens on port 1 of this machine."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    redis_client.cache_clear()
    yield
    redis_client.cache_clear()


def test_readyz_is_503_naming_redis_when_redis_is_down(db, redis_down):
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["redis"]


def test_tenant_routing_still_works_from_the_database_when_redis_is_down(
    client_a, tenant_a, redis_down
):
    response = client_a.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alpha Learning" in response.content
