"""Signing in through the API: access and refresh tokens, rotation, reuse, sign-out,
registration and password reset. Sign-in limits: test_sign_in_limits.py; what a new
password ends: test_new_password.py."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenant_apps.people.models import RefreshToken, Role, User
from tenant_apps.people.services import people_policy_update
from tests.factories import PASSWORD
from tests.snapshots import snapshot


@pytest.fixture
def anonymous(tenant_a, db) -> APIClient:
    return APIClient(HTTP_HOST=tenant_a.host)


@pytest.fixture(autouse=True)
def _no_failed_sign_ins(settings):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def login(client: APIClient, email: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/login", {"email": email, "password": password})


def sign_in_rows(tenant) -> dict:
    """People and their sign-ins in a tenant, with its events and audit log."""
    return snapshot(User, RefreshToken, tenant=tenant)


def test_login_returns_tokens_that_work(anonymous, make_person, tenant_a):
    make_person(Role.LEARNER, email="lena@example.com", full_name="Lena")
    response = login(anonymous, "Lena@Example.com")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["access_expires_in"] == 300
    assert body["refresh"].startswith("lrt_")
    assert body["user"]["email"] == "lena@example.com"
    assert body["user"]["last_login"] is not None

    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    me = anonymous.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["full_name"] == "Lena"


def test_wrong_password_is_401_with_error_body(anonymous, make_person, tenant_a):
    make_person(email="lena@example.com")
    before = sign_in_rows(tenant_a)
    response = login(anonymous, "lena@example.com", "nope")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert sign_in_rows(tenant_a) == before


def test_refresh_rotates_and_reuse_revokes_the_sign_in(anonymous, make_person, tenant_a):
    make_person(email="lena@example.com")
    first = login(anonymous, "lena@example.com").json()
    second = anonymous.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert second.status_code == 200
    assert second.json()["refresh"] != first["refresh"]

    replay = anonymous.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_reused"
    # The thief's replay revoked the whole sign-in: the newer tokens are dead too.
    before = sign_in_rows(tenant_a)
    assert (
        anonymous.post("/api/v1/auth/refresh", {"refresh": second.json()["refresh"]}).status_code
        == 401
    )
    assert sign_in_rows(tenant_a) == before
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {second.json()['access']}")
    assert anonymous.get("/api/v1/me").status_code == 401


def test_logout_kills_access_and_refresh_tokens(anonymous, make_person, tenant_a):
    make_person(email="lena@example.com")
    pair = login(anonymous, "lena@example.com").json()
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert anonymous.post("/api/v1/auth/logout").status_code == 204
    assert anonymous.get("/api/v1/me").status_code == 401
    anonymous.credentials()
    before = sign_in_rows(tenant_a)
    assert anonymous.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}).status_code == 401
    assert sign_in_rows(tenant_a) == before


def test_deactivation_revokes_every_credential(api, make_person):
    admin = make_person(Role.ADMIN)
    learner = make_person(email="leaving@example.com")
    as_learner = api(learner)
    token = as_learner.post("/api/v1/me/tokens", {"name": "ci"}).json()["token"]
    assert api(admin).post(f"/api/v1/users/{learner.pk}/deactivate").status_code == 200

    assert as_learner.get("/api/v1/me").status_code == 401
    with_token = api()
    with_token.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert with_token.get("/api/v1/me").status_code == 401


def test_token_of_one_tenant_is_refused_on_another(api, make_person, tenant_b):
    person = make_person(email="roamer@example.com")
    # The same id exists in tenant B, so only the signature stops the token there.
    make_person(email="someone@b.example", tenant=tenant_b)
    client = api(person)
    client.defaults["HTTP_HOST"] = tenant_b.host
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-jwt",
        "Bearer lpt_forged",
        "Basic Zm9vOmJhcg==",
        "Bearer",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
    ],
)
def test_forged_credentials_are_401(anonymous, header):
    anonymous.credentials(HTTP_AUTHORIZATION=header)
    assert anonymous.get("/api/v1/me").status_code == 401


def test_personal_tokens_are_shown_once_and_revocable(api, make_person):
    person = make_person()
    client = api(person)
    created = client.post("/api/v1/me/tokens", {"name": "Reporting"})
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = client.get("/api/v1/me/tokens").json()
    assert [t["name"] for t in listed] == ["Reporting"]
    assert "token" not in listed[0]

    integration = api()
    integration.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert integration.get("/api/v1/me").json()["email"] == person.email
    assert client.delete(f"/api/v1/me/tokens/{created.json()['id']}").status_code == 204
    assert integration.get("/api/v1/me").status_code == 401


def test_registration_only_when_the_tenant_allows_it(anonymous, in_tenant_a):
    payload = {
        "email": "new@example.com",
        "password": "a-long-new-secret-42",
        "full_name": "New Person",
    }
    before = sign_in_rows(in_tenant_a)
    closed = anonymous.post("/api/v1/auth/register", payload)
    assert closed.status_code == 403
    assert closed.json()["error"]["code"] == "registration_closed"
    assert sign_in_rows(in_tenant_a) == before

    people_policy_update(self_registration_enabled=True, actor=None)
    opened = anonymous.post("/api/v1/auth/register", payload)
    assert opened.status_code == 201
    assert opened.json()["user"]["role"] == "learner"
    assert User.objects.get(email="new@example.com").check_password("a-long-new-secret-42")


def test_registration_rejects_weak_password_and_taken_email(anonymous, in_tenant_a, make_person):
    people_policy_update(self_registration_enabled=True, actor=None)
    make_person(email="taken@example.com")
    before = sign_in_rows(in_tenant_a)
    weak = anonymous.post("/api/v1/auth/register", {"email": "x@example.com", "password": "123"})
    assert weak.status_code == 400
    assert {d["field"] for d in weak.json()["error"]["details"]} == {"password"}
    taken = anonymous.post(
        "/api/v1/auth/register", {"email": "TAKEN@example.com", "password": "a-long-new-secret-42"}
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "email_taken"
    assert sign_in_rows(in_tenant_a) == before


def test_password_reset_by_email(
    anonymous, make_person, tenant_a, django_capture_on_commit_callbacks
):
    person = make_person(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            anonymous.post(
                "/api/v1/auth/password-reset", {"email": "forgetful@example.com"}
            ).status_code
            == 202
        )
        assert (
            anonymous.post(
                "/api/v1/auth/password-reset", {"email": "nobody@example.com"}
            ).status_code
            == 202
        )
    (message,) = mail.outbox
    uid, token = re.search(r"/set-password/([^/]+)/([^/\s]+)/", message.body).groups()
    done = anonymous.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "brand-new-secret-77"},
    )
    assert done.status_code == 204
    before = sign_in_rows(tenant_a)
    again = anonymous.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "other-secret-88"},
    )
    assert again.status_code == 400
    assert sign_in_rows(tenant_a) == before
    with schema_context("t_alpha"):
        assert User.objects.get(pk=person.pk).check_password("brand-new-secret-77")


def test_refresh_tokens_are_stored_hashed(anonymous, make_person, in_tenant_a):
    make_person(email="lena@example.com")
    pair = login(anonymous, "lena@example.com").json()
    stored = RefreshToken.objects.get()
    assert pair["refresh"] != stored.token_hash
