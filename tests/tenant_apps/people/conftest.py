"""Fixtures for the people pages: a CSRF-checking browser, a clean slate of rate-limit
counters, and the tenant's self-registration switch."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context


@pytest.fixture
def csrf_portal(tenant_a):
    """A client that enforces CSRF like a browser (signed in as `user` when given)."""

    def client_for(user=None, tenant=None) -> Client:
        tenant = tenant or tenant_a
        client = Client(HTTP_HOST=tenant.host, enforce_csrf_checks=True)
        if user is not None:
            with schema_context(tenant.schema):
                client.force_login(user)
        return client

    return client_for


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def fresh_limits():
    """Sign-in and registration counters start (and end) empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registration_open(tenant_a, db):
    from tenant_apps.people.services import people_policy_update

    with schema_context(tenant_a.schema):
        people_policy_update(self_registration_enabled=True, actor=None)
    return tenant_a
