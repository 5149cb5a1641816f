"""Routing: the Host header picks the tenant, and nothing else can."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.hosts import RoutedHosts
from core.logs import JsonFormatter
from core.redis_client import redis_client
from core.request_context import RequestContextLogFilter
from shared_apps.tenants import services
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.routing import (
    ROUTING_VERSION_KEY,
    UNKNOWN_HOSTS_REMEMBERED,
    RouteCacheSize,
    TenantRouteCache,
    route_cache,
)
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import Role
from tenant_apps.people.tokens import token_pair_issue
from tests.factories import PASSWORD, UserFactory
from tests.live import run_under_production


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
    # Only the page's own: whether the tenant lets people register (the "Create an account"
    # link), the tenant's branding (its design tokens' version) and its identity providers
    # (the sign-in buttons and discovery; with none, no sign-in policy needs reading).
    assert sorted(q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries) == [
        '"branding_branding"',
        '"people_peoplepolicy"',
        '"sso_identityprovider"',
    ]


def test_signed_in_page_costs_one_search_path_and_its_own_queries(client_a, client_b, tenant_a):
    with schema_context(tenant_a.schema):
        UserFactory(email="counted@example.com")
    client_a.post("/accounts/login/", {"username": "counted@example.com", "password": PASSWORD})
    client_b.get("/accounts/login/")  # the connection now points at tenant B

    with CaptureQueriesContext(connection) as queries:
        assert client_a.get("/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0] == f'SET search_path = "{tenant_a.schema}","public"'
    # search_path, the session, the user, then the page's own (the home page's: where to
    # continue, one's enrollments; the shell's: the branding): nothing for routing
    assert "django_session" in sql[1]
    assert "people_user" in sql[2]
    assert any('"progress_lessonprogress"' in q for q in sql[3:])
    assert any("branding_branding" in q for q in sql[3:])
    assert not any('"tenants_' in q for q in sql)

    with CaptureQueriesContext(connection) as queries:
        assert client_a.get("/").status_code == 200
    assert len(queries.captured_queries) == len(sql) - 1  # same tenant again: no SET at all


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


# ------------------------------------------------------------------------------------------
# Routing is the host gate, under the production host rule


def test_the_suite_is_served_under_the_production_host_rule():
    """No `*`: Django accepts only the host routing admitted (see core.hosts)."""
    assert isinstance(settings.ALLOWED_HOSTS, RoutedHosts)
    assert list(settings.ALLOWED_HOSTS) == []  # outside a request: no host at all
    assert settings.ALLOWED_HOST_PATTERNS == ["*"]
    assert settings.USE_X_FORWARDED_HOST is False


PRODUCTION_REQUESTS = """
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment does
from django.conf import settings
from django.test import Client
from shared_apps.tenants import services
from shared_apps.tenants.models import Tenant

print(type(settings.ALLOWED_HOSTS).__name__, settings.ALLOWED_HOST_PATTERNS)
tenant = Tenant.objects.get(slug="alpha")
services.domain_add(tenant=tenant, domain="learn.alpha-corp.example")
try:
    for host, forwarded in (
        ("learn.alpha-corp.example", None),
        ("alpha.localhost", None),
        ("evil.example", None),
        ("alpha.localhost", "evil.example"),
    ):
        extra = {"HTTP_X_FORWARDED_HOST": forwarded} if forwarded else {}
        response = Client(HTTP_HOST=host, **extra).get("/accounts/login/")
        print(host, forwarded, response.status_code, b"Alpha Learning" in response.content)
    # Static files: the collected copy, under a hashed name, kept for good by browsers.
    import re
    page = Client(HTTP_HOST="alpha.localhost").get("/accounts/login/").content.decode()
    href = re.search(r'href="(/static/lectern/portal\\.[0-9a-f]{12}\\.css)"', page)[1]
    css = Client(HTTP_HOST="alpha.localhost").get(href)
    print("stylesheet", css.status_code, "immutable" in css["Cache-Control"])
finally:
    services.domain_remove(tenant=tenant, domain="learn.alpha-corp.example")
"""


def test_custom_domain_is_served_under_the_production_settings(
    tenant_a, django_db_blocker, tmp_path
):
    """`lectern.settings.production` itself, in a process of its own, on the test database."""
    result = run_under_production(PRODUCTION_REQUESTS, tmp_path / "static")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "RoutedHosts ['*']",
        "learn.alpha-corp.example None 200 True",
        "alpha.localhost None 200 True",
        "evil.example None 404 False",
        "alpha.localhost evil.example 200 True",  # X-Forwarded-Host is not trusted
        "stylesheet 200 True",
    ]
    with django_db_blocker.unblock():
        assert not Domain.objects.filter(domain="learn.alpha-corp.example").exists()


def _admin_api(host: str, make_person, tenant) -> APIClient:
    """An admin of `tenant` calling from `host`, with two audit entries: a list of one per
    page links to the next page with an absolute URL, built from the request's host."""
    admin = make_person(Role.ADMIN, email="gatekeeper@example.com")
    with schema_context(tenant.schema):
        for _ in range(2):
            audit_record(action=AuditAction.USER_DEACTIVATED, actor=None, target=admin)
        pair = token_pair_issue(user=admin)
    client = APIClient(HTTP_HOST=host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    return client


def test_custom_domain_builds_links_with_its_own_host(
    make_person, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.domain_add(tenant=tenant_a.tenant, domain="learn.alpha-corp.example")
    client = _admin_api("learn.alpha-corp.example", make_person, tenant_a)
    page = client.get("/api/v1/audit-log", {"page_size": 1})
    assert page.status_code == 200
    assert page.json()["next"] == (
        "http://learn.alpha-corp.example/api/v1/audit-log?page=2&page_size=1"
    )


def test_forwarded_host_is_ignored_unless_the_proxy_is_trusted_to_set_it(make_person, tenant_a):
    client = _admin_api(tenant_a.host, make_person, tenant_a)
    page = client.get("/api/v1/audit-log", {"page_size": 1}, HTTP_X_FORWARDED_HOST="evil.example")
    assert page.status_code == 200
    assert page.json()["next"] == "http://alpha.localhost/api/v1/audit-log?page=2&page_size=1"


def test_trusted_forwarded_host_is_gated_like_a_host(make_person, tenant_a, tenant_b, settings):
    settings.USE_X_FORWARDED_HOST = True
    client = _admin_api(tenant_a.host, make_person, tenant_a)

    poisoned = client.get("/api/v1/audit-log", HTTP_X_FORWARDED_HOST="evil.example")
    assert poisoned.status_code == 404
    assert b"No learning portal at evil.example" in poisoned.content
    assert b"Alpha" not in poisoned.content

    # The proxy names the host; it is routed and linked as such, never the Host behind it.
    page = client.get(
        "/api/v1/audit-log", {"page_size": 1}, HTTP_X_FORWARDED_HOST="alpha.localhost:8443"
    )
    assert page.json()["next"] == (
        "http://alpha.localhost:8443/api/v1/audit-log?page=2&page_size=1"
    )
    other = Client(HTTP_HOST=tenant_a.host, HTTP_X_FORWARDED_HOST=tenant_b.host)
    assert b"Bravo Academy" in other.get("/accounts/login/").content


@pytest.mark.parametrize(
    "host", ["alpha.localhost:notaport", "alpha localhost", "alpha.localhost/x", "", "[::1"]
)
def test_malformed_host_is_400_before_any_view(db, tenant_a, host):
    response = Client(HTTP_HOST=host).get("/accounts/login/")
    assert response.status_code == 400
    assert response.content == b"Bad Request (400)"


def test_unknown_host_reaches_no_view_on_any_path(db, tenant_a, make_person):
    make_person(Role.ADMIN, email="admin-x@example.com")
    for path in ("/api/v1/audit-log", "/api/v1/users", "/admin/", "/accounts/login/"):
        response = Client(HTTP_HOST="alpha.localhost.evil.example").get(path)
        assert response.status_code == 404, path
        assert b"No learning portal at alpha.localhost.evil.example" in response.content


def test_allowed_hosts_setting_is_an_outer_limit(
    db, tenant_a, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.domain_add(tenant=tenant_a.tenant, domain="learn.alpha-corp.example")
    settings.ALLOWED_HOST_PATTERNS = ["localhost", ".localhost"]
    assert Client(HTTP_HOST="learn.alpha-corp.example").get("/accounts/login/").status_code == 404
    assert Client(HTTP_HOST=tenant_a.host).get("/accounts/login/").status_code == 200
    # A pattern admits nothing by itself: the host must be in the routing map too.
    assert Client(HTTP_HOST="nobody.localhost").get("/accounts/login/").status_code == 404


# ------------------------------------------------------------------------------------------
# The per-process route map stays bounded


def _random_host() -> str:
    return f"{uuid.uuid4().hex}.localhost"


def test_random_hosts_leave_the_route_map_bounded(db, tenant_a):
    cache = TenantRouteCache()
    assert cache.resolve(tenant_a.host).tenant == tenant_a.tenant
    for _ in range(10_000):
        assert cache.resolve(_random_host()).tenant is None
    assert UNKNOWN_HOSTS_REMEMBERED == 1024
    assert cache.size() == RouteCacheSize(known=1, unknown=1024)

    with CaptureQueriesContext(connection) as queries:
        assert cache.resolve(tenant_a.host).tenant == tenant_a.tenant
    assert queries.captured_queries == []


def test_recently_asked_unknown_hosts_cost_no_query(db, tenant_a):
    cache = TenantRouteCache(unknown_limit=3)
    for host in ("one.example", "two.example", "three.example", "one.example", "four.example"):
        cache.resolve(host)
    assert cache.size() == RouteCacheSize(known=0, unknown=3)
    with CaptureQueriesContext(connection) as queries:
        for host in ("one.example", "three.example", "four.example"):
            assert cache.resolve(host).tenant is None
    assert queries.captured_queries == []
    with CaptureQueriesContext(connection) as queries:
        assert cache.resolve("two.example").tenant is None  # the least recently asked went
    assert len(queries.captured_queries) == 1


def test_a_domain_added_after_a_miss_is_served_on_the_next_request(
    db, tenant_a, django_capture_on_commit_callbacks
):
    other_process = TenantRouteCache()
    assert Client(HTTP_HOST="learn.alpha-corp.example").get("/").status_code == 404
    assert other_process.resolve("learn.alpha-corp.example").tenant is None
    assert route_cache.size() == RouteCacheSize(known=0, unknown=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.domain_add(tenant=tenant_a.tenant, domain="learn.alpha-corp.example")
    response = Client(HTTP_HOST="learn.alpha-corp.example").get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alpha Learning" in response.content
    assert other_process.resolve("learn.alpha-corp.example").tenant == tenant_a.tenant
