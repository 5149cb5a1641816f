"""A SCIM token of tenant A and a client calling /scim/v2/ with it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.scim.tokens import scim_token_create

SCIM_JSON = "application/scim+json"


class ScimClient:
    def __init__(self, client: Client, secret: str | None) -> None:
        self.client = client
        self.secret = secret

    def _headers(self, headers: dict | None) -> dict:
        merged = dict(headers or {})
        if self.secret is not None:
            merged.setdefault("Authorization", f"Bearer {self.secret}")
        return merged

    def call(self, method: str, path: str, body=None, headers: dict | None = None, **params):
        kwargs = {"headers": self._headers(headers)}
        url = "/scim/v2" + path
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = SCIM_JSON
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, path, **params):
        return self.call("GET", path, **params)

    def post(self, path, body, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path, body, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def scim_secret(tenant_a, db, fresh_throttle_counters) -> str:
    with schema_context(tenant_a.schema):
        return scim_token_create(name="Entra", actor=None)[1]


@pytest.fixture
def scim(client_a, scim_secret) -> ScimClient:
    return ScimClient(client_a, scim_secret)


def patch_body(*operations: dict) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": list(operations),
    }


def new_user(user_name: str = "ada@example.com", **extra) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }
