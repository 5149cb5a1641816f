"""Sign-in through a real OpenID provider: npm `oidc-provider` runs as a Node process on a
loopback port (tests/sso/idps/oidc_provider.mjs); our side is driven with the Django test
client, the provider over HTTP. Code flow with PKCE (the provider requires it), people
created just in time in that tenant only, a second sign-in updating them, the provider's
key rotation picked up through an unknown `kid`, and an admin's test run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from sso.models import ConnectionTest, ExternalIdentity
from sso.models import TestRunStatus as RunStatus
from sso.services import trace
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.people.models import Role, User
from tests.sso.idps.oidc import OidcProviderProcess, query_of, sign_in_at_provider
from tests.sso.oidc_support import (
    assert_refused,
    callback_for,
    callback_send,
    login_start,
    messages_of,
    provider_row,
    round_trip,
    signed_in_user_id,
)

# The provider serves on 127.0.0.1, admitted by name (SSO_OUTBOUND_ALLOWLIST).
pytestmark = pytest.mark.usefixtures("oidc_on_loopback")


@pytest.fixture(scope="module")
def idp(tmp_path_factory) -> Iterator[OidcProviderProcess]:
    process = OidcProviderProcess(
        workdir=tmp_path_factory.mktemp("oidc-provider"),
        redirect_uris=[
            callback_for("alpha.localhost", "corp"),
            callback_for("bravo.localhost", "corp"),
        ],
    ).start()
    yield process
    process.stop()


@pytest.fixture
def ann(idp) -> OidcProviderProcess:
    idp.account_set(
        "ann-0001",
        email="ann@corp.example",
        email_verified=True,
        name="Ann Archer",
        given_name="Ann",
        family_name="Archer",
        groups=["staff", "trainers"],
        employee_number="E-17",
    )
    return idp


def test_code_flow_with_pkce_creates_the_person_in_that_tenant_only(
    ann, tenant_a, tenant_b, client_a, fresh_throttle_counters
):
    provider = provider_row(
        tenant_a.schema, ann, group_role_rules=[{"group": "trainers", "role": Role.INSTRUCTOR}]
    )
    authorization_url = login_start(client_a, "corp", next="/courses/")
    request = query_of(authorization_url)
    assert authorization_url.startswith(f"{ann.issuer}/auth?")
    assert request["code_challenge_method"] == "S256"
    assert len(request["code_challenge"]) == 43
    assert request["scope"] == "openid email profile groups employee"
    assert request["nonce"] and request["state"]
    assert request["redirect_uri"] == callback_for("alpha.localhost", "corp")

    response = callback_send(client_a, sign_in_at_provider(authorization_url))

    assert response.status_code == 302
    assert response["Location"] == "/courses/"
    with schema_context(tenant_a.schema):
        person = User.objects.get(email="ann@corp.example")
        assert (person.full_name, person.role, person.employee_number) == (
            "Ann Archer",
            Role.INSTRUCTOR,
            "E-17",
        )
        link = ExternalIdentity.objects.get(provider=provider)
        assert (link.subject, link.user_id) == ("ann-0001", person.pk)
        assert link.last_attributes["groups"] == ["staff", "trainers"]
    assert signed_in_user_id(client_a, tenant_a.schema) == str(person.pk)
    with schema_context(tenant_b.schema):
        assert not User.objects.filter(email="ann@corp.example").exists()


def test_a_second_sign_in_updates_the_mapped_attributes(ann, tenant_a, client_a):
    provider_row(tenant_a.schema, ann)
    assert round_trip(client_a, "corp")["Location"] == "/"
    ann.account_set(
        "ann-0001",
        email="ann@corp.example",
        email_verified=True,
        name="Ann Archer-Smith",
        employee_number="E-18",
    )

    second = Client(HTTP_HOST=tenant_a.host)
    response = round_trip(second, "corp")

    assert response["Location"] == "/"
    with schema_context(tenant_a.schema):
        person = User.objects.get(email="ann@corp.example")
        assert (person.full_name, person.employee_number) == ("Ann Archer-Smith", "E-18")
        assert User.objects.filter(email="ann@corp.example").count() == 1
    assert signed_in_user_id(second, tenant_a.schema) == str(person.pk)


def test_a_next_to_another_host_is_not_followed(ann, tenant_a, client_a):
    provider_row(tenant_a.schema, ann)
    response = round_trip(client_a, "corp", next="https://evil.example/steal")
    assert response["Location"] == "/"


def test_the_provider_of_tenant_b_signs_nobody_into_tenant_a(ann, tenant_a, tenant_b, db):
    """The same IdP configured in tenant B only: tenant A's login URL knows no such
    provider, and tenant B's sign-in makes the person in B alone."""
    provider_row(tenant_b.schema, ann)
    client_a = Client(HTTP_HOST=tenant_a.host)
    response = client_a.get("/sso/oidc/corp/login/")
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert "does not exist" in messages_of(response)[0]
    client_b = Client(HTTP_HOST=tenant_b.host)
    assert round_trip(client_b, "corp")["Location"] == "/"
    with schema_context(tenant_a.schema):
        assert not User.objects.filter(email="ann@corp.example").exists()
    with schema_context(tenant_b.schema):
        assert User.objects.filter(email="ann@corp.example").exists()


def test_the_identity_provider_refusing_ends_on_the_login_page(ann, tenant_a, client_a):
    provider = provider_row(tenant_a.schema, ann)
    authorization_url = login_start(client_a, "corp")
    state = query_of(authorization_url)["state"]
    response = client_a.get(
        "/sso/oidc/corp/callback/",
        {"error": "access_denied", "error_description": "User cancelled", "state": state},
    )
    entry = assert_refused(client_a, response, tenant_a.schema, provider, "sso_response_invalid")
    assert "access_denied" in entry.after["reason"]


def test_an_unreachable_identity_provider_ends_on_the_login_page(tenant_a, client_a):
    dead = OidcProviderProcess.__new__(OidcProviderProcess)
    dead.port, dead.client_id, dead.client_secret = 1, "x", "y"
    provider = provider_row(tenant_a.schema, dead, issuer="http://127.0.0.1:1")
    response = client_a.get("/sso/oidc/corp/login/")
    entry = assert_refused(
        client_a, response, tenant_a.schema, provider, "sso_metadata_unreachable"
    )
    assert "could not be reached" in entry.after["reason"]


def test_a_test_run_traces_every_check_and_signs_nobody_in(ann, tenant_a, make_person, portal):
    provider = provider_row(tenant_a.schema, ann)
    admin = make_person(Role.ADMIN, email="ada@example.com")
    browser = portal(admin)
    with schema_context(tenant_a.schema):
        run = trace.test_run_start(provider=provider, actor=admin)

    response = round_trip(browser, "corp", test=str(run.pk))

    assert response.status_code == 302
    with schema_context(tenant_a.schema):
        run = ConnectionTest.objects.get(pk=run.pk)
        assert not User.objects.filter(email="ann@corp.example").exists()
        assert not ExternalIdentity.objects.exists()
    assert run.status == RunStatus.SUCCEEDED, run.failure_reason
    titles = [step["title"] for step in run.steps]
    assert titles == [
        "Discovery",
        "Authorization request",
        "Callback",
        "State",
        "Token response",
        "ID token header (decoded, not yet trusted)",
        "ID token claims (decoded, not yet trusted)",
        "Signature algorithm",
        "Signing key lookup",
        "Signature",
        "Issuer",
        "Audience",
        "Expiry",
        "Issued at",
        "Nonce",
        "UserInfo",
        "Claims",
        "Mapping onto a person",
    ]
    assert all(step["ok"] in (True, None) for step in run.steps)
    assert run.mapped["email"] == "ann@corp.example"
    assert run.attributes["groups"] == ["staff", "trainers"]
    assert signed_in_user_id(browser, tenant_a.schema) == str(admin.pk)


def test_key_rotation_is_picked_up_through_the_unknown_kid(
    tmp_path, tenant_a, client_a, make_person, portal
):
    """The provider starts signing with a new key: the cached key set lacks its `kid`, so
    the JWKS is fetched again, once, and the sign-in goes through (an admin's test run
    shows the refetch; a real sign-in then uses the refreshed cache)."""
    idp = OidcProviderProcess(
        workdir=tmp_path, redirect_uris=[callback_for("alpha.localhost", "rotating")]
    ).start()
    try:
        idp.account_set("bo-1", email="bo@corp.example", email_verified=True, name="Bo")
        provider = provider_row(tenant_a.schema, idp, slug="rotating")
        assert round_trip(client_a, "rotating")["Location"] == "/"
        idp.rotate_key("key-2")
        idp.account_set("bo-1", email="bo@corp.example", email_verified=True, name="Bo Two")
        admin = make_person(Role.ADMIN, email="ada@example.com")
        with schema_context(tenant_a.schema):
            run = trace.test_run_start(provider=provider, actor=admin)
        round_trip(portal(admin), "rotating", test=str(run.pk))
        with schema_context(tenant_a.schema):
            run.refresh_from_db()
        assert run.status == RunStatus.SUCCEEDED, run.failure_reason
        lookups = [step for step in run.steps if step["title"] == "Signing key lookup"]
        assert [step["ok"] for step in lookups] == [None, True]
        assert "no key 'key-2'" in lookups[0]["detail"]
        assert "(fetched)" in lookups[1]["detail"]

        second = Client(HTTP_HOST=tenant_a.host)
        response = round_trip(second, "rotating")

        assert response["Location"] == "/", response
        with schema_context(tenant_a.schema):
            assert User.objects.get(email="bo@corp.example").full_name == "Bo Two"
        assert signed_in_user_id(second, tenant_a.schema) is not None
    finally:
        idp.stop()


def test_a_failing_test_run_says_why_and_records_no_sign_in_failure(
    ann, tenant_a, make_person, portal
):
    """A wrong client secret: the provider refuses the code exchange; the run fails with
    that reason, nobody is signed in or created, and no sign-in failure is audited (it was
    a test)."""
    provider = provider_row(tenant_a.schema, ann, client_secret="not-the-secret")
    admin = make_person(Role.ADMIN, email="ada@example.com")
    browser = portal(admin)
    with schema_context(tenant_a.schema):
        run = trace.test_run_start(provider=provider, actor=admin)

    round_trip(browser, "corp", test=str(run.pk))

    with schema_context(tenant_a.schema):
        run.refresh_from_db()
        assert not User.objects.filter(email="ann@corp.example").exists()
        assert not AuditEntry.objects.filter(action=AuditAction.SSO_LOGIN_FAILED).exists()
    assert run.status == RunStatus.FAILED
    assert "invalid_client" in run.failure_reason
    assert run.steps[-1]["ok"] is False


def test_the_login_page_and_discovery_lead_into_the_oidc_sign_in(ann, tenant_a, client_a):
    provider_row(tenant_a.schema, ann, email_domains=["corp.example"])
    page = client_a.get(reverse("login"))
    assert 'href="/sso/oidc/corp/login/"' in page.content.decode()
    response = client_a.post(
        reverse("sso-discover"), {"email": "ann@corp.example", "next": "/courses/"}
    )
    assert response["Location"] == "/sso/oidc/corp/login/?next=%2Fcourses%2F"
    started = client_a.get(response["Location"])
    callback = callback_send(client_a, sign_in_at_provider(started["Location"]))
    assert callback["Location"] == "/courses/"
