"""SAML IdP metadata: read from pasted XML or fetched from an https URL (with a timeout, a
size limit, no redirects, public addresses only), parsed with python3-saml's
`OneLogin_Saml2_IdPMetadataParser` (which refuses DTDs and entities), turned into a provider
(new or existing), and refreshed from its URL by hand or daily. A failed refresh keeps the
configuration as it was and records why on the provider."""

from __future__ import annotations

import datetime
import logging
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from core.addresses import AddressRefused
from core.errors import FieldError, ValidationFailed
from core.outbound import pinned_stream
from sso.errors import SsoErrorCode, SsoRefused
from sso.models import IdentityProvider, ProviderKind, SamlBinding
from sso.services import outbound, providers
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record

log = logging.getLogger(__name__)

METADATA_MAX_BYTES = 1_000_000
FETCH_TIMEOUT_SECONDS = (5, 10)  # connect, read
# Providers with a metadata URL are refreshed when their last refresh is this old.
REFRESH_EVERY = datetime.timedelta(hours=24)
_MD = "urn:oasis:names:tc:SAML:2.0:metadata"


@dataclass(frozen=True)
class IdpMetadata:
    """What a provider needs from an IdP's metadata."""

    entity_id: str
    sso_url: str
    sso_binding: str
    slo_url: str = ""
    certificates: list[str] = field(default_factory=list)
    name_id_format: str = ""

    def provider_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "saml_entity_id": self.entity_id,
            "saml_sso_url": self.sso_url,
            "saml_sso_binding": self.sso_binding,
            "saml_slo_url": self.slo_url,
            "saml_certificates": list(self.certificates),
        }
        if self.name_id_format and self.name_id_format in _NAME_ID_FORMATS:
            values["saml_name_id_format"] = self.name_id_format
        return values


def _name_id_formats() -> set[str]:
    from sso.models import NameIdFormat

    return set(NameIdFormat.values)


_NAME_ID_FORMATS = _name_id_formats()


def _invalid(message: str, field_name: str = "metadata_xml") -> ValidationFailed:
    return ValidationFailed(
        SsoErrorCode.METADATA_INVALID,
        _("The metadata could not be used."),
        [FieldError(field_name, message)],
    )


def _idp_entities(root) -> list:
    """The EntityDescriptors of the document that describe an IdP."""
    if root.tag == f"{{{_MD}}}EntityDescriptor":
        candidates = [root]
    else:
        candidates = root.findall(f".//{{{_MD}}}EntityDescriptor")
    return [node for node in candidates if node.find(f"{{{_MD}}}IDPSSODescriptor") is not None]


def metadata_parse(
    document: str | bytes, entity_id: str = "", field_name: str = "metadata_xml"
) -> IdpMetadata:
    """Read an IdP's metadata. A document describing several IdPs (a federation's) needs
    `entity_id` to pick one. Refuses a DTD or entities, and metadata without an entity ID,
    an SSO endpoint or a signing certificate, each in words naming what is missing."""
    raw = document.encode() if isinstance(document, str) else document
    if not raw.strip():
        raise _invalid(_("Paste the metadata XML."), field_name)
    if len(raw) > METADATA_MAX_BYTES:
        raise _invalid(_too_large(), field_name)
    try:
        root = OneLogin_Saml2_XML.to_etree(raw)  # forbids DTDs and entities
    except Exception as exc:  # defusedxml's DTDForbidden / EntitiesForbidden, lxml's errors
        name = type(exc).__name__
        if "DTD" in name or "Entit" in name:
            raise _invalid(
                _(
                    "The metadata holds a document type declaration or entities, which are "
                    "refused (they are how XML attacks start)."
                ),
                field_name,
            ) from exc
        raise _invalid(_("This is not well-formed XML."), field_name) from exc
    entities = _idp_entities(root)
    if not entities:
        raise _invalid(_("The document describes no identity provider (IDPSSODescriptor)."))
    if entity_id:
        chosen = [node for node in entities if node.get("entityID") == entity_id]
        if not chosen:
            raise _invalid(
                _("The document describes no identity provider with entity ID %(entity_id)s.")
                % {"entity_id": entity_id},
                "entity_id",
            )
    elif len(entities) > 1:
        shown = ", ".join(node.get("entityID", "?") for node in entities[:5])
        if len(entities) > 5:
            shown += ", ..."
        raise _invalid(
            ngettext(
                "The document describes %(count)s identity provider (%(entity_ids)s); give "
                "the entity ID of yours.",
                "The document describes %(count)s identity providers (%(entity_ids)s); give "
                "the entity ID of yours.",
                len(entities),
            )
            % {"count": len(entities), "entity_ids": shown},
            "entity_id",
        )
    else:
        chosen = entities
    one = etree.tostring(chosen[0])
    settings_found = OneLogin_Saml2_IdPMetadataParser.parse(
        one, required_sso_binding=Saml.BINDING_HTTP_REDIRECT
    )
    binding = SamlBinding.REDIRECT
    if "singleSignOnService" not in settings_found.get("idp", {}):
        settings_found = OneLogin_Saml2_IdPMetadataParser.parse(
            one, required_sso_binding=Saml.BINDING_HTTP_POST
        )
        binding = SamlBinding.POST
    idp = settings_found.get("idp", {})
    if "singleLogoutService" not in idp:  # an SLO endpoint with the POST binding only
        with_post_slo = OneLogin_Saml2_IdPMetadataParser.parse(
            one, required_sso_binding=binding.value, required_slo_binding=Saml.BINDING_HTTP_POST
        )
        idp["singleLogoutService"] = with_post_slo.get("idp", {}).get("singleLogoutService", {})
    if not idp.get("entityId"):
        raise _invalid(_("The identity provider has no entityID."), field_name)
    sso = idp.get("singleSignOnService", {}).get("url", "")
    if not sso:
        raise _invalid(
            _(
                "The identity provider offers no single sign-on service with the "
                "HTTP-Redirect or HTTP-POST binding."
            ),
            field_name,
        )
    if "x509cert" in idp:
        certificates = [idp["x509cert"]]
    else:
        certificates = list(idp.get("x509certMulti", {}).get("signing", []))
    if not certificates:
        raise _invalid(_("The identity provider publishes no signing certificate."), field_name)
    return IdpMetadata(
        entity_id=idp["entityId"],
        sso_url=sso,
        sso_binding=binding,
        slo_url=idp.get("singleLogoutService", {}).get("url", ""),
        certificates=certificates,
        name_id_format=settings_found.get("sp", {}).get("NameIDFormat", ""),
    )


def _too_large() -> str:
    return _("The metadata is over %(size)s kB.") % {"size": METADATA_MAX_BYTES // 1000}


def metadata_fetch(url: str, field_name: str = "metadata_url") -> bytes:
    """The document at `url` (https, public address; at most METADATA_MAX_BYTES, within the
    timeout, redirects not followed), fetched from the address that was checked (resolved
    once: core.outbound). Refuses with the reason in words."""
    problem = providers.url_problem(url)
    if problem:
        raise _invalid(problem, field_name)
    host = urlsplit(url).hostname or ""
    try:
        with pinned_stream(
            "GET",
            url,
            allowed=outbound.allowed_networks(),
            timeout=FETCH_TIMEOUT_SECONDS,
            headers={"Accept": "application/samlmetadata+xml, application/xml, text/xml"},
        ) as response:
            if response.is_redirect:
                target = response.headers.get("Location", "")
                raise _unreachable(
                    _("%(url)s redirects to %(target)s; enter that address.")
                    % {"url": url, "target": target},
                    field_name,
                )
            if response.status_code != 200:
                raise _unreachable(
                    _("%(url)s answered HTTP %(status)s.")
                    % {"url": url, "status": response.status_code},
                    field_name,
                )
            body = b""
            for chunk in response.iter_bytes(64 * 1024):
                body += chunk
                if len(body) > METADATA_MAX_BYTES:
                    raise _invalid(_too_large(), field_name)
            return body
    except AddressRefused as exc:
        raise _invalid(
            _("%(host)s is not a public address on the internet.") % {"host": host}, field_name
        ) from exc
    except httpx.TimeoutException as exc:
        raise _unreachable(_("%(url)s did not answer in time.") % {"url": url}, field_name) from exc
    except httpx.HTTPError as exc:
        if isinstance(exc.__context__, ssl.SSLError) or "CERTIFICATE_VERIFY" in str(exc):
            raise _unreachable(
                _("%(url)s's TLS certificate could not be verified.") % {"url": url}, field_name
            ) from exc
        raise _unreachable(_("%(url)s could not be reached.") % {"url": url}, field_name) from exc


def _unreachable(message: str, field_name: str) -> ValidationFailed:
    error = ValidationFailed(
        SsoErrorCode.METADATA_UNREACHABLE,
        _("The metadata could not be fetched."),
        [FieldError(field_name, message)],
    )
    return error


def _metadata_from(
    *, metadata_xml: str = "", metadata_url: str = "", entity_id: str = ""
) -> IdpMetadata:
    if metadata_xml and metadata_xml.strip():
        return metadata_parse(metadata_xml, entity_id)
    if metadata_url and metadata_url.strip():
        document = metadata_fetch(metadata_url.strip())
        return metadata_parse(document, entity_id, field_name="metadata_url")
    raise ValidationFailed(
        SsoErrorCode.METADATA_INVALID,
        _("The metadata could not be used."),
        [FieldError("metadata_url", _("Give the metadata URL or paste the metadata XML."))],
    )


def provider_create_from_metadata(
    *,
    actor,
    metadata_xml: str = "",
    metadata_url: str = "",
    entity_id: str = "",
    **values: Any,
) -> IdentityProvider:
    """Add a SAML provider from its metadata; a URL is kept for the periodic refresh."""
    metadata = _metadata_from(
        metadata_xml=metadata_xml, metadata_url=metadata_url, entity_id=entity_id
    )
    from_metadata = metadata.provider_values()
    if metadata_url and not (metadata_xml and metadata_xml.strip()):
        from_metadata["saml_metadata_url"] = metadata_url.strip()
    if "saml_name_id_format" in values or values.get("preset"):
        from_metadata.pop("saml_name_id_format", None)
    return providers.provider_create(
        actor=actor,
        kind=ProviderKind.SAML,
        extra={"saml_metadata_refreshed_at": timezone.now(), "saml_metadata_error": ""},
        **{**from_metadata, **values},
    )


def provider_metadata_import(
    *,
    provider: IdentityProvider,
    actor,
    metadata_xml: str = "",
    metadata_url: str = "",
    entity_id: str = "",
) -> IdentityProvider:
    """Replace a SAML provider's IdP settings (entity ID, endpoints, certificates) with
    those of the metadata given; a URL is kept for refreshing."""
    if provider.kind != ProviderKind.SAML:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_INVALID, _("Only SAML providers have metadata."), status=400
        )
    metadata = _metadata_from(
        metadata_xml=metadata_xml, metadata_url=metadata_url, entity_id=entity_id
    )
    values = metadata.provider_values()
    values.pop("saml_name_id_format", None)  # the admin's choice stays
    if metadata_url and not (metadata_xml and metadata_xml.strip()):
        values["saml_metadata_url"] = metadata_url.strip()
    return providers.provider_update(
        provider=provider,
        actor=actor,
        extra={"saml_metadata_refreshed_at": timezone.now(), "saml_metadata_error": ""},
        **values,
    )


def provider_metadata_refresh(*, provider: IdentityProvider, actor) -> IdentityProvider:
    """Fetch `provider`'s metadata URL again and take its endpoints and certificates. On
    failure nothing changes but `saml_metadata_error` (the reason), and the error is raised."""
    if provider.kind != ProviderKind.SAML or not provider.saml_metadata_url:
        raise SsoRefused(
            SsoErrorCode.METADATA_INVALID,
            _("This provider has no metadata URL to refresh from."),
            status=400,
        )
    try:
        document = metadata_fetch(provider.saml_metadata_url)
        metadata = metadata_parse(document, provider.saml_entity_id, field_name="metadata_url")
        values = metadata.provider_values()
        values.pop("saml_name_id_format", None)
        with transaction.atomic():
            refreshed = providers.provider_update(
                provider=provider,
                actor=actor,
                extra={"saml_metadata_refreshed_at": timezone.now(), "saml_metadata_error": ""},
                **values,
            )
            audit_record(
                action=AuditAction.SSO_METADATA_REFRESHED,
                actor=actor,
                target=refreshed,
                after={"metadata_url": refreshed.saml_metadata_url, "ok": True},
            )
            return refreshed
    except ValidationFailed as error:
        reason = "; ".join(detail.message for detail in error.details) or error.message
        _refresh_failed(provider, reason, actor)
        raise


def _refresh_failed(provider: IdentityProvider, reason: str, actor) -> None:
    with transaction.atomic():
        IdentityProvider.objects.filter(pk=provider.pk).update(saml_metadata_error=reason[:500])
        provider.saml_metadata_error = reason[:500]
        audit_record(
            action=AuditAction.SSO_METADATA_REFRESHED,
            actor=actor,
            target=provider,
            after={"metadata_url": provider.saml_metadata_url, "ok": False, "error": reason},
        )


def metadata_refresh_due() -> dict[str, int]:
    """Refresh every SAML provider whose metadata URL was last read over REFRESH_EVERY ago
    (the beat schedule runs this per tenant). One failing provider stops no other."""
    cutoff = timezone.now() - REFRESH_EVERY
    due = (
        IdentityProvider.objects.filter(kind=ProviderKind.SAML)
        .exclude(saml_metadata_url="")
        .filter(
            Q(saml_metadata_refreshed_at__isnull=True) | Q(saml_metadata_refreshed_at__lt=cutoff)
        )
        .order_by("pk")
    )
    counts = {"refreshed": 0, "failed": 0}
    for provider in due:
        try:
            provider_metadata_refresh(provider=provider, actor=None)
        except ValidationFailed as error:
            counts["failed"] += 1
            log.warning("SSO metadata refresh of %s failed: %s", provider.slug, error.details)
        else:
            counts["refreshed"] += 1
    return counts
