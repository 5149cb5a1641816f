"""Certificates and IdP metadata documents for the SSO admin tests: real X.509 certificates
(made with `cryptography`, expiring when a test wants) and SAML metadata as IdPs publish it."""

from __future__ import annotations

import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate_pem(common_name: str = "idp.example.com", days: int = 365) -> str:
    """A self-signed certificate valid from yesterday until `days` from now."""
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days, hours=1))
        .sign(_KEY, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def body_of(pem: str) -> str:
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode()


def idp_entity(
    entity_id: str,
    sso_url: str,
    certificates: list[str],
    binding: str = "HTTP-Redirect",
    slo_url: str = "",
) -> str:
    keys = "".join(
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{body_of(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        for pem in certificates
    )
    slo = (
        f'<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:{binding}" '
        f'Location="{slo_url}"/>'
        if slo_url
        else ""
    )
    return (
        f'<md:EntityDescriptor entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{keys}{slo}"
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>"
        f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:{binding}" '
        f'Location="{sso_url}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


_NAMESPACES = (
    'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
)


def metadata_xml(
    entity_id: str = "https://idp.acme.example/saml",
    sso_url: str = "https://idp.acme.example/sso",
    certificates: list[str] | None = None,
    **options,
) -> str:
    """One IdP's metadata (an EntityDescriptor document)."""
    entity = idp_entity(entity_id, sso_url, certificates or [certificate_pem()], **options)
    return entity.replace("<md:EntityDescriptor ", f"<md:EntityDescriptor {_NAMESPACES} ", 1)


def federation_xml(*entities: str) -> str:
    """Several IdPs in one EntitiesDescriptor (as a federation publishes them)."""
    return f"<md:EntitiesDescriptor {_NAMESPACES}>{''.join(entities)}</md:EntitiesDescriptor>"
