"""Checks of a SAML Response beside python3-saml's own: the test-connection trace's one-by-
one account of each signature and condition (python3-saml stops at the first failure and
says little), and the refusal of comments inside the NameID or attribute values."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import ConnectionTest, IdentityProvider
from sso.services.keys import pem_body
from sso.services.saml_response import SHA1_ALGORITHMS, ProviderResponse
from sso.services.saml_settings import SamlHttp, SpEndpoints
from sso.services.trace import trace_step

_NS = OneLogin_Saml2_Constants.NSMAP


def _document(response: ProviderResponse):
    return response.decrypted_document if response.encrypted else response.document


_COMMENTS_KEPT = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False
)


def refuse_comments_in_identity(response: ProviderResponse, raw_xml: bytes) -> None:
    """A comment inside a NameID or attribute value is how an attacker changes a signed
    value (exclusive canonicalisation ignores comments, so the signature still holds:
    `admin@example.com<!---->.evil.test`). python3-saml's parser drops comments and reads
    the whole text, so the shortened value never counts; but no identity provider writes
    one, so the response is refused outright. `raw_xml` was already parsed by python3-saml
    (which refuses DTDs and entities)."""
    documents = [etree.fromstring(raw_xml, parser=_COMMENTS_KEPT)]
    if response.encrypted:
        documents.append(response.decrypted_document)
    for document in documents:
        for node in document.xpath(
            "//saml:Assertion/saml:Subject/saml:NameID | //saml:Assertion//saml:AttributeValue",
            namespaces=_NS,
        ):
            for child in node.iter():
                if isinstance(child, etree._Comment | etree._ProcessingInstruction):
                    raise SsoRefused(
                        SsoErrorCode.RESPONSE_INVALID,
                        _(
                            "The assertion has a comment inside its NameID or an attribute "
                            "value: someone altered a signed value. Refused."
                        ),
                    )


def _signature_steps(
    trace: ConnectionTest, response: ProviderResponse, provider: IdentityProvider
) -> None:
    certificates = [
        OneLogin_Saml2_Utils.format_cert(pem_body(cert))
        for cert in provider.saml_certificates or []
    ]
    document = _document(response)
    signatures = document.xpath("//ds:Signature", namespaces=_NS)
    if not signatures:
        trace_step(trace, _("Signatures"), ok=False, detail=_("The response carries no signature."))
    for signature in signatures:
        parent = etree.QName(signature.getparent()).localname
        method = signature.xpath(".//ds:SignatureMethod/@Algorithm", namespaces=_NS)
        digest = signature.xpath(".//ds:DigestMethod/@Algorithm", namespaces=_NS)
        algorithms = [*method, *digest]
        sha1 = any(algorithm in SHA1_ALGORITHMS for algorithm in algorithms)
        xpath = (
            OneLogin_Saml2_Utils.RESPONSE_SIGNATURE_XPATH
            if parent == "Response"
            else OneLogin_Saml2_Utils.ASSERTION_SIGNATURE_XPATH
        )
        matched = None
        for index, certificate in enumerate(certificates, start=1):
            try:
                if OneLogin_Saml2_Utils.validate_sign(
                    document, certificate, xpath=xpath, raise_exceptions=False
                ):
                    matched = index
                    break
            except Exception:  # noqa: S112 - a failed check is the finding
                continue
        detail = (
            _("Valid, made with configured certificate #%(number)s.") % {"number": matched}
            if matched
            else _(
                "Does not verify with any configured certificate (certificate not matching, "
                "or the content was altered)."
            )
        )
        if sha1:
            detail = f"{detail} {_('Uses SHA-1.')}"
        trace_step(
            trace,
            # Translators: the signed XML element's name, Response or Assertion.
            _("Signature on the %(element)s") % {"element": parent},
            ok=matched is not None and (not sha1 or provider.saml_allow_sha1),
            detail=detail,
            data="\n".join(algorithms),
        )
    if provider.saml_want_assertions_signed:
        signed = any(etree.QName(s.getparent()).localname == "Assertion" for s in signatures)
        trace_step(
            trace,
            _("Assertion signed (required)"),
            ok=signed,
            detail="" if signed else _("The assertion itself carries no signature."),
        )


def _texts(document, xpath: str) -> list[str]:
    return [
        OneLogin_Saml2_XML.element_text(node) or ""
        for node in document.xpath(xpath, namespaces=_NS)
    ]


def _condition_steps(
    trace: ConnectionTest,
    response: ProviderResponse,
    provider: IdentityProvider,
    endpoints: SpEndpoints,
    http: SamlHttp,
) -> None:
    document = _document(response)
    issuers = _texts(document, "/samlp:Response/saml:Issuer | //saml:Assertion/saml:Issuer")
    trace_step(
        trace,
        _("Issuer"),
        ok=bool(issuers) and all(issuer == provider.saml_entity_id for issuer in issuers),
        detail=_expected(provider.saml_entity_id),
        data="\n".join(issuers),
    )
    destination = response.document.get("Destination")
    trace_step(
        trace,
        _("Destination"),
        ok=destination is None or destination.startswith(http.base_url + http.path),
        detail=_expected(endpoints.acs_url),
        data=destination or "(none)",
    )
    audiences = _texts(document, "//saml:Conditions/saml:AudienceRestriction/saml:Audience")
    trace_step(
        trace,
        _("Audience"),
        ok=not audiences or endpoints.entity_id in audiences,
        detail=_expected(endpoints.entity_id),
        data="\n".join(audiences),
    )
    now = OneLogin_Saml2_Utils.now()
    skew = provider.saml_clock_skew_seconds
    for conditions in document.xpath("//saml:Assertion/saml:Conditions", namespaces=_NS):
        before, after = conditions.get("NotBefore"), conditions.get("NotOnOrAfter")
        ok = True
        notes = []
        if before:
            starts = OneLogin_Saml2_Utils.parse_SAML_to_time(before)
            ok &= starts <= now + skew
            notes.append(
                _("NotBefore %(time)s (%(offset)+d s from our clock)")
                % {"time": before, "offset": starts - now}
            )
        if after:
            ends = OneLogin_Saml2_Utils.parse_SAML_to_time(after)
            ok &= ends + skew > now
            notes.append(
                _("NotOnOrAfter %(time)s (%(offset)+d s from our clock)")
                % {"time": after, "offset": ends - now}
            )
        trace_step(
            trace,
            _("Validity period"),
            ok=ok,
            detail=ngettext(
                "Clock skew allowed: %(count)s second. %(notes)s",
                "Clock skew allowed: %(count)s seconds. %(notes)s",
                skew,
            )
            % {"count": skew, "notes": "; ".join(notes)},
        )
    recipients = [
        node.get("Recipient") or ""
        for node in document.xpath("//saml:SubjectConfirmationData", namespaces=_NS)
    ]
    trace_step(
        trace,
        _("Subject confirmation recipient"),
        ok=any(endpoints.acs_url in recipient for recipient in recipients),
        detail=_expected(endpoints.acs_url),
        data="\n".join(recipients),
    )
    trace_step(
        trace,
        _("Assertion encrypted (required)")
        if provider.saml_want_assertions_encrypted
        else _("Assertion encrypted"),
        ok=bool(response.encrypted) or not provider.saml_want_assertions_encrypted,
        detail=_("Encrypted to our key.") if response.encrypted else _("Not encrypted."),
    )


def _expected(value: str) -> str:
    return _("Expected %(value)s.") % {"value": value}


def assertion_checks_trace(
    trace: ConnectionTest | None,
    response: ProviderResponse,
    provider: IdentityProvider,
    endpoints: SpEndpoints,
    http: SamlHttp,
) -> None:
    """Record each signature and condition check of `response` in the test run (nothing
    outside a test run: python3-saml's strict validation decides either way)."""
    if trace is None:
        return
    in_response_to = response.get_in_response_to()
    trace_step(
        trace,
        "InResponseTo",  # the SAML attribute's name
        ok=True,
        detail=_("Answers our request %(id)s.") % {"id": in_response_to}
        if in_response_to
        else _("Unsolicited."),
    )

    _signature_steps(trace, response, provider)
    _condition_steps(trace, response, provider, endpoints, http)
