"""The sign-in policy: SSO only refuses password sign-in (page and API) to everyone but the
break-glass admins; it cannot be turned on without one; the login page's discovery sends an
e-mail's domain to its provider's login."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from core.errors import ValidationFailed
from sso.models import ProviderKind, SsoPolicy
from sso.services.policy import sso_policy_update
from sso.services.providers import provider_create
from tenant_apps.people.models import Role
from tests.factories import PASSWORD
from tests.sso.admin_documents import certificate_pem


def _provider(slug: str, domains: list[str]):
    return provider_create(
        actor=None,
        kind=ProviderKind.SAML,
        name=f"IdP {slug}",
        slug=slug,
        saml_entity_id=f"https://{slug}.example/idp",
        saml_sso_url=f"https://{slug}.example/sso",
        saml_certificates=[certificate_pem(f"{slug}.example")],
        email_domains=domains,
    )


@pytest.fixture
def people(make_person, tenant_a, fresh_throttle_counters):
    glass = make_person(Role.ADMIN, email="glass@alpha.example")
    other_admin = make_person(Role.ADMIN, email="other-admin@alpha.example")
    learner = make_person(Role.LEARNER, email="learner@alpha.example")
    with schema_context(tenant_a.schema):
        _provider("acme", ["acme.example"])
        sso_policy_update(actor=glass, sso_only=True, break_glass_admin_ids=[glass.pk])
    return glass, other_admin, learner


def test_sso_only_refuses_passwords_on_the_page_except_break_glass(client_a, people):
    from django.core.cache import cache

    cache.clear()
    glass, other_admin, learner = people
    for person in (other_admin, learner):
        answer = client_a.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
        assert answer.status_code == 200  # the form again, with the reason
        assert "signs in through its identity provider" in answer.content.decode()
        assert "_auth_user_id" not in client_a.session
    answer = client_a.post("/accounts/login/", {"username": glass.email, "password": PASSWORD})
    assert answer.status_code == 302
    assert client_a.session["_auth_user_id"] == str(glass.pk)


def test_sso_only_refuses_passwords_on_the_api_except_break_glass(api, people):
    glass, other_admin, learner = people
    client = api()
    for person in (other_admin, learner):
        answer = client.post(
            "/api/v1/auth/login", {"email": person.email, "password": PASSWORD}, format="json"
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "password_sign_in_off"
        assert "access" not in answer.json()
    answer = client.post(
        "/api/v1/auth/login", {"email": glass.email, "password": PASSWORD}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["access"]


def test_sso_only_needs_a_break_glass_admin(in_tenant_a, make_person):
    admin = make_person(Role.ADMIN, email="lonely@alpha.example")
    _provider("acme", [])
    with pytest.raises(ValidationFailed) as refused:
        sso_policy_update(actor=admin, sso_only=True)
    assert refused.value.details[0].field == "break_glass_admin_ids"
    assert not SsoPolicy.objects.filter(sso_only=True).exists()


def test_the_policy_page_refuses_sso_only_without_break_glass(portal, make_person, tenant_a):
    admin = make_person(Role.ADMIN, email="page-admin@alpha.example")
    with schema_context(tenant_a.schema):
        _provider("acme", [])
    answer = portal(admin).post("/manage/sso/policy/", {"sso_only": "on"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="id_break_glass_admin_ids_error"' in page
    assert "Name at least one admin who may still sign in with a password." in page
    typed = re.search(r'<input[^>]*id="id_sso_only"[^>]*>', page).group(0)
    assert "checked" in typed  # what was typed is kept


def test_discovery_sends_the_email_domain_to_its_provider(client_a, tenant_a):
    with schema_context(tenant_a.schema):
        _provider("acme", ["acme.example"])
        _provider("globex", ["globex.example", "globex.co.uk"])
    page = client_a.get("/accounts/login/").content.decode()
    assert 'action="/sso/discover/"' in page
    answer = client_a.post("/sso/discover/", {"email": "Ada@Globex.co.uk", "next": "/courses/"})
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("sso-saml-login", kwargs={"slug": "globex"}))
    answer = client_a.post("/sso/discover/", {"email": "bob@acme.example"})
    assert answer["Location"].startswith(reverse("sso-saml-login", kwargs={"slug": "acme"}))
    answer = client_a.post("/sso/discover/", {"email": "eve@elsewhere.example"})
    assert answer["Location"].startswith("/accounts/login/?")
