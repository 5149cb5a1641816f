"""A new password ends every sign-in at once (access and refresh tokens, browser sessions),
whichever door set it: the API's reset confirmation, the portal's set-password page, or a
change through `me/password`. Personal API tokens survive; the person is e-mailed a list
of them, and the confirmation page revokes them all in one (CSRF-protected) click."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenant_apps.people.models import PersonalAccessToken, RefreshToken, Role, User
from tests.factories import PASSWORD
from tests.snapshots import snapshot

NEW_PASSWORD = "brand-new-secret-77"


@pytest.fixture(autouse=True)
def _fresh_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@dataclass
class OldCredentials:
    """Everything Lena held before her password changed."""

    access: str
    refresh: str
    browser: Client
    personal_token: str


@pytest.fixture
def lena(make_person) -> User:
    return make_person(Role.LEARNER, email="lena@example.com", full_name="Lena Learner")


@pytest.fixture
def old(lena, tenant_a) -> OldCredentials:
    api = APIClient(HTTP_HOST=tenant_a.host)
    pair = api.post("/api/v1/auth/login", {"email": lena.email, "password": PASSWORD}).json()
    browser = Client(HTTP_HOST=tenant_a.host)
    assert browser.login(username=lena.email, password=PASSWORD)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    secret = api.post("/api/v1/me/tokens", {"name": "Nightly export"}).json()["token"]
    credentials = OldCredentials(pair["access"], pair["refresh"], browser, secret)
    assert what_still_works(tenant_a, credentials) == {
        "access": True,
        "refresh": True,
        "browser": True,
        "browser api": True,
        "personal token": True,
    }
    return credentials


def bearer(tenant, token: str) -> APIClient:
    client = APIClient(HTTP_HOST=tenant.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def what_still_works(tenant, old: OldCredentials) -> dict[str, bool]:
    refreshed = APIClient(HTTP_HOST=tenant.host).post(
        "/api/v1/auth/refresh", {"refresh": old.refresh}
    )
    if refreshed.status_code == 200:  # keep the chain going for the next look
        old.refresh = refreshed.json()["refresh"]
    return {
        "access": bearer(tenant, old.access).get("/api/v1/me").status_code == 200,
        "refresh": refreshed.status_code == 200,
        "browser": old.browser.get("/").status_code == 200,
        "browser api": old.browser.get("/api/v1/me").status_code == 200,
        "personal token": bearer(tenant, old.personal_token).get("/api/v1/me").status_code == 200,
    }


ONLY_PERSONAL_TOKENS = {
    "access": False,
    "refresh": False,
    "browser": False,
    "browser api": False,
    "personal token": True,
}


def reset_link_parts(user: User, tenant) -> tuple[str, str]:
    with schema_context(tenant.schema):
        return (
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(User.objects.get(pk=user.pk)),
        )


def assert_password_changed_mail(message) -> None:
    assert message.to == ["lena@example.com"]
    assert message.subject == "Your password for Alpha Learning was changed"
    assert "Every sign-in to your account has ended" in message.body
    assert re.search(r"- Nightly export \(lpt_\S+…\), created \d{4}-\d\d-\d\d", message.body)
    assert "http://alpha.localhost/accounts/tokens/" in message.body
    assert 'href="http://alpha.localhost/accounts/tokens/"' in message.alternatives[0][0]


def test_a_reset_through_the_api_ends_every_sign_in(
    tenant_a, lena, old, django_capture_on_commit_callbacks
):
    uid, token = reset_link_parts(lena, tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        done = APIClient(HTTP_HOST=tenant_a.host).post(
            "/api/v1/auth/password-reset/confirm",
            {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        )
    assert done.status_code == 204
    assert what_still_works(tenant_a, old) == ONLY_PERSONAL_TOKENS
    (message,) = mail.outbox
    assert_password_changed_mail(message)
    with schema_context(tenant_a.schema):
        assert not RefreshToken.objects.filter(user=lena, revoked_at__isnull=True).exists()


def test_the_portal_set_password_page_ends_every_sign_in(
    tenant_a, lena, old, django_capture_on_commit_callbacks
):
    uid, token = reset_link_parts(lena, tenant_a)
    browser = Client(HTTP_HOST=tenant_a.host)
    form = browser.get(f"/accounts/set-password/{uid}/{token}/", follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            follow=True,
        )
    assert done.redirect_chain[-1][0] == "/accounts/password-set/"
    page = done.content.decode()
    assert "Your password is set" in page
    assert "Every other sign-in to your account has ended" in page
    assert "Nightly export" in page
    assert 'action="/accounts/tokens/revoke-all/"' in page

    assert what_still_works(tenant_a, old) == ONLY_PERSONAL_TOKENS
    # The browser that set the password is the one signed in.
    assert browser.get("/").status_code == 200
    (message,) = mail.outbox
    assert_password_changed_mail(message)


def test_changing_ones_password_ends_every_other_sign_in(
    tenant_a, lena, old, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        changed = bearer(tenant_a, old.access).post(
            "/api/v1/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
    assert changed.status_code == 200
    assert what_still_works(tenant_a, old) == ONLY_PERSONAL_TOKENS
    # The answer is a new sign-in, which works.
    assert bearer(tenant_a, changed.json()["access"]).get("/api/v1/me").status_code == 200
    (message,) = mail.outbox
    assert_password_changed_mail(message)


def test_a_browser_changing_its_password_stays_signed_in(tenant_a, lena, old):
    other_browser = Client(HTTP_HOST=tenant_a.host)
    assert other_browser.login(username=lena.email, password=PASSWORD)
    response = old.browser.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert old.browser.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302


def test_a_wrong_current_password_changes_nothing(tenant_a, lena, old):
    before = snapshot(User, RefreshToken, PersonalAccessToken, tenant=tenant_a)
    response = bearer(tenant_a, old.access).post(
        "/api/v1/me/password", {"current_password": "guess", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_credentials",
        "message": "The current password is wrong.",
        "details": [{"field": "current_password", "message": "This is not your current password."}],
    }
    assert snapshot(User, RefreshToken, PersonalAccessToken, tenant=tenant_a) == before
    assert mail.outbox == []


def test_accepting_an_invitation_sends_no_password_changed_mail(
    tenant_a, db, django_capture_on_commit_callbacks
):
    from tenant_apps.people.services import password_set, user_create

    with schema_context(tenant_a.schema):
        invited = user_create(email="new@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            password_set(user=invited, new_password=NEW_PASSWORD)
    assert mail.outbox == []


# ------------------------------------------------------------------------------------------
# Revoking every personal token at once
def signed_in_browser(tenant, email: str) -> Client:
    browser = Client(HTTP_HOST=tenant.host, enforce_csrf_checks=True)
    assert browser.login(username=email, password=PASSWORD)
    return browser


def test_the_portal_revokes_all_personal_tokens_in_one_click(tenant_a, lena, old, make_person):
    someone_else = make_person(email="leo@example.com")
    with schema_context(tenant_a.schema):
        from tenant_apps.people.tokens import personal_token_issue

        personal_token_issue(user=lena, name="Second")
        other_secret = personal_token_issue(user=someone_else, name="Theirs").secret

    browser = signed_in_browser(tenant_a, lena.email)
    page = browser.get("/accounts/tokens/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    done = browser.post("/accounts/tokens/revoke-all/", {"csrfmiddlewaretoken": csrf}, follow=True)
    assert done.redirect_chain == [("/accounts/tokens/", 302)]
    assert b"Revoked 2 personal API tokens." in done.content
    assert b"You have no personal API tokens." in done.content
    assert bearer(tenant_a, old.personal_token).get("/api/v1/me").status_code == 401
    assert bearer(tenant_a, other_secret).get("/api/v1/me").status_code == 200


def test_revoking_all_without_the_csrf_token_changes_nothing(tenant_a, lena, old):
    browser = signed_in_browser(tenant_a, lena.email)
    before = snapshot(PersonalAccessToken, tenant=tenant_a)
    assert browser.post("/accounts/tokens/revoke-all/").status_code == 403
    assert snapshot(PersonalAccessToken, tenant=tenant_a) == before
    assert bearer(tenant_a, old.personal_token).get("/api/v1/me").status_code == 200


def test_revoking_all_needs_a_post_from_someone_signed_in(tenant_a, lena, old):
    before = snapshot(PersonalAccessToken, tenant=tenant_a)
    assert (
        signed_in_browser(tenant_a, lena.email).get("/accounts/tokens/revoke-all/").status_code
        == 405
    )
    anonymous = Client(HTTP_HOST=tenant_a.host)
    refused = anonymous.post("/accounts/tokens/revoke-all/")
    assert (refused.status_code, refused["Location"]) == (
        302,
        "/accounts/login/?next=/accounts/tokens/revoke-all/",
    )
    assert snapshot(PersonalAccessToken, tenant=tenant_a) == before


def test_the_api_revokes_all_of_ones_own_personal_tokens(tenant_a, lena, old, make_person):
    someone_else = make_person(email="leo@example.com")
    with schema_context(tenant_a.schema):
        from tenant_apps.people.tokens import personal_token_issue

        other_secret = personal_token_issue(user=someone_else, name="Theirs").secret
    response = bearer(tenant_a, old.access).post("/api/v1/me/tokens/revoke-all")
    assert (response.status_code, response.json()) == (200, {"revoked": 1})
    assert bearer(tenant_a, old.personal_token).get("/api/v1/me").status_code == 401
    assert bearer(tenant_a, other_secret).get("/api/v1/me").status_code == 200
    again = bearer(tenant_a, old.access).post("/api/v1/me/tokens/revoke-all")
    assert again.json() == {"revoked": 0}
