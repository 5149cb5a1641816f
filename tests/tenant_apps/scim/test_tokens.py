"""SCIM bearer tokens: the attacks fail with 401 (and are logged), a token is one
tenant's only, tokens are rate-limited, other tenants' ids are 404."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenant_apps.scim.models import ScimRequestLog, ScimToken
from tenant_apps.scim.tokens import scim_token_create, scim_token_revoke
from tests.tenant_apps.scim.conftest import ScimClient, new_user


def _refused(answer) -> None:
    assert answer.status_code == 401
    assert answer.json()["status"] == "401"
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_missing_wrong_and_revoked_tokens_are_refused(client_a, tenant_a, scim_secret):
    _refused(ScimClient(client_a, None).get("/Users"))
    _refused(ScimClient(client_a, scim_secret + "x").get("/Users"))
    _refused(ScimClient(client_a, "Basic abc").get("/Users"))
    with schema_context(tenant_a.schema):
        token, secret = scim_token_create(name="Okta", actor=None)
        assert token.secret_hash != secret and secret.startswith(token.prefix)
        assert not ScimToken.objects.filter(secret_hash=secret).exists()
    assert ScimClient(client_a, secret).get("/Users").status_code == 200
    with schema_context(tenant_a.schema):
        scim_token_revoke(token=token, actor=None)
    _refused(ScimClient(client_a, secret).post("/Users", new_user()))
    with schema_context(tenant_a.schema):
        assert ScimRequestLog.objects.filter(status=401).count() == 4
        token.refresh_from_db()
        assert token.last_used_at is not None and token.last_used_address == "127.0.0.1"


def test_another_tenants_token_and_ids(client_a, client_b, tenant_b, scim, scim_secret):
    _refused(ScimClient(client_b, scim_secret).get("/Users"))
    user_id = scim.post("/Users", new_user()).json()["id"]
    with schema_context(tenant_b.schema):
        secret_b = scim_token_create(name="B", actor=None)[1]
    in_b = ScimClient(client_b, secret_b)
    for method in ("get", "delete"):
        answer = getattr(in_b, method)(f"/Users/{user_id}")
        assert answer.status_code in (404,) or answer.json()["id"] != user_id
    assert scim.get(f"/Users/{user_id}").status_code == 200
    assert in_b.get("/Users/999999").status_code == 404
    assert in_b.get("/Users/not-a-number").status_code == 404
    assert in_b.get("/Groups/999999").json()["status"] == "404"


def test_a_token_is_rate_limited(scim, settings):
    settings.SCIM_RATE_PER_MINUTE = 3
    for _ in range(3):
        assert scim.get("/ServiceProviderConfig").status_code == 200
    limited = scim.get("/ServiceProviderConfig")
    assert limited.status_code == 429
    assert limited.json()["status"] == "429"
    assert int(limited["Retry-After"]) >= 1


def test_the_request_log_keeps_the_latest(scim, tenant_a, monkeypatch):
    from tenant_apps.scim import tokens

    monkeypatch.setattr(tokens, "LOG_KEEP", 10)
    for _ in range(60):
        scim.get("/ServiceProviderConfig")
    with schema_context(tenant_a.schema):
        assert 10 <= ScimRequestLog.objects.count() <= 60
        newest = ScimRequestLog.objects.order_by("-pk").first().pk
        assert not ScimRequestLog.objects.filter(pk__lte=newest - 60).exists()
        assert ScimRequestLog.objects.count() < 60
