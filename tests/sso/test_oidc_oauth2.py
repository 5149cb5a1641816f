"""Sign-in through a plain OAuth 2 provider with a named social-core backend (kind
`oauth2`): social-core's GitLab backend pointed, through the provider's base URL, at a real
`oidc-provider` process whose routes are GitLab's (`/oauth/authorize`, `/oauth/token`,
`/api/v4/user`) and whose `read_user` scope answers GitLab's user fields. No ID token is
checked on this path; the person is who the provider's user API says (its `id`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from sso.models import ExternalIdentity, ProviderKind
from tenant_apps.people.models import User
from tests.sso.idps.oidc import OidcProviderProcess, query_of, sign_in_at_provider
from tests.sso.oidc_support import (
    assert_refused,
    callback_for,
    callback_send,
    login_start,
    provider_row,
    signed_in_user_id,
)

# The provider serves on 127.0.0.1, admitted by name (SSO_OUTBOUND_ALLOWLIST).
pytestmark = pytest.mark.usefixtures("oidc_on_loopback")


@pytest.fixture(scope="module")
def gitlab_like(tmp_path_factory) -> Iterator[OidcProviderProcess]:
    process = OidcProviderProcess(
        workdir=tmp_path_factory.mktemp("oauth2-provider"),
        redirect_uris=[callback_for("alpha.localhost", "gitlab")],
        routes={
            "authorization": "/oauth/authorize",
            "token": "/oauth/token",
            "userinfo": "/api/v4/user",
        },
        accept_query_access_tokens=True,
    ).start()
    process.account_set("42", id=42, username="cy", name="Cy Coder", email="cy@corp.example")
    yield process
    process.stop()


@pytest.fixture
def gitlab_provider(gitlab_like, tenant_a, db):
    return provider_row(
        tenant_a.schema,
        gitlab_like,
        slug="gitlab",
        kind=ProviderKind.OAUTH2,
        oauth2_backend="gitlab",
        scopes="openid read_user",
        attribute_mapping={"email": "email", "display_name": "name"},
    )


def test_a_plain_oauth2_backend_signs_the_person_in(
    gitlab_like, gitlab_provider, tenant_a, client_a
):
    authorization_url = login_start(client_a, "gitlab", next="/catalogue/")
    request = query_of(authorization_url)
    assert authorization_url.startswith(f"{gitlab_like.issuer}/oauth/authorize?")
    assert request["code_challenge_method"] == "S256"
    assert request["scope"] == "openid read_user"

    response = callback_send(client_a, sign_in_at_provider(authorization_url))

    assert response["Location"] == "/catalogue/"
    with schema_context(tenant_a.schema):
        person = User.objects.get(email="cy@corp.example")
        assert person.full_name == "Cy Coder"
        link = ExternalIdentity.objects.get(provider=gitlab_provider)
        assert link.subject == "42"
    assert signed_in_user_id(client_a, tenant_a.schema) == str(person.pk)


def test_a_replayed_oauth2_callback_is_refused(gitlab_like, gitlab_provider, tenant_a, client_a):
    callback_url = sign_in_at_provider(login_start(client_a, "gitlab"))
    assert callback_send(client_a, callback_url)["Location"] == "/"
    client_a.logout()
    response = callback_send(client_a, callback_url)
    assert_refused(client_a, response, tenant_a.schema, gitlab_provider, "sso_state_mismatch")


def test_an_unknown_backend_name_is_refused(gitlab_like, tenant_a, client_a):
    provider = provider_row(
        tenant_a.schema, gitlab_like, slug="odd", kind=ProviderKind.OAUTH2, oauth2_backend="myspace"
    )
    response = client_a.get("/sso/oidc/odd/login/")
    entry = assert_refused(client_a, response, tenant_a.schema, provider, "sso_provider_invalid")
    assert "'myspace'" in entry.after["reason"]
