"""What the OIDC tests share: a provider row in a tenant pointing at the real oidc-provider
process, a browser-less round trip (our side through the Django test client, the provider
over HTTP), and what a refused sign-in must leave behind."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from core.secret_box import secret_seal
from sso.models import IdentityProvider, ProviderKind
from tenant_apps.audit.models import AuditAction, AuditEntry
from tests.sso.idps.oidc import OidcProviderProcess, query_of, sign_in_at_provider

MAPPING = {
    "email": "email",
    "first_name": "given_name",
    "last_name": "family_name",
    "display_name": "name",
    "groups": "groups",
    "department": "department",
    "employee_number": "employee_number",
}
SCOPES = "openid email profile groups employee"


def callback_for(host: str, slug: str) -> str:
    return f"http://{host}/sso/oidc/{slug}/callback/"


def provider_row(
    schema: str,
    idp: OidcProviderProcess,
    *,
    slug: str = "corp",
    issuer: str | None = None,
    **fields,
) -> IdentityProvider:
    with schema_context(schema):
        return IdentityProvider.objects.create(
            slug=slug,
            name="Corp Login",
            kind=fields.pop("kind", ProviderKind.OIDC),
            oidc_issuer=issuer or idp.issuer,
            oidc_client_id=fields.pop("client_id", idp.client_id),
            oidc_client_secret_sealed=secret_seal(fields.pop("client_secret", idp.client_secret)),
            oidc_scopes=fields.pop("scopes", SCOPES),
            attribute_mapping=fields.pop("attribute_mapping", MAPPING),
            **fields,
        )


def login_start(client: Client, slug: str, **params) -> str:
    """Our login URL; returns where it sends the browser (the provider's authorization URL)."""
    response = client.get(reverse("sso-oidc-login", kwargs={"slug": slug}), params)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def callback_send(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(parts.path, query_of(callback_url))


def round_trip(client: Client, slug: str, **params):
    """A whole sign-in: our login, the provider's (over HTTP), our callback. Returns our
    callback's response."""
    authorization_url = login_start(client, slug, **params)
    callback_url = sign_in_at_provider(authorization_url)
    return callback_send(client, callback_url)


def signed_in_user_id(client: Client, schema: str) -> str | None:
    with schema_context(schema):
        return client.session.get(SESSION_KEY)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_refused(client: Client, response, schema: str, provider: IdentityProvider, code: str):
    """The sign-in ended on the login page with a support reference, nobody is signed in,
    and the refusal was audited with its reason."""
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    shown = messages_of(response)
    assert len(shown) == 1 and "SSO-" in shown[0], shown
    assert signed_in_user_id(client, schema) is None
    with schema_context(schema):
        entry = AuditEntry.objects.filter(
            action=AuditAction.SSO_LOGIN_FAILED, target_id=str(provider.pk)
        ).first()
    assert entry is not None, "no audit event for the refused sign-in"
    assert entry.after["code"] == code, entry.after
    assert entry.after["reference"] in shown[0]
    return entry
