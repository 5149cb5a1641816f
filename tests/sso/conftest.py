"""SAML fixtures: a pysaml2 identity provider's keys (and another key nobody trusts), a SAML
provider of tenant A that trusts it, and the steps of a sign-in as a browser makes them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from saml2 import BINDING_HTTP_REDIRECT

from tests.sso.idps.pysaml2_idp import KeyPair, Pysaml2Idp, b64, key_pair_make, query_of

IDP_ENTITY_ID = "https://idp.corp.test/metadata"
SLUG = "corp"


def shibboleth_mapping() -> dict[str, str]:
    """The Shibboleth / InCommon preset: `urn:oid:` names, as pysaml2 sends them."""
    from sso.presets import SAML_PRESETS

    return dict(next(preset for preset in SAML_PRESETS if preset.code == "shibboleth").mapping)


def person_attributes(email: str, first: str = "Pat", last: str = "Jones", **more) -> dict:
    """What the IdP knows about a person, by pysaml2's friendly names."""
    return {"mail": [email], "givenName": [first], "sn": [last], **more}


@pytest.fixture(scope="session")
def idp_keys(tmp_path_factory) -> KeyPair:
    return key_pair_make(tmp_path_factory.mktemp("idp-keys"), "idp")


@pytest.fixture(scope="session")
def rogue_keys(tmp_path_factory) -> KeyPair:
    """A key pair no provider trusts (an attacker's)."""
    return key_pair_make(tmp_path_factory.mktemp("rogue-keys"), "rogue")


@pytest.fixture(scope="session")
def idp(idp_keys) -> Pysaml2Idp:
    """The pysaml2 IdP, in-process, for crafted responses (its URLs are never called)."""
    return Pysaml2Idp(entity_id=IDP_ENTITY_ID, base_url="http://127.0.0.1:9", keys=idp_keys)


def provider_make(
    *,
    keys: KeyPair,
    slug: str = SLUG,
    entity_id: str = IDP_ENTITY_ID,
    base_url: str = "http://127.0.0.1:9",
    **fields,
):
    from sso.models import IdentityProvider, ProviderKind

    values = {
        "name": "Corp IdP",
        "kind": ProviderKind.SAML,
        "saml_entity_id": entity_id,
        "saml_sso_url": f"{base_url}/sso/redirect",
        "saml_slo_url": f"{base_url}/slo",
        "saml_certificates": [keys.certificate_pem],
        "attribute_mapping": shibboleth_mapping(),
        "email_domains": ["corp.test"],
        **fields,
    }
    return IdentityProvider.objects.create(slug=slug, **values)


@pytest.fixture
def provider(in_tenant_a, idp_keys):
    """Tenant A's SAML provider `corp`, trusting the pysaml2 IdP's key."""
    return provider_make(keys=idp_keys)


@dataclass
class SignIn:
    """A browser's side of a SAML sign-in at tenant A via the Django test client."""

    client: Client
    idp: Pysaml2Idp
    host: str
    slug: str = SLUG

    @property
    def entity_id(self) -> str:
        return f"http://{self.host}/sso/saml/{self.slug}/metadata/"

    @property
    def acs_url(self) -> str:
        return f"http://{self.host}/sso/saml/{self.slug}/acs/"

    def start(self, next_url: str = "/") -> str:
        """Open the login URL; returns the AuthnRequest ID the IdP was sent."""
        answer = self.client.get(f"/sso/saml/{self.slug}/login/", {"next": next_url})
        assert answer.status_code == 302, answer
        query = query_of(answer["Location"])
        parsed = self.idp.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        return parsed.message.id

    def mint(self, request_id: str | None, name_id: str = "pat@corp.test", **options) -> str:
        options.setdefault("attributes", person_attributes(name_id))
        options.setdefault("audience", self.entity_id)
        options.setdefault("acs_url", self.acs_url)
        return self.idp.response(in_response_to=request_id, name_id=name_id, **options)

    def post(self, xml: str, relay_state: str = ""):
        data = {"SAMLResponse": b64(xml)}
        if relay_state:
            data["RelayState"] = relay_state
        return self.client.post(f"/sso/saml/{self.slug}/acs/", data)

    def signed_in_user_id(self) -> str | None:
        return self.client.session.get("_auth_user_id")


@pytest.fixture
def sign_in(client_a, tenant_a, idp, provider) -> SignIn:
    return SignIn(client=client_a, idp=idp, host=tenant_a.host)


def failures(tenant_schema: str) -> list[dict]:
    from tenant_apps.audit.models import AuditAction, AuditEntry

    with schema_context(tenant_schema):
        return list(
            AuditEntry.objects.filter(action=AuditAction.SSO_LOGIN_FAILED)
            .order_by("pk")
            .values_list("after", flat=True)
        )


@pytest.fixture
def oidc_on_loopback(settings):
    """Admits the loopback address the tests' OpenID provider serves on, explicitly, as a
    deployment names a private network in SSO_OUTBOUND_ALLOWLIST; every other private,
    loopback or metadata address stays refused (sso.services.outbound)."""
    settings.SSO_OUTBOUND_ALLOWLIST = ["127.0.0.1/32"]
