"""Signing in to a tenant portal."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.people.models import User
from tests.factories import PASSWORD, UserFactory
from tests.snapshots import snapshot


def test_sign_in_and_see_home(client_a, tenant_a):
    with schema_context(tenant_a.schema):
        UserFactory(email="lena@example.com", full_name="Lena Learner")
    response = client_a.post(
        "/accounts/login/", {"username": "LENA@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client_a.get("/")
    assert b"Welcome, Lena" in home.content
    assert b"Alpha Learning" in home.content


def test_wrong_password_shows_the_form_again(client_a, tenant_a):
    with schema_context(tenant_a.schema):
        UserFactory(email="lena@example.com")
    before = snapshot(User, tenant=tenant_a)
    response = client_a.post(
        "/accounts/login/", {"username": "lena@example.com", "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert client_a.get("/").status_code == 302
    assert snapshot(User, tenant=tenant_a) == before


def test_home_needs_sign_in(client_a):
    response = client_a.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
