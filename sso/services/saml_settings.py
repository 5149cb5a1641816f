"""python3-saml settings built per tenant and identity provider at run time: nothing about a
provider lives in Django settings or files. The service provider's entity ID is the
metadata URL on the tenant's own host (`https://<host>/sso/saml/<slug>/metadata/`, scheme
from the request), so each tenant and provider is a distinct SP and an assertion made for
one is refused by every other (audience)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.urls import reverse
from django.utils.translation import gettext as _
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.metadata import OneLogin_Saml2_Metadata
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import IdentityProvider, SamlBinding, ServiceProviderKey
from sso.services.keys import pem_body, sp_key_active, sp_keys_published, sp_private_key

SIGNATURE_ALGORITHM = OneLogin_Saml2_Constants.RSA_SHA256
DIGEST_ALGORITHM = OneLogin_Saml2_Constants.SHA256


@dataclass(frozen=True)
class SamlHttp:
    """The parts of the HTTP request python3-saml looks at (the URL it was received at
    decides the Destination and Recipient checks)."""

    https: bool
    host: str  # with the port, as the Host header gave it
    path: str
    get: dict[str, str] = field(default_factory=dict)
    post: dict[str, str] = field(default_factory=dict)
    # The query string exactly as received: a Redirect-binding signature covers it.
    query_string: str = ""

    @property
    def base_url(self) -> str:
        return f"{'https' if self.https else 'http'}://{self.host}"

    def request_data(self) -> dict:
        return {
            "https": "on" if self.https else "off",
            "http_host": self.host,
            "script_name": self.path,
            "get_data": dict(self.get),
            "post_data": dict(self.post),
            "query_string": self.query_string,
            # python3-saml re-encodes query strings it verifies; keep what was sent.
            "validate_signature_from_qs": bool(self.query_string),
        }


@dataclass(frozen=True)
class SpEndpoints:
    entity_id: str
    acs_url: str
    sls_url: str


def sp_endpoints(provider: IdentityProvider, http: SamlHttp) -> SpEndpoints:
    """This tenant's service provider for `provider`, on the host the request came to."""

    def url(name: str) -> str:
        return http.base_url + reverse(name, kwargs={"slug": provider.slug})

    return SpEndpoints(
        entity_id=url("sso-saml-metadata"),
        acs_url=url("sso-saml-acs"),
        sls_url=url("sso-saml-sls"),
    )


def _idp_certificates(provider: IdentityProvider) -> list[str]:
    return [pem_body(cert) for cert in provider.saml_certificates or [] if cert.strip()]


def _check_provider(provider: IdentityProvider) -> None:
    missing = [
        label
        for label, value in (
            (_("entity ID"), provider.saml_entity_id),
            (_("single sign-on URL"), provider.saml_sso_url),
            (_("signing certificate"), _idp_certificates(provider)),
        )
        if not value
    ]
    if missing:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_INVALID,
            _(
                "%(provider)s is missing its %(missing)s; an admin must complete the identity "
                "provider's settings."
            )
            % {"provider": provider.name, "missing": ", ".join(missing)},
        )


def saml_settings(
    provider: IdentityProvider,
    http: SamlHttp,
    *,
    key: ServiceProviderKey | None = None,
    want_messages_signed: bool = False,
) -> OneLogin_Saml2_Settings:
    """python3-saml settings for `provider` in this tenant, with `key` (the active SP key
    unless told) as the SP's key pair. Strict always."""
    _check_provider(provider)
    key = key or sp_key_active()
    endpoints = sp_endpoints(provider, http)
    certificates = _idp_certificates(provider)
    idp: dict = {
        "entityId": provider.saml_entity_id,
        "singleSignOnService": {"url": provider.saml_sso_url, "binding": provider.saml_sso_binding},
        # Several certificates during the IdP's rollover: a signature by any of them counts.
        "x509certMulti": {"signing": certificates, "encryption": certificates[:1]},
    }
    if provider.saml_slo_url:
        idp["singleLogoutService"] = {"url": provider.saml_slo_url, "binding": SamlBinding.REDIRECT}
    data = {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": endpoints.entity_id,
            "assertionConsumerService": {"url": endpoints.acs_url, "binding": SamlBinding.POST},
            "singleLogoutService": {"url": endpoints.sls_url, "binding": SamlBinding.REDIRECT},
            "NameIDFormat": provider.saml_name_id_format,
            "x509cert": pem_body(key.certificate_pem),
            "privateKey": sp_private_key(key),
        },
        "idp": idp,
        "security": {
            "authnRequestsSigned": provider.saml_sign_requests,
            "logoutRequestSigned": True,
            "logoutResponseSigned": True,
            "signMetadata": False,  # sp_metadata_xml signs with every published key listed
            "wantMessagesSigned": want_messages_signed,
            "wantAssertionsSigned": provider.saml_want_assertions_signed,
            "wantAssertionsEncrypted": provider.saml_want_assertions_encrypted,
            "wantNameId": True,
            "wantNameIdEncrypted": False,
            "wantAttributeStatement": False,
            "requestedAuthnContext": False,
            "allowRepeatAttributeName": True,
            "rejectDeprecatedAlgorithm": not provider.saml_allow_sha1,
            "signatureAlgorithm": SIGNATURE_ALGORITHM,
            "digestAlgorithm": DIGEST_ALGORITHM,
        },
    }
    try:
        return OneLogin_Saml2_Settings(data, sp_validation_only=False)
    except Exception as exc:  # python3-saml names what it found wrong
        raise SsoRefused(
            SsoErrorCode.PROVIDER_INVALID,
            _("The settings of %(provider)s are not usable: %(error)s")
            % {"provider": provider.name, "error": exc},
        ) from exc


def _key_descriptors(keys: list[ServiceProviderKey]) -> str:
    parts = []
    for key in keys:
        body = pem_body(key.certificate_pem)
        for use in ("signing", "encryption"):
            parts.append(
                f'<md:KeyDescriptor use="{use}"><ds:KeyInfo '
                'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
                f"<ds:X509Certificate>{body}</ds:X509Certificate>"
                "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            )
    return "".join(parts)


def sp_metadata_xml(provider: IdentityProvider, http: SamlHttp) -> str:
    """The SP metadata for `provider`: entity ID, ACS and SLS, NameID format and the
    signing and encryption certificates of every published key (the next key of a rollover
    is announced before it signs anything), signed with the active key."""
    endpoints = sp_endpoints(provider, http)
    keys = sp_keys_published()
    active = keys[0]
    metadata = (
        '<?xml version="1.0"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f"entityID={quoteattr(endpoints.entity_id)}>"
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'AuthnRequestsSigned="{"true" if provider.saml_sign_requests else "false"}" '
        f'WantAssertionsSigned="{"true" if provider.saml_want_assertions_signed else "false"}">'
        f"{_key_descriptors(keys)}"
        f'<md:SingleLogoutService Binding="{SamlBinding.REDIRECT.value}" '
        f"Location={quoteattr(endpoints.sls_url)}/>"
        f"<md:NameIDFormat>{escape(provider.saml_name_id_format)}</md:NameIDFormat>"
        f'<md:AssertionConsumerService Binding="{SamlBinding.POST.value}" '
        f'Location={quoteattr(endpoints.acs_url)} index="0" isDefault="true"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )
    signed = OneLogin_Saml2_Metadata.sign_metadata(
        metadata,
        sp_private_key(active),
        active.certificate_pem,
        SIGNATURE_ALGORITHM,
        DIGEST_ALGORITHM,
    )
    return signed.decode() if isinstance(signed, bytes) else signed
