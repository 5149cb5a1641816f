"""Walks every route of a tenant's host: isolation between tenants, and no 500 for any input.

New endpoints are covered as soon as they are routed; nothing here names them one by one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from tenant_apps.people.models import Role
from tests.snapshots import snapshot, tenant_tables

METHODS = ("get", "post", "put", "patch", "delete")
# Routes anyone may call: sign-in, registration, password reset, public verification.
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    pattern: str
    view: object

    def path(self, value: str = "1") -> str:
        def fill(match: re.Match) -> str:
            return value if match.group("converter") in (None, "int") else "abc"

        return "/" + PARAM.sub(fill, self.pattern)

    @property
    def view_class(self):
        return getattr(self.view, "view_class", None) or getattr(self.view, "cls", None)

    @property
    def methods(self) -> list[str]:
        view_class = self.view_class
        if view_class is None:
            return ["get", "post"]
        return [m for m in METHODS if hasattr(view_class, m)]

    @property
    def is_public(self) -> bool:
        view_class = self.view_class
        permissions = getattr(view_class, "permission_classes", None) or []
        return any(p is AllowAny for p in permissions)


def routes(patterns=None, prefix: str = "") -> Iterator[Route]:
    for entry in (
        patterns if patterns is not None else get_resolver("lectern.urls_tenant").url_patterns
    ):
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Route(prefix + str(entry.pattern), entry.callback)


API_ROUTES = [
    r
    for r in routes()
    if r.pattern.startswith("api/v1/")
    and not r.pattern.startswith(("api/v1/schema", "api/v1/docs"))
]


def test_the_walk_sees_the_api():
    assert len(API_ROUTES) >= 20
    assert any(r.pattern == "api/v1/me" for r in API_ROUTES)


@pytest.mark.parametrize(
    "route", [r for r in API_ROUTES if not r.is_public], ids=lambda r: r.pattern
)
def test_tenant_a_credentials_get_nothing_on_tenant_b(route, api, make_person, tenant_a, tenant_b):
    admin_of_a = make_person(Role.ADMIN)
    with_token = api(admin_of_a)
    with_token.defaults["HTTP_HOST"] = tenant_b.host
    with_session = APIClient(HTTP_HOST=tenant_a.host)
    with schema_context(tenant_a.schema):
        with_session.force_login(admin_of_a)  # a session stored in tenant A's schema
    with_session.defaults["HTTP_HOST"] = tenant_b.host

    def both_tenants() -> tuple[dict, dict]:
        tables = tenant_tables()
        return snapshot(*tables, tenant=tenant_a), snapshot(*tables, tenant=tenant_b)

    before = both_tenants()
    for client in (with_token, with_session):
        for method in route.methods:
            response = getattr(client, method)(route.path(str(admin_of_a.pk)), {}, format="json")
            assert response.status_code in (401, 403, 404), (
                method,
                route.pattern,
                response.status_code,
            )
    assert both_tenants() == before, route.pattern


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.pattern)
def test_no_input_gives_a_500(route, api, make_person):
    admin = make_person(Role.ADMIN)
    client = api(admin)
    bodies = [
        {},
        {
            "email": "x" * 5000,
            "name": ["not", "a", "string"],
            "id": {"deep": None},
            "position": -1,
            "price": "NaN",
            "due_at": "yesterday",
            "page_size": "many",
        },
        "not json at all",
    ]
    for value in ("1", "999999999", "2147483648"):
        for method in route.methods:
            for body in bodies:
                if isinstance(body, str) and method == "get":
                    continue  # a GET carries no body
                if isinstance(body, str):
                    response = getattr(client, method)(
                        route.path(value), body, content_type="application/json"
                    )
                else:
                    response = getattr(client, method)(route.path(value), body, format="json")
                assert response.status_code < 500, (
                    method,
                    route.path(value),
                    body,
                    response.status_code,
                )
            query = client.get(route.path(value) + "?page=abc&page_size=-3&ordering=nope")
            assert query.status_code < 500, route.pattern


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.pattern)
def test_unpaired_surrogates_are_refused_cleanly(route, api, make_person):
    client = api(make_person(Role.ADMIN))
    body = '{"email": "\\ud800@example.com", "title": "\\udfff", "role": "\\ud800"}'
    for method in route.methods:
        if method == "get":
            continue
        response = getattr(client, method)(route.path(), body, content_type="application/json")
        assert response.status_code < 500, (method, route.pattern, response.status_code)
