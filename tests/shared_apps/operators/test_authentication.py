"""Only operators, with a live token, on the public host, reach the operator API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from shared_apps.operators.services import operator_token_issue, operator_token_revoke
from tenant_apps.people.models import User
from tests.shared_apps.conftest import provisioning_rows

API = "/api/platform/v1/tenants"
PAYLOAD = {"slug": "sneaky", "name": "Sneaky", "admin_email": "x@sneaky.example"}


def post(client: Client, **headers):
    return client.post(API, PAYLOAD, content_type="application/json", **headers)


def test_no_token_is_401(public_client):
    before = provisioning_rows()
    response = post(public_client)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert provisioning_rows() == before


@pytest.mark.parametrize(
    "header", ["Bearer lop_forged-token", "Token abc", "Bearer", "Basic b3BzOnBhc3M="]
)
def test_bad_tokens_are_401(public_client, header):
    before = provisioning_rows()
    response = post(public_client, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert provisioning_rows() == before


def test_revoked_token_is_401(public_client, operator):
    from shared_apps.operators.models import OperatorToken

    operator_token_revoke(token=OperatorToken.objects.get(user=operator.user))
    before = provisioning_rows()
    assert post(public_client, **operator.headers).status_code == 401
    assert provisioning_rows() == before


def test_token_of_a_user_who_is_not_an_operator_is_refused(public_client):
    connection.set_schema_to_public()
    # A public-schema account without operator rights (no service makes these on purpose).
    someone = User.objects.create(email="someone@example.com", is_staff=False)
    secret = operator_token_issue(user=someone, name="stolen").secret
    before = provisioning_rows()
    response = post(public_client, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    assert provisioning_rows() == before


def test_operator_token_does_nothing_on_a_tenant_host(client_a, operator):
    before = provisioning_rows()
    response = post(client_a, **operator.headers)
    assert response.status_code == 404
    assert provisioning_rows() == before


def test_token_is_stored_only_as_a_hash(operator):
    from shared_apps.operators.models import OperatorToken

    stored = OperatorToken.objects.get(user=operator.user)
    assert operator.token not in (stored.token_hash, stored.prefix)
    assert operator.token.startswith(stored.prefix)
