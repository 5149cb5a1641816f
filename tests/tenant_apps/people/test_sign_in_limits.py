"""Sign-in limits (people.limits): growing waits per (account, address), a pause for
everyone only after many failures (and an e-mail to the owner), and no way for one address
to lock out another. The API and the portal's form follow the same rule."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.errors import ApplicationError
from tenant_apps.people import limits
from tenant_apps.people.models import RefreshToken, User
from tenant_apps.people.services import LoginThrottled, user_authenticate
from tests.factories import PASSWORD
from tests.snapshots import snapshot

T0 = 1_900_000_000.0  # a fixed "now" for the service-level schedule


@pytest.fixture(autouse=True)
def _no_failed_sign_ins():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def from_address(tenant, address: str) -> APIClient:
    return APIClient(HTTP_HOST=tenant.host, REMOTE_ADDR=address)


def login(client: APIClient, email: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/login", {"email": email, "password": password})


def attempt(email: str, password: str, address: str | None, now: float) -> str:
    """What the service says: "ok", "wrong" or "wait <seconds>"."""
    try:
        user_authenticate(email=email, password=password, address=address, now=now)
    except LoginThrottled as exc:
        return f"wait {exc.retry_after}"
    except ApplicationError as exc:
        assert exc.code.value == "invalid_credentials"
        return "wrong"
    return "ok"


def test_the_schedule_of_waits():
    assert [limits.sign_in_delay(n) for n in range(1, 12)] == [
        0,
        0,
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        900,
        900,
    ]
    assert limits.sign_in_delay(10_000) == limits.SIGN_IN_LONGEST_DELAY


def test_from_the_fifth_failure_each_one_makes_that_address_wait_longer(make_person, in_tenant_a):
    make_person(email="lena@example.com")
    address = "198.51.100.1"
    assert [attempt("lena@example.com", "wrong", address, T0) for _ in range(4)] == ["wrong"] * 4
    assert attempt("lena@example.com", "wrong", address, T0) == "wrong"  # the fifth
    # Even the right password waits: the wait limits guessing, not only failing.
    assert attempt("lena@example.com", PASSWORD, address, T0) == "wait 30"
    assert attempt("lena@example.com", PASSWORD, address, T0 + 29.5) == "wait 1"

    now, waits = T0 + 30, []
    for _ in range(6):
        assert attempt("lena@example.com", "wrong", address, now) == "wrong"
        wait = int(attempt("lena@example.com", "wrong", address, now).split()[1])
        waits.append(wait)
        now += wait
    assert waits == [60, 120, 240, 480, 900, 900]


def test_a_success_forgets_the_failures_of_that_address(make_person, in_tenant_a):
    make_person(email="lena@example.com")
    address = "198.51.100.1"
    for _ in range(4):
        attempt("lena@example.com", "wrong", address, T0)
    assert attempt("lena@example.com", PASSWORD, address, T0) == "ok"
    assert [attempt("lena@example.com", "wrong", address, T0) for _ in range(5)] == ["wrong"] * 5
    assert attempt("lena@example.com", PASSWORD, address, T0) == "wait 30"


def test_one_address_cannot_lock_out_another(make_person, tenant_a):
    make_person(email="lena@example.com")
    attacker = from_address(tenant_a, "203.0.113.66")
    codes = [login(attacker, "lena@example.com", "guess").status_code for _ in range(10)]
    assert codes == [401] * 5 + [429] * 5
    before = snapshot(User, RefreshToken, tenant=tenant_a)
    refused = login(attacker, "lena@example.com")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "login_throttled"
    assert 1 <= int(refused["Retry-After"]) <= limits.SIGN_IN_FIRST_DELAY
    assert snapshot(User, RefreshToken, tenant=tenant_a) == before

    owner = login(from_address(tenant_a, "198.51.100.1"), "lena@example.com")
    assert owner.status_code == 200
    assert mail.outbox == []


def test_a_waiting_address_changes_nothing_by_trying_again(make_person, tenant_a):
    person = make_person(email="lena@example.com")
    attacker = from_address(tenant_a, "203.0.113.66")
    for _ in range(limits.SIGN_IN_FREE_FAILURES):
        login(attacker, "lena@example.com", "guess")
    before = snapshot(User, RefreshToken, tenant=tenant_a)
    assert login(attacker, "lena@example.com").status_code == 429
    assert snapshot(User, RefreshToken, tenant=tenant_a) == before
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=person.pk).last_login is None


def fail_from_many_addresses(tenant, email: str, failures: int) -> list[int]:
    """`failures` wrong passwords from as many addresses as the free failures need."""
    codes = []
    per_address = limits.SIGN_IN_FREE_FAILURES
    for n in range(failures):
        client = from_address(tenant, f"203.0.113.{n // per_address + 1}")
        codes.append(login(client, email, "guess").status_code)
    return codes


def test_many_failures_pause_the_account_for_everyone_and_tell_its_owner(
    make_person, tenant_a, django_capture_on_commit_callbacks
):
    make_person(email="lena@example.com", full_name="Lena Learner")
    with django_capture_on_commit_callbacks(execute=True):
        codes = fail_from_many_addresses(tenant_a, "lena@example.com", limits.ACCOUNT_LOCK_FAILURES)
        assert codes == [401] * limits.ACCOUNT_LOCK_FAILURES
        before = snapshot(User, RefreshToken, tenant=tenant_a)
        # Now the owner waits too, from an address that never failed.
        paused = login(from_address(tenant_a, "198.51.100.1"), "lena@example.com")
        assert paused.status_code == 429
        assert paused.json()["error"]["code"] == "login_throttled"
        wait = int(paused["Retry-After"])
        assert limits.ACCOUNT_LOCK_SECONDS - 60 < wait <= limits.ACCOUNT_LOCK_SECONDS
        login(from_address(tenant_a, "198.51.100.2"), "lena@example.com", "guess")
        assert snapshot(User, RefreshToken, tenant=tenant_a) == before

    (message,) = mail.outbox  # one e-mail per pause, however many tries meet it
    assert message.to == ["lena@example.com"]
    assert message.subject == "Signing in to your Alpha Learning account is paused"
    assert "with a wrong password 50 times" in message.body
    assert "paused for everyone for 15 minutes" in message.body
    assert "http://alpha.localhost/accounts/password-reset/" in message.body


def test_pausing_an_unknown_account_answers_alike_and_mails_nobody(
    tenant_a, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fail_from_many_addresses(tenant_a, "nobody@example.com", limits.ACCOUNT_LOCK_FAILURES)
        paused = login(from_address(tenant_a, "198.51.100.1"), "nobody@example.com")
    assert paused.status_code == 429
    assert paused.json()["error"]["code"] == "login_throttled"
    assert mail.outbox == []


def test_an_address_failing_on_many_accounts_waits_but_only_itself(make_person, in_tenant_a):
    make_person(email="lena@example.com")
    sprayer = "203.0.113.77"
    outcomes = {
        attempt(f"person{n}@example.com", "Summer2026!", sprayer, T0)
        for n in range(limits.ADDRESS_FAILURE_LIMIT)
    }
    assert outcomes == {"wrong"}
    assert attempt("lena@example.com", PASSWORD, sprayer, T0) == (
        f"wait {limits.ADDRESS_FAILURE_WINDOW}"
    )
    assert attempt("lena@example.com", PASSWORD, "198.51.100.1", T0) == "ok"


def test_the_portal_sign_in_form_follows_the_same_rule(tenant_a, make_person):
    make_person(email="lena@example.com")
    attacker = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR="203.0.113.66")
    for _ in range(limits.SIGN_IN_FREE_FAILURES):
        attacker.post("/accounts/login/", {"username": "lena@example.com", "password": "x"})
    before = snapshot(User, RefreshToken, tenant=tenant_a)
    refused = attacker.post(
        "/accounts/login/", {"username": "lena@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert b"Too many failed sign-ins. Try again in " in refused.content
    assert attacker.get("/").status_code == 302  # not signed in
    assert snapshot(User, RefreshToken, tenant=tenant_a) == before

    owner = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR="198.51.100.1")
    signed_in = owner.post(
        "/accounts/login/", {"username": "lena@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert owner.get("/").status_code == 200


def test_the_portal_form_counts_toward_the_same_budget_as_the_api(tenant_a, make_person):
    make_person(email="lena@example.com")
    portal = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR="203.0.113.66")
    for _ in range(limits.SIGN_IN_FREE_FAILURES):
        portal.post("/accounts/login/", {"username": "lena@example.com", "password": "x"})
    before = snapshot(User, RefreshToken, tenant=tenant_a)
    assert login(from_address(tenant_a, "203.0.113.66"), "lena@example.com").status_code == 429
    assert snapshot(User, RefreshToken, tenant=tenant_a) == before


@pytest.fixture
def cache_unreachable(settings):
    """The cache's Redis unreachable: nothing listens on port 1 of this machine."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }


def test_with_redis_unreachable_signing_in_still_works(
    tenant_a, make_person, cache_unreachable, django_capture_on_commit_callbacks
):
    person = make_person()
    client = from_address(tenant_a, "203.0.113.9")
    for _ in range(limits.SIGN_IN_FREE_FAILURES + 1):
        wrong = login(client, person.email, "not-the-password")
        assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "invalid_credentials")
    assert login(client, person.email).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        reset = client.post("/api/v1/auth/password-reset", {"email": person.email})
    assert reset.status_code in (200, 202)
    assert [m.to for m in mail.outbox] == [[person.email]]
