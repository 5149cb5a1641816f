"""Personal tokens remembered per process: a remembered token skips the database, and no
change to the token or its person is ever answered from memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.redis_client import redis_client
from core.versions import version_bump
from tenant_apps.people import token_cache
from tenant_apps.people.models import PersonalAccessToken, Role, User
from tenant_apps.people.services import user_deactivate, user_update
from tenant_apps.people.tokens import (
    TokenInvalid,
    personal_token_issue,
    personal_token_revoke,
    personal_token_user,
)


@pytest.fixture(autouse=True)
def forget() -> Iterator[None]:
    token_cache.forget_all()
    yield
    token_cache.forget_all()


@pytest.fixture
def person(in_tenant_a, make_person) -> User:
    return make_person(Role.LEARNER, email="integration@example.com", full_name="Ivo Integration")


@pytest.fixture
def secret(person: User) -> str:
    secret = personal_token_issue(user=person, name="sync").secret
    personal_token_user(secret)  # now remembered
    return secret


def test_a_remembered_token_costs_no_query(secret, person, django_assert_num_queries):
    with django_assert_num_queries(0):
        user, token = personal_token_user(secret)
    assert user.pk == person.pk and user.email == person.email
    assert token.user_id == person.pk and token.name == "sync"


def test_each_call_gets_its_own_copies(secret):
    user, token = personal_token_user(secret)
    user.full_name = "Changed in memory only"
    user.role = Role.ADMIN
    token.name = "tampered"
    again_user, again_token = personal_token_user(secret)
    assert again_user.full_name == "Ivo Integration" and again_user.role == Role.LEARNER
    assert again_token.name == "sync"
    assert again_user is not user


def test_revoking_the_token_takes_effect_at_once(secret, person):
    token = PersonalAccessToken.objects.get(user=person)
    assert personal_token_revoke(user=person, token_id=token.pk)
    with pytest.raises(TokenInvalid):
        personal_token_user(secret)


def test_deactivating_the_person_takes_effect_at_once(secret, person, make_person):
    user_deactivate(user=person, actor=make_person(Role.ADMIN))
    with pytest.raises(TokenInvalid):
        personal_token_user(secret)


def test_a_role_change_is_seen_on_the_next_call(secret, person, make_person):
    user_update(user=person, actor=make_person(Role.ADMIN), role=Role.INSTRUCTOR)
    user, _ = personal_token_user(secret)
    assert user.role == Role.INSTRUCTOR


def test_deleting_the_person_takes_effect_at_once(secret, person):
    person.delete()
    with pytest.raises(TokenInvalid):
        personal_token_user(secret)


def test_a_change_published_by_another_process_is_seen(secret, person):
    # Another process changes the row (no signal fires here) and publishes the change the
    # way credentials_changed does: a new stamp for this tenant in Redis.
    User.objects.filter(pk=person.pk).update(role=Role.CONTENT_CREATOR)
    version_bump(f"lectern:credentials:{connection.schema_name}:version")
    user, _ = personal_token_user(secret)
    assert user.role == Role.CONTENT_CREATOR


def test_a_lost_stamp_trusts_nothing_remembered(secret, person):
    # Redis restarted empty: the stamp is gone, and a fresh one matches no entry.
    User.objects.filter(pk=person.pk).update(full_name="Renamed Elsewhere")
    redis_client().delete(f"lectern:credentials:{connection.schema_name}:version")
    user, _ = personal_token_user(secret)
    assert user.full_name == "Renamed Elsewhere"


def test_entries_expire_even_without_a_change(secret, person, monkeypatch):
    User.objects.filter(pk=person.pk).update(full_name="Changed Behind The Back")
    monkeypatch.setattr(token_cache, "MAX_AGE_SECONDS", 0.0)
    user, _ = personal_token_user(secret)
    assert user.full_name == "Changed Behind The Back"


def test_tokens_are_remembered_per_tenant(secret, tenant_b, make_person):
    # The same secret means nothing on another tenant, remembered or not.
    make_person(email="integration@example.com", tenant=tenant_b)
    with schema_context(tenant_b.schema), pytest.raises(TokenInvalid):
        personal_token_user(secret)


def test_unknown_tokens_are_never_remembered(in_tenant_a, django_assert_num_queries):
    User.objects.exists()  # the schema's search_path is set: only lookups are counted below
    for _ in range(2):
        with django_assert_num_queries(1), pytest.raises(TokenInvalid):
            personal_token_user("lpt_not-a-real-token")


def test_nothing_is_remembered_while_redis_is_unreachable(
    person, redis_down, django_assert_num_queries
):
    secret = personal_token_issue(user=person, name="offline").secret
    personal_token_user(secret)  # the first call also notes when the token was last used
    for _ in range(2):
        with django_assert_num_queries(1):
            user, _ = personal_token_user(secret)
        assert user.pk == person.pk
