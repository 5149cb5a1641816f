"""Asking for a password-reset e-mail, on the API and the portal's form (one service): limits
per recipient and per address, the same answer whether or not an account exists or was
limited, and links built from the tenant's stored primary domain, never the request's."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from shared_apps.tenants import services as tenant_services
from tenant_apps.people import limits
from tenant_apps.people.models import User
from tests.snapshots import snapshot

SET_PASSWORD_LINK = re.compile(r"(https?://[^/\s]+)/accounts/set-password/[^/\s]+/[^/\s]+/")


@pytest.fixture(autouse=True)
def _fresh_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def api_from(tenant, address: str, **headers) -> APIClient:
    return APIClient(HTTP_HOST=tenant.host, REMOTE_ADDR=address, **headers)


def portal_from(tenant, address: str, **headers) -> Client:
    return Client(HTTP_HOST=tenant.host, REMOTE_ADDR=address, **headers)


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a reset e-mail through the client's door (API or portal form); what the
    request queues after its commit (the e-mail) runs before the answer comes back."""

    def ask(client: APIClient | Client, email: str, **extra):
        path = "/api/v1/auth/password-reset"
        if not isinstance(client, APIClient):
            path = "/accounts/password-reset/"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, {"email": email}, **extra)

    return ask


def test_one_recipient_gets_a_few_emails_however_many_addresses_ask(tenant_a, make_person, ask):
    make_person(email="lena@example.com")
    answers = [ask(api_from(tenant_a, f"203.0.113.{n}"), "lena@example.com") for n in range(1, 9)]
    assert {(a.status_code, a.content, a.get("Retry-After")) for a in answers} == {(202, b"", None)}
    # The portal's form shares the recipient's budget and answers the same way too.
    page = ask(portal_from(tenant_a, "203.0.113.99"), "lena@example.com")
    assert (page.status_code, page["Location"]) == (302, "/accounts/password-reset/sent/")
    assert len(mail.outbox) == limits.RESET_PER_RECIPIENT
    assert {m.to[0] for m in mail.outbox} == {"lena@example.com"}


def test_the_answer_does_not_tell_whether_an_account_exists(tenant_a, make_person, ask):
    make_person(email="lena@example.com")
    client = api_from(tenant_a, "203.0.113.1")
    known, unknown = ask(client, "lena@example.com"), ask(client, "nobody@example.com")
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert dict(known.items()).keys() == dict(unknown.items()).keys()

    portal = portal_from(tenant_a, "203.0.113.2")
    known_page, unknown_page = (
        ask(portal, "lena@example.com"),
        ask(portal, "nobody@example.com"),
    )
    assert (known_page.status_code, known_page["Location"]) == (
        unknown_page.status_code,
        unknown_page["Location"],
    )
    assert [m.to for m in mail.outbox] == [["lena@example.com"], ["lena@example.com"]]


@pytest.mark.parametrize("door", ["api", "portal"])
def test_one_address_asking_too_often_is_refused_and_nothing_is_sent(
    tenant_a, make_person, ask, door
):
    make_person(email="lena@example.com")
    if door == "api":
        client = api_from(tenant_a, "203.0.113.66")
    else:
        client = portal_from(tenant_a, "203.0.113.66")
    for n in range(limits.RESET_PER_ADDRESS):
        assert ask(client, f"person{n}@example.com").status_code in {202, 302}
    before = snapshot(User, tenant=tenant_a)
    refused = ask(client, "lena@example.com")
    assert snapshot(User, tenant=tenant_a) == before
    assert mail.outbox == []
    assert refused.status_code == 429
    if door == "api":
        assert refused.json()["error"]["code"] == "password_reset_throttled"
        assert 1 <= int(refused["Retry-After"]) <= limits.RESET_WINDOW
    else:
        assert b"Too many password-reset requests from your address" in refused.content
        assert b'value="lena@example.com"' in refused.content  # what was typed stays

    # Another address is not affected.
    other = api_from(tenant_a, "198.51.100.1")
    assert ask(other, "lena@example.com").status_code == 202
    assert [m.to for m in mail.outbox] == [["lena@example.com"]]


def test_a_rotating_forwarded_for_does_not_escape_the_address_limit(tenant_a, db, ask):
    client = api_from(tenant_a, "203.0.113.66")

    def ask_as(n: int) -> int:
        forwarded = f"198.51.100.{n}"
        return ask(client, f"person{n}@example.com", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [ask_as(n) for n in range(limits.RESET_PER_ADDRESS)] == [202] * limits.RESET_PER_ADDRESS
    before = snapshot(User, tenant=tenant_a)
    assert [ask_as(n) for n in range(limits.RESET_PER_ADDRESS, limits.RESET_PER_ADDRESS + 2)] == [
        429,
        429,
    ]
    assert snapshot(User, tenant=tenant_a) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_HOST": "alpha.localhost:6666"},
        {"HTTP_HOST": "alpha.localhost", "HTTP_X_FORWARDED_HOST": "alpha.localhost:6666"},
    ],
    ids=["host-with-port", "forwarded-host"],
)
def test_the_portal_form_links_to_the_stored_primary_domain(
    tenant_a, make_person, ask, settings, headers
):
    settings.USE_X_FORWARDED_HOST = True
    make_person(email="lena@example.com", full_name="Lena Learner")
    client = Client(REMOTE_ADDR="203.0.113.1", **headers)
    response = ask(client, "lena@example.com")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password-reset/sent/")

    (message,) = mail.outbox
    assert message.subject == "Reset your password for Alpha Learning"
    assert SET_PASSWORD_LINK.search(message.body).group(1) == "http://alpha.localhost"
    assert "6666" not in message.body
    assert "6666" not in message.alternatives[0][0]


def test_a_custom_domain_request_still_links_to_the_primary_domain(tenant_a, make_person, ask):
    tenant_services.domain_add(tenant=tenant_a.tenant, domain="learn.alpha-corp.example")
    make_person(email="lena@example.com")
    client = Client(HTTP_HOST="learn.alpha-corp.example", REMOTE_ADDR="203.0.113.1")
    assert ask(client, "lena@example.com").status_code == 302
    (message,) = mail.outbox
    assert SET_PASSWORD_LINK.search(message.body).group(1) == "http://alpha.localhost"


def test_the_emailed_link_sets_a_new_password_on_the_portal(tenant_a, make_person, ask):
    person = make_person(email="lena@example.com")
    client = portal_from(tenant_a, "203.0.113.1")
    ask(client, "lena@example.com")
    (message,) = mail.outbox
    link = SET_PASSWORD_LINK.search(message.body).group(0)
    form = client.get(link.removeprefix("http://alpha.localhost"), follow=True)
    assert b"Choose your password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"},
    )
    assert (done.status_code, done["Location"]) == (302, "/accounts/password-set/")
    from django_tenants.utils import schema_context

    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=person.pk).check_password("brand-new-secret-77")


def test_an_invalid_email_shows_the_form_with_the_error(tenant_a, db, ask):
    before = snapshot(User, tenant=tenant_a)
    response = ask(portal_from(tenant_a, "203.0.113.1"), "not-an-email")
    assert response.status_code == 200
    assert b"Enter a valid email address." in response.content
    assert b'href="#id_email"' in response.content
    assert mail.outbox == []
    assert snapshot(User, tenant=tenant_a) == before
