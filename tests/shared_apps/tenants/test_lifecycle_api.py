"""Operator API: list, get, suspend, resume, archive, delete with grace, restore, domains."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shared_apps.tenants import schemas, services
from shared_apps.tenants.models import Domain, Tenant
from tests.shared_apps.conftest import provisioning_rows

API = "/api/platform/v1/tenants"


@pytest.fixture
def call(public_client, operator, django_capture_on_commit_callbacks):
    """Send an operator request; what runs after commit (routing changes) runs too."""

    def request(method: str, path: str, payload: dict | None = None):
        send = getattr(public_client, method)
        extra = {} if payload is None else {"data": payload, "content_type": "application/json"}
        with django_capture_on_commit_callbacks(execute=True):
            return send(API + path, **extra, **operator.headers)

    return request


def test_list_filters_by_status_and_searches(call, tenant_a, tenant_b):
    services.tenant_suspend(tenant=tenant_b.tenant)

    everyone = call("get", "")
    assert everyone.status_code == 200
    assert [t["slug"] for t in everyone.json()["results"]] == ["alpha", "bravo"]
    assert everyone.json()["count"] == 2

    suspended = call("get", "?status=suspended")
    assert [t["slug"] for t in suspended.json()["results"]] == ["bravo"]

    found = call("get", "?search=Academy")
    assert [t["slug"] for t in found.json()["results"]] == ["bravo"]

    by_domain = call("get", "?search=alpha.localhost")
    assert [t["slug"] for t in by_domain.json()["results"]] == ["alpha"]


def test_list_with_unknown_status_is_400_naming_it(call, tenant_a):
    response = call("get", "?status=sleeping")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["status"]


def test_get_one_and_404_for_unknown(call, tenant_a):
    response = call("get", "/alpha")
    assert response.status_code == 200
    assert response.json()["name"] == "Alpha Learning"
    missing = call("get", "/nobody")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "tenant_not_found"


def test_suspend_resume_archive_cycle(call, tenant_a):
    assert call("post", "/alpha/suspend").json()["status"] == "suspended"
    assert call("post", "/alpha/resume").json()["status"] == "active"
    assert call("post", "/alpha/archive").json()["status"] == "archived"
    assert call("post", "/alpha/resume").json()["status"] == "active"


def test_invalid_transition_is_409_and_changes_nothing(call, tenant_a):
    before = provisioning_rows()
    response = call("post", "/alpha/resume")  # already active
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert provisioning_rows() == before


def test_delete_keeps_the_schema_for_the_grace_period_then_restore(call, tenant_a):
    response = call("delete", "/alpha")
    assert response.status_code == 202
    body = response.json()
    assert body["deleted"] is True
    assert body["purge_after"] is not None
    assert schemas.schema_exists(tenant_a.schema)
    assert Client(HTTP_HOST=tenant_a.host).get("/accounts/login/").status_code == 404

    restored = call("post", "/alpha/restore")
    assert restored.status_code == 200
    assert restored.json()["deleted"] is False
    assert Client(HTTP_HOST=tenant_a.host).get("/accounts/login/").status_code == 200


def test_purge_after_grace_drops_schema_and_rows(db, tenant_a):
    deleted = services.tenant_delete(tenant=tenant_a.tenant)
    assert services.tenants_purge_expired(now=timezone.now()) == []  # grace not over
    assert services.tenants_purge_expired(now=deleted.purge_after + timedelta(seconds=1)) == [
        "alpha"
    ]
    assert not Tenant.objects.filter(slug="alpha").exists()
    assert not Domain.objects.filter(domain="alpha.localhost").exists()
    assert not schemas.schema_exists(tenant_a.schema)


def test_add_and_remove_custom_domain(call, tenant_a):
    added = call("post", "/alpha/domains", {"domain": "Learn.Alpha.Example."})
    assert added.status_code == 201
    assert {"domain": "learn.alpha.example", "primary": False} in added.json()["domains"]
    removed = call("delete", "/alpha/domains/learn.alpha.example")
    assert removed.status_code == 204
    assert not Domain.objects.filter(domain="learn.alpha.example").exists()


@pytest.mark.parametrize(
    "domain",
    [
        "localhost",
        "bad domain.com",
        "-x.example.com",
        "x" * 64 + ".example.com",
        "10.0.0.1",
        "evil.localhost",
        "",
    ],
)
def test_invalid_domain_is_400_naming_the_field(call, tenant_a, domain):
    before = provisioning_rows()
    response = call("post", "/alpha/domains", {"domain": domain})
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["domain"]
    assert provisioning_rows() == before


def test_domain_of_another_tenant_is_409(call, tenant_a, tenant_b):
    assert call("post", "/bravo/domains", {"domain": "shared.example.com"}).status_code == 201
    before = provisioning_rows()
    response = call("post", "/alpha/domains", {"domain": "SHARED.example.com"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "domain_taken"
    assert provisioning_rows() == before
    assert Domain.objects.get(domain="shared.example.com").tenant_id == tenant_b.tenant.pk


def test_primary_domain_cannot_be_removed(call, tenant_a):
    before = provisioning_rows()
    response = call("delete", "/alpha/domains/alpha.localhost")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "domain_primary"
    assert provisioning_rows() == before


def test_removing_another_tenants_domain_is_404(call, tenant_a, tenant_b):
    before = provisioning_rows()
    response = call("delete", "/alpha/domains/bravo.localhost")
    assert response.status_code == 404
    assert provisioning_rows() == before
