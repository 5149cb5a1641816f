"""Routing: the Host header picks the tenant, and nothing else can."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.logs import JsonFormatter
from core.redis_client import redis_client
from core.request_context import RequestContextLogFilter
from shared_apps.tenants import services
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.routing import ROUTING_VERSION_KEY, TenantRouteCache
from tests.factories import PASSWORD, UserFactory


def test_unknown_host_is_404_and_shows_no_tenant(db, tenant_a):
    response = Client(HTTP_HOST="nobody.localhost").get("/")
    assert response.status_code == 404
    assert b"No learning portal at nobody.localhost" in response.content
    assert tenant_a.tenant.name.encode() not in response.content


def test_unknown_custom_domain_is_404(db, tenant_a):
    assert Client(HTTP_HOST="learn.unknown.example").get("/accounts/login/").status_code == 404


def test_tenant_host_serves_its_own_portal(client_a, tenant_a):
    response = client_a.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alpha Learning" in response.content


def test_host_with_port_and_upper_case_routes_to_tenant(db, tenant_a):
    response = Client(HTTP_HOST="ALPHA.localhost:8000").get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alpha Learning" in response.content


def test_suspended_tenant_gets_a_clear_403_page(
    client_a, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.tenant_suspend(tenant=tenant_a.tenant)
    response = client_a.get("/accounts/login/")
    assert response.status_code == 403
    assert b"Alpha Learning is unavailable" in response.content
    assert b"suspended" in response.content
    assert b"<form" not in response.content


def test_archived_tenant_gets_403(client_a, tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.tenant_archive(tenant=tenant_a.tenant)
    response = client_a.get("/")
    assert response.status_code == 403
    assert b"archived" in response.content


def test_deleted_tenant_is_404_until_restored(
    client_a, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.tenant_delete(tenant=tenant_a.tenant)
    assert client_a.get("/accounts/login/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.tenant_restore(tenant=tenant_a.tenant)
    assert client_a.get("/accounts/login/").status_code == 200


def test_custom_domain_routes_to_its_tenant(db, tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.domain_add(tenant=tenant_a.tenant, domain="Learn.Alpha-Corp.example")
    response = Client(HTTP_HOST="learn.alpha-corp.example").get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alpha Learning" in response.content

    with django_capture_on_commit_callbacks(execute=True):
        services.domain_remove(tenant=tenant_a.tenant, domain="learn.alpha-corp.example")
    assert Client(HTTP_HOST="learn.alpha-corp.example").get("/").status_code == 404


def test_same_url_on_two_tenants_sees_only_its_own_people(tenant_a, tenant_b, db):
    with schema_context(tenant_a.schema):
        UserFactory(email="same@example.com", full_name="Alpha Person")
    with schema_context(tenant_b.schema):
        UserFactory(email="same@example.com", full_name="Bravo Person")

    for tenant, name, other in (
        (tenant_a, b"Alpha Person", b"Bravo Person"),
        (tenant_b, b"Bravo Person", b"Alpha Person"),
    ):
        client = Client(HTTP_HOST=tenant.host)
        response = client.post(
            "/accounts/login/", {"username": "same@example.com", "password": PASSWORD}
        )
        assert response.status_code == 302
        home = client.get("/")
        assert home.status_code == 200
        assert name in home.content
        assert other not in home.content


def test_session_of_one_tenant_is_not_valid_on_another(tenant_a, tenant_b, db):
    with schema_context(tenant_a.schema):
        UserFactory(email="roamer@example.com")
    client = Client(HTTP_HOST=tenant_a.host)
    client.post("/accounts/login/", {"username": "roamer@example.com", "password": PASSWORD})
    assert client.get("/").status_code == 200
    # The same cookie jar, sent to tenant B: B's schema has no such session.
    client.defaults["HTTP_HOST"] = tenant_b.host
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_tenant_request_costs_no_routing_query(client_a, tenant_a):
    client_a.get("/accounts/login/")  # warms this process's route map and search_path
    with CaptureQueriesContext(connection) as queries:
        response = client_a.get("/accounts/login/")
    assert response.status_code == 200
    assert [q["sql"] for q in queries.captured_queries] == []


def test_signed_in_page_costs_one_search_path_and_its_own_queries(client_a, client_b, tenant_a):
    with schema_context(tenant_a.schema):
        UserFactory(email="counted@example.com")
    client_a.post("/accounts/login/", {"username": "counted@example.com", "password": PASSWORD})
    client_b.get("/accounts/login/")  # the connection now points at tenant B

    with CaptureQueriesContext(connection) as queries:
        assert client_a.get("/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0] == f'SET search_path = "{tenant_a.schema}","public"'
    assert len(sql) == 3  # search_path, the session, the user: nothing for routing
    assert "django_session" in sql[1]
    assert "people_user" in sql[2]

    with CaptureQueriesContext(connection) as queries:
        assert client_a.get("/").status_code == 200
    assert len(queries.captured_queries) == 2  # same tenant again: no SET at all


def test_routing_change_reaches_another_process_cache(
    db, tenant_a, django_capture_on_commit_callbacks
):
    """A second route map (as in another web process) drops its entry after the change."""
    other_process = TenantRouteCache()
    assert other_process.resolve(tenant_a.host).tenant.status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        services.tenant_suspend(tenant=tenant_a.tenant)
    assert other_process.resolve(tenant_a.host).tenant.status == "suspended"


def test_a_lost_routing_stamp_trusts_no_remembered_route(db, tenant_a):
    """Redis restarted empty: the next stamp is a fresh one, so no map built before is kept."""
    other_process = TenantRouteCache()
    assert other_process.resolve(tenant_a.host).tenant.status == "active"
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(status="suspended")  # no signal
    redis_client().delete(ROUTING_VERSION_KEY)
    assert other_process.resolve(tenant_a.host).tenant.status == "suspended"


def test_log_lines_carry_tenant_and_request_id(client_a, tenant_a):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestContextLogFilter())
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(handler)
    try:
        response = client_a.get("/no-such-page/", HTTP_X_REQUEST_ID="req-123")
    finally:
        request_logger.removeHandler(handler)
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-123"
    assert [(r.getMessage(), r.tenant, r.request_id) for r in records] == [
        ("Not Found: /no-such-page/", tenant_a.schema, "req-123")
    ]


def test_json_log_lines_in_production_format(client_a, tenant_a):
    record = logging.LogRecord("lectern", logging.INFO, __file__, 1, "hello %s", ("there",), None)
    RequestContextLogFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello there"
    assert line["tenant"] == "-"
    assert line["level"] == "INFO"


def test_request_id_is_generated_when_absent_or_unsafe(client_a):
    response = client_a.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.parametrize("path", ["/admin/", "/api/platform/v1/tenants"])
def test_operator_side_is_not_served_on_tenant_hosts(client_a, path):
    assert client_a.get(path).status_code == 404
