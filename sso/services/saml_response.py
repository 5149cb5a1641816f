"""Reading and checking an IdP's SAML Response with python3-saml, per provider: its clock
skew, the SP keys that may decrypt, and what each refusal means in plain words.

Clock skew: python3-saml allows a module-wide `ALLOWED_CLOCK_DRIFT` (300 s) when it checks
an assertion's Conditions. Changing that constant per request would race between threads
serving different providers, so `ProviderResponse` overrides the one method that reads it
(`validate_timestamps`) and applies the provider's own `saml_clock_skew_seconds`; no global
state is touched. (The SubjectConfirmationData times python3-saml checks without any skew,
as before.)"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.utils import OneLogin_Saml2_Utils, return_false_on_exception
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import IdentityProvider

_E = OneLogin_Saml2_ValidationError
SHA1_ALGORITHMS = set(OneLogin_Saml2_Constants.DEPRECATED_ALGORITHMS)


def _when(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC).strftime(
        "%Y-%m-%d %H:%M:%S UTC"
    )


class ProviderResponse(OneLogin_Saml2_Response):
    """A SAML Response checked with its provider's clock skew, decrypted with whichever of
    the tenant's published SP keys it was encrypted to (active first, then next and retired:
    an IdP may still use the old key during a rollover)."""

    def __init__(
        self,
        settings,
        response: str,
        *,
        clock_skew: int,
        decryption_keys: Callable[[], list[str]],
    ):
        self.clock_skew = clock_skew
        self._decryption_keys = decryption_keys
        super().__init__(settings, response)

    def _decrypt_assertion(self, xml):
        failure: Exception | None = None
        for private_key in self._decryption_keys() or [None]:
            if private_key is not None:
                self._settings._sp["privateKey"] = private_key  # this request's own settings
            try:
                return self._decrypt_keeping_prefixes(deepcopy(xml))
            except Exception as exc:
                failure = exc
        raise OneLogin_Saml2_Error(
            _("The encrypted assertion could not be decrypted with any of our keys (%(error)s)")
            % {"error": failure},
            OneLogin_Saml2_Error.PRIVATE_KEY_NOT_FOUND,
        )

    def _decrypt_keeping_prefixes(self, xml):
        """python3-saml moves the decrypted assertion into the response tree, where lxml
        may rewrite its namespace prefixes; the assertion's signature (exclusive c14n keeps
        prefixes) then no longer verifies (pysaml2 declares its own, `encas*`). Put it back
        as text instead, so it is exactly what the IdP signed."""
        containers = OneLogin_Saml2_XML.query(xml, "/samlp:Response/saml:EncryptedAssertion")
        if not containers:
            return xml
        container = containers[0]
        encrypted = OneLogin_Saml2_XML.query(container, "./xenc:EncryptedData")
        if not encrypted:
            raise OneLogin_Saml2_ValidationError(
                _("The EncryptedAssertion holds no EncryptedData."),
                _E.KEYINFO_NOT_FOUND_IN_ENCRYPTED_DATA,
            )
        key_info = OneLogin_Saml2_XML.query(encrypted[0], "./ds:KeyInfo")
        for method in key_info[0].getchildren() if key_info else []:
            if "RetrievalMethod" in method.tag and method.get("URI", "").startswith("#"):
                referenced = OneLogin_Saml2_XML.query(
                    container, "./xenc:EncryptedKey[@Id=$tagid]", None, method.get("URI")[1:]
                )
                if referenced:
                    key_info[0].append(referenced[0])
        assertion = OneLogin_Saml2_Utils.decrypt_element(
            encrypted[0], self._settings.get_sp_key(), inplace=False
        )
        marker = "lectern-decrypted-assertion"
        container.getparent().replace(container, etree.Element(marker))
        text = etree.tostring(xml).decode()
        text = text.replace(f"<{marker}/>", etree.tostring(assertion).decode(), 1)
        return OneLogin_Saml2_XML.to_etree(text)

    @return_false_on_exception
    def validate_timestamps(self):
        now = OneLogin_Saml2_Utils.now()
        for conditions in self._query_assertion("/saml:Conditions"):
            not_before = conditions.get("NotBefore")
            not_on_or_after = conditions.get("NotOnOrAfter")
            if not_before:
                starts = OneLogin_Saml2_Utils.parse_SAML_to_time(not_before)
                if starts > now + self.clock_skew:
                    ahead = starts - now
                    raise OneLogin_Saml2_ValidationError(
                        ngettext(
                            "The assertion is not valid before %(when)s, %(count)s second from "
                            "now: a clock skew of %(count)s second, more than the %(skew)s "
                            "allowed.",
                            "The assertion is not valid before %(when)s, %(count)s seconds from "
                            "now: a clock skew of %(count)s seconds, more than the %(skew)s "
                            "allowed.",
                            ahead,
                        )
                        % {"when": _when(starts), "count": ahead, "skew": self.clock_skew},
                        _E.ASSERTION_TOO_EARLY,
                    )
            if not_on_or_after:
                ends = OneLogin_Saml2_Utils.parse_SAML_to_time(not_on_or_after)
                if ends + self.clock_skew <= now:
                    ago = now - ends
                    raise OneLogin_Saml2_ValidationError(
                        ngettext(
                            "The assertion expired at %(when)s, %(count)s second ago (more "
                            "than the %(skew)s seconds of clock skew allowed).",
                            "The assertion expired at %(when)s, %(count)s seconds ago (more "
                            "than the %(skew)s seconds of clock skew allowed).",
                            ago,
                        )
                        % {"when": _when(ends), "count": ago, "skew": self.clock_skew},
                        _E.ASSERTION_EXPIRED,
                    )
        return True

    def not_on_or_after(self) -> datetime.datetime | None:
        """The latest moment the assertion could still be accepted (replay cache lifetime)."""
        moments = []
        if self.valid_scd_not_on_or_after:
            moments.append(self.valid_scd_not_on_or_after)
        for conditions in self._query_assertion("/saml:Conditions"):
            if conditions.get("NotOnOrAfter"):
                moments.append(
                    OneLogin_Saml2_Utils.parse_SAML_to_time(conditions.get("NotOnOrAfter"))
                )
        if not moments:
            return None
        return datetime.datetime.fromtimestamp(max(moments), tz=datetime.UTC)

    def xml_text(self) -> str:
        document = self.decrypted_document if self.encrypted else self.document
        return OneLogin_Saml2_XML.to_string(document).decode(errors="replace")


# python3-saml's error code -> (our code, plain words). `%(reason)s` is python3-saml's own
# sentence (or ours, for the times), kept where it already names the values involved.
_TRANSLATIONS: dict[int, tuple[SsoErrorCode, str | Promise]] = {
    _E.WRONG_AUDIENCE: (
        SsoErrorCode.AUDIENCE_WRONG,
        gettext_lazy(
            "The assertion is meant for another service provider (wrong audience): it does not "
            "name our entity ID %(entity_id)s. Check the SP entity ID configured at the identity "
            "provider."
        ),
    ),
    _E.WRONG_DESTINATION: (
        SsoErrorCode.DESTINATION_WRONG,
        gettext_lazy(
            "The response was sent to another address than ours (wrong destination): %(reason)s"
        ),
    ),
    _E.EMPTY_DESTINATION: (
        SsoErrorCode.DESTINATION_WRONG,
        gettext_lazy("The response has an empty Destination."),
    ),
    _E.WRONG_SUBJECTCONFIRMATION: (
        SsoErrorCode.DESTINATION_WRONG,
        gettext_lazy(
            "The assertion's subject confirmation does not fit this sign-in: its Recipient is not "
            "our address %(acs_url)s, it answers another request, or its time is over."
        ),
    ),
    _E.WRONG_ISSUER: (
        SsoErrorCode.ISSUER_UNKNOWN,
        gettext_lazy(
            "The response comes from another identity provider than %(provider)s "
            "(expected issuer %(issuer)s): %(reason)s"
        ),
    ),
    _E.ISSUER_MULTIPLE_IN_RESPONSE: (
        SsoErrorCode.ISSUER_UNKNOWN,
        gettext_lazy("The response names several issuers."),
    ),
    _E.ISSUER_NOT_FOUND_IN_ASSERTION: (
        SsoErrorCode.ISSUER_UNKNOWN,
        gettext_lazy("The assertion names no issuer."),
    ),
    _E.ASSERTION_TOO_EARLY: (SsoErrorCode.CLOCK, "%(reason)s"),
    _E.ASSERTION_EXPIRED: (SsoErrorCode.CLOCK, "%(reason)s"),
    _E.SESSION_EXPIRED: (
        SsoErrorCode.CLOCK,
        gettext_lazy("The session the assertion grants has already ended."),
    ),
    _E.RESPONSE_EXPIRED: (
        SsoErrorCode.CLOCK,
        gettext_lazy("The response has expired."),
    ),
    _E.INVALID_SIGNATURE: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy(
            "The signature does not match any of the certificates configured for %(provider)s "
            "(certificate not matching, or the message was altered)."
        ),
    ),
    _E.WRONG_NUMBER_OF_SIGNATURES: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("The response carries an unexpected number of signatures."),
    ),
    _E.NO_SIGNATURE_FOUND: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("The response is not signed at all."),
    ),
    _E.NO_SIGNED_ASSERTION: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy(
            "The assertion is not signed, and %(provider)s is set to require signed assertions."
        ),
    ),
    _E.NO_SIGNED_MESSAGE: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("The message is not signed."),
    ),
    _E.DEPRECATED_SIGNATURE_METHOD: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy(
            "The response is signed with SHA-1, which this organisation does not accept. "
            "Switch the identity provider to SHA-256 (or allow SHA-1 for it)."
        ),
    ),
    _E.DEPRECATED_DIGEST_METHOD: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy(
            "The response's digest uses SHA-1, which this organisation does not accept. "
            "Switch the identity provider to SHA-256 (or allow SHA-1 for it)."
        ),
    ),
    _E.WRONG_SIGNED_ELEMENT: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("A signature covers something else than the response or assertion."),
    ),
    _E.ID_NOT_FOUND_IN_SIGNED_ELEMENT: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("A signed element has no ID."),
    ),
    _E.DUPLICATED_ID_IN_SIGNED_ELEMENTS: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("Two signed elements share an ID."),
    ),
    _E.INVALID_SIGNED_ELEMENT: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("A signature references another element than the one it is in."),
    ),
    _E.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("Two signatures reference the same element."),
    ),
    _E.UNEXPECTED_SIGNED_ELEMENTS: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("The response has unexpected signed elements."),
    ),
    _E.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("The response carries more than one signature of its own."),
    ),
    _E.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION: (
        SsoErrorCode.SIGNATURE_INVALID,
        gettext_lazy("The assertion carries more than one signature."),
    ),
    _E.WRONG_INRESPONSETO: (
        SsoErrorCode.REQUEST_UNKNOWN,
        gettext_lazy("The response answers another request than ours."),
    ),
    _E.NO_ENCRYPTED_ASSERTION: (
        SsoErrorCode.RESPONSE_INVALID,
        gettext_lazy(
            "The assertion is not encrypted, and %(provider)s is set to require encrypted "
            "assertions."
        ),
    ),
    _E.STATUS_CODE_IS_NOT_SUCCESS: (
        SsoErrorCode.RESPONSE_INVALID,
        gettext_lazy("The identity provider did not sign you in: %(reason)s"),
    ),
    _E.WRONG_NUMBER_OF_ASSERTIONS: (
        SsoErrorCode.RESPONSE_INVALID,
        gettext_lazy("The response must contain exactly one assertion."),
    ),
    _E.MISSING_CONDITIONS: (
        SsoErrorCode.RESPONSE_INVALID,
        gettext_lazy("The assertion has no Conditions."),
    ),
    _E.WRONG_NUMBER_OF_AUTHSTATEMENTS: (
        SsoErrorCode.RESPONSE_INVALID,
        gettext_lazy("The assertion must have exactly one AuthnStatement."),
    ),
    _E.INVALID_XML_FORMAT: (
        SsoErrorCode.RESPONSE_INVALID,
        gettext_lazy("The response is not valid SAML 2.0 XML."),
    ),
    _E.NO_NAMEID: (
        SsoErrorCode.ATTRIBUTE_MISSING,
        gettext_lazy("The assertion has no NameID: it does not say who signed in."),
    ),
    _E.EMPTY_NAMEID: (
        SsoErrorCode.ATTRIBUTE_MISSING,
        gettext_lazy("The assertion's NameID is empty: it does not say who signed in."),
    ),
    _E.ENCRYPTED_ATTRIBUTES: (
        SsoErrorCode.RESPONSE_INVALID,
        gettext_lazy(
            "Encrypted attributes are not supported; encrypt the whole assertion instead."
        ),
    ),
}


@dataclass(frozen=True)
class ErrorContext:
    provider: IdentityProvider
    entity_id: str
    acs_url: str


def refusal_from_saml_error(exc: Exception, context: ErrorContext) -> SsoRefused:
    """`exc` (raised while reading or checking a response) as an SsoRefused in plain words."""
    reason = str(exc)
    code = getattr(exc, "code", None)
    if isinstance(exc, OneLogin_Saml2_ValidationError) and code in _TRANSLATIONS:
        error_code, template = _TRANSLATIONS[code]
        return SsoRefused(
            error_code,
            str(template)
            % {
                "reason": reason,
                "provider": context.provider.name,
                "issuer": context.provider.saml_entity_id,
                "entity_id": context.entity_id,
                "acs_url": context.acs_url,
            },
        )
    name = exc.__class__.__name__
    if name in {"DTDForbidden", "EntitiesForbidden", "NotSupportedError"}:
        return SsoRefused(
            SsoErrorCode.RESPONSE_INVALID,
            _(
                "The response contains a document type declaration or entities, which are "
                "never accepted (they can read files or exhaust the server)."
            ),
        )
    if name == "XMLSyntaxError" or "Start tag expected" in reason:
        return SsoRefused(SsoErrorCode.RESPONSE_INVALID, _("The response is not well-formed XML."))
    if isinstance(exc, OneLogin_Saml2_Error) and code == OneLogin_Saml2_Error.PRIVATE_KEY_NOT_FOUND:
        return SsoRefused(SsoErrorCode.RESPONSE_INVALID, reason)
    return SsoRefused(
        SsoErrorCode.RESPONSE_INVALID,
        _("The response could not be read: %(reason)s") % {"reason": reason},
    )
