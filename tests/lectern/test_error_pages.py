"""Pages people meet when something is wrong: in the portal's layout and the tenant's
colours, never Django's technical pages or a list of routes."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.views.defaults import server_error


def test_an_unknown_portal_address_is_the_branded_404(client_a):
    response = client_a.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert "/branding/tokens.css?v=" in page  # in the tenant's colours
    assert "urlpatterns" not in page and "api/v1/" not in page


def test_an_expired_form_is_explained(tenant_a, db):
    client = Client(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert "<h1>The form expired</h1>" in response.content.decode()


def test_a_server_error_is_a_plain_apology(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Something went wrong on our side</h1>" in page
    assert "/static/lectern/portal" in page
