"""Django admin on the public host (superusers only; operators use the console)."""

from __future__ import annotations

from django.test import Client


def test_operator_signs_in_and_sees_tenants(public_client, operator, tenant_a, tenant_b):
    assert public_client.login(username="ops@lectern.example.com", password="operator-pass-123")
    response = public_client.get("/admin/tenants/tenant/")
    assert response.status_code == 200
    assert b"Alpha Learning" in response.content
    assert b"Bravo Academy" in response.content
    domains = public_client.get("/admin/tenants/domain/?q=alpha")
    assert b"alpha.localhost" in domains.content


def test_console_is_closed_to_anonymous_visitors(public_client):
    response = public_client.get("/admin/tenants/tenant/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_tenant_people_cannot_use_the_console(client_a):
    assert client_a.get("/admin/").status_code == 404


def test_public_root_leads_to_the_console(public_client):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/tenants/"
