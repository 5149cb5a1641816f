"""Liveness and readiness, on any host, with no tenant."""

from __future__ import annotations

import pytest
from django.test import Client


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


def test_readyz_is_503_naming_only_redis_when_redis_is_down(db, redis_down, caplog):
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
        "failing": ["redis"],
    }
    # The reason (naming the server's address) is in the server's log, not the answer.
    assert "127.0.0.1:1" not in response.content.decode()
    assert "redis unavailable: ConnectionError" in caplog.text


@pytest.fixture
def database_down(django_db_blocker):
    """PostgreSQL unreachable: the connection points at port 1, where nothing listens."""
    from django.db import connection

    with django_db_blocker.unblock():
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict["PORT"] = "1"
        yield saved
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_readyz_does_not_tell_where_the_database_is(database_down, caplog):
    response = Client(HTTP_HOST="unknown.example").get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "redis": "ok"},
        "failing": ["database"],
    }
    body = response.content.decode()
    for secret in (database_down["HOST"], database_down["NAME"], "port 1", "5432"):
        assert secret not in body
    assert "database unavailable: OperationalError" in caplog.text


def test_tenant_routing_still_works_from_the_database_when_redis_is_down(
    client_a, tenant_a, redis_down
):
    response = client_a.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alpha Learning" in response.content
