"""SAML sign-in: the AuthnRequest this tenant's SP sends (its ID remembered server-side),
and the IdP's Response at the ACS, checked in strict mode and then some (InResponseTo of a
request of this very provider, consumed once; the assertion ID never accepted twice;
IdP-initiated only where allowed; no comment inside the NameID), ending in the person it
names, or in a refusal in plain words.

A sign-in started from a test connection records each check into the trace instead, and
signs nobody in."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import ConnectionTest, IdentityProvider, ProviderKind, SamlBinding
from sso.services import saml_state
from sso.services.keys import sp_keys_published, sp_private_key
from sso.services.provisioning import (
    AssertedIdentity,
    attributes_plain,
    identity_map,
    person_from_identity,
)
from sso.services.saml_checks import assertion_checks_trace, refuse_comments_in_identity
from sso.services.saml_response import ErrorContext, ProviderResponse, refusal_from_saml_error
from sso.services.saml_settings import (
    DIGEST_ALGORITHM,
    SIGNATURE_ALGORITHM,
    SamlHttp,
    saml_settings,
    sp_endpoints,
)
from sso.services.trace import test_run_open, trace_finish, trace_step
from tenant_apps.people.models import User


def saml_provider_find(slug: str) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(slug__iexact=slug, kind=ProviderKind.SAML).first()


def saml_provider_check(provider: IdentityProvider | None, slug: str) -> IdentityProvider:
    """`provider` (this tenant's SAML provider `slug`) when it exists and is enabled."""
    if provider is None:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_NOT_FOUND,
            _("There is no SAML identity provider %(slug)s in this organisation.")
            % {"slug": repr(slug)},
            status=404,
        )
    if not provider.enabled:
        raise SsoRefused(
            SsoErrorCode.PROVIDER_DISABLED,
            _("%(provider)s is switched off.") % {"provider": provider.name},
            status=404,
        )
    return provider


def saml_provider_get(slug: str) -> IdentityProvider:
    """This tenant's SAML provider `slug`, enabled; refuses otherwise."""
    return saml_provider_check(saml_provider_find(slug), slug)


@dataclass(frozen=True)
class LoginStart:
    """Where the browser goes next: a redirect (`url`) or, for the HTTP-POST binding, a form
    posted to `url` with `fields`."""

    url: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def is_post(self) -> bool:
        return bool(self.fields)


def saml_login_start(
    *,
    provider: IdentityProvider,
    http: SamlHttp,
    next_url: str,
    trace: ConnectionTest | None = None,
) -> LoginStart:
    """An AuthnRequest to `provider`, its ID remembered (with `next_url` and the test run)
    for the ACS to match. Signed when the provider wants signed requests."""
    settings = saml_settings(provider, http)
    if provider.saml_sso_binding == SamlBinding.POST:
        authn = OneLogin_Saml2_Authn_Request(settings)
        request_id, xml = authn.get_id(), authn.get_xml()
        if provider.saml_sign_requests:
            xml = OneLogin_Saml2_Utils.add_sign(
                xml,
                settings.get_sp_key(),
                settings.get_sp_cert(),
                sign_algorithm=SIGNATURE_ALGORITHM,
                digest_algorithm=DIGEST_ALGORITHM,
            )
        xml_text = xml.decode() if isinstance(xml, bytes) else xml
        start = LoginStart(
            url=provider.saml_sso_url,
            fields={
                "SAMLRequest": base64.b64encode(xml_text.encode()).decode(),
                "RelayState": next_url,
            },
        )
    else:
        auth = OneLogin_Saml2_Auth(http.request_data(), settings)
        url = auth.login(return_to=next_url)
        request_id, xml_text = auth.get_last_request_id(), auth.get_last_request_xml()
        start = LoginStart(url=url)
    saml_state.authn_request_remember(
        request_id,
        saml_state.SentRequest(
            provider_id=provider.pk, next_url=next_url, test_id=str(trace.pk) if trace else ""
        ),
    )
    sent = (
        _("Request %(id)s to %(url)s (%(binding)s binding, signed).")
        if provider.saml_sign_requests
        else _("Request %(id)s to %(url)s (%(binding)s binding, not signed).")
    )
    trace_step(
        trace,
        _("AuthnRequest sent"),
        ok=None,
        detail=sent
        % {
            "id": request_id,
            "url": provider.saml_sso_url,
            "binding": "HTTP-POST" if start.is_post else "HTTP-Redirect",
        },
        data=xml_text if isinstance(xml_text, str) else xml_text.decode(),
    )
    return start


@dataclass
class AcsOutcome:
    """What the ACS decided: the person to sign in (and the SAML session to remember for
    logout), or the refusal; a test run's id when this was one."""

    provider: IdentityProvider
    next_url: str = "/"
    user: User | None = None
    error: SsoRefused | None = None
    test_id: str = ""
    saml_session: dict = field(default_factory=dict)


def _decryption_keys() -> list[str]:
    return [sp_private_key(key) for key in sp_keys_published()]


def _identity(response: ProviderResponse) -> AssertedIdentity:
    name_id = (response.get_nameid() or "").strip()
    if not name_id:
        raise SsoRefused(SsoErrorCode.ATTRIBUTE_MISSING, _("The assertion has no NameID."))
    return AssertedIdentity(
        subject=name_id[:512], attributes=attributes_plain(response.get_attributes())
    )


def _sent_request(
    provider: IdentityProvider, response: ProviderResponse, trace_holder: list
) -> saml_state.SentRequest | None:
    """The stored AuthnRequest this response answers (consumed), or None for an
    IdP-initiated response where the provider allows those."""
    in_response_to = response.get_in_response_to()
    if not in_response_to:
        if not provider.saml_allow_idp_initiated:
            raise SsoRefused(
                SsoErrorCode.IDP_INITIATED_OFF,
                _(
                    "The response answers no request of ours (IdP-initiated sign-in), and "
                    "%(provider)s is not set to accept those."
                )
                % {"provider": provider.name},
            )
        return None
    sent = saml_state.authn_request_consume(in_response_to)
    if sent is not None and sent.test_id:
        trace_holder.append(test_run_open(sent.test_id, provider))
    if sent is None or sent.provider_id != provider.pk:
        minutes = saml_state.REQUEST_TTL_SECONDS // 60
        raise SsoRefused(
            SsoErrorCode.REQUEST_UNKNOWN,
            ngettext(
                "The response answers request %(id)s, which we did not send to %(provider)s, "
                "or which was already answered or has expired (after %(count)s minute).",
                "The response answers request %(id)s, which we did not send to %(provider)s, "
                "or which was already answered or has expired (after %(count)s minutes).",
                minutes,
            )
            % {"id": in_response_to, "provider": provider.name, "count": minutes},
        )
    return sent


def saml_acs_process(
    *, provider: IdentityProvider, http: SamlHttp, relay_state: str, safe_next
) -> AcsOutcome:
    """Check the Response posted to the ACS and sign-in the person it names (or, for a
    test run, record every check and the mapping without signing anyone in). Never raises
    for anything the IdP or browser sent: the refusal is in the outcome."""
    outcome = AcsOutcome(provider=provider)
    trace_holder: list[ConnectionTest | None] = []

    def trace() -> ConnectionTest | None:
        return trace_holder[0] if trace_holder else None

    endpoints = sp_endpoints(provider, http)
    context = ErrorContext(
        provider=provider, entity_id=endpoints.entity_id, acs_url=endpoints.acs_url
    )
    raw = http.post.get("SAMLResponse", "")
    try:
        if not raw:
            raise SsoRefused(
                SsoErrorCode.RESPONSE_INVALID, _("No SAML response was posted to the ACS.")
            )
        settings = saml_settings(provider, http)
        try:
            response = ProviderResponse(
                settings,
                raw,
                clock_skew=provider.saml_clock_skew_seconds,
                decryption_keys=_decryption_keys,
            )
        except Exception as exc:
            raise refusal_from_saml_error(exc, context) from exc
        sent = _sent_request(provider, response, trace_holder)
        if trace() is not None:
            trace_step(trace(), _("Response received"), ok=None, data=response.xml_text())
        if sent is not None:
            outcome.next_url = safe_next(sent.next_url)
            outcome.test_id = sent.test_id if trace() is not None else ""
        else:
            outcome.next_url = safe_next(relay_state)
            if relay_state and outcome.next_url != relay_state:
                # An unsolicited response asking to land somewhere off this host is a
                # phishing relay: refused, not quietly redirected home.
                raise SsoRefused(
                    SsoErrorCode.RELAY_STATE_OFF_HOST,
                    _(
                        "The RelayState %(relay_state)s is not a page of this portal; only a "
                        "path on this host is followed after sign-in."
                    )
                    % {"relay_state": repr(relay_state[:200])},
                )
        assertion_checks_trace(trace(), response, provider, endpoints, http)
        try:
            response.is_valid(
                http.request_data(),
                request_id=response.get_in_response_to() if sent else None,
                raise_exceptions=True,
            )
        except Exception as exc:
            raise refusal_from_saml_error(exc, context) from exc
        refuse_comments_in_identity(response, response.response)
        trace_step(trace(), _("python3-saml strict validation"), ok=True, detail=_("Passed."))
        identity = _identity(response)
        if trace() is not None:
            _test_run_finish(trace(), provider, identity)
            return outcome
        assertion_id = response.get_assertion_id()
        if not saml_state.assertion_first_use(
            provider.pk, assertion_id, response.not_on_or_after(), provider.saml_clock_skew_seconds
        ):
            raise SsoRefused(
                SsoErrorCode.REPLAYED,
                _(
                    "Assertion %(id)s was already used to sign in; a captured response cannot "
                    "be replayed."
                )
                % {"id": assertion_id},
            )
        outcome.user = person_from_identity(provider, identity)
        outcome.saml_session = {
            "provider_id": provider.pk,
            "name_id": response.get_nameid(),
            "name_id_format": response.get_nameid_format(),
            "name_id_nq": response.get_nameid_nq(),
            "name_id_spnq": response.get_nameid_spnq(),
            "session_index": response.get_session_index(),
        }
    except SsoRefused as refusal:
        outcome.error = refusal
        if trace() is not None:
            outcome.test_id = str(trace().pk)
            trace_step(trace(), _("Result"), ok=False, detail=refusal.message)
            trace_finish(trace(), failure=refusal.message, failure_code=str(refusal.code))
    return outcome


def _test_run_finish(
    trace: ConnectionTest, provider: IdentityProvider, identity: AssertedIdentity
) -> None:
    attributes = {key: list(values) for key, values in identity.attributes.items()}
    trace_step(
        trace,
        _("Attributes"),
        ok=None,
        detail=_("NameID %(name_id)s") % {"name_id": identity.subject},
        data=attributes,
    )
    person = identity_map(provider, identity)  # SsoRefused when the e-mail is missing
    trace_step(trace, _("Mapping onto a person"), ok=True, data=person.as_dict())

    trace_finish(
        trace, attributes={"name_id": identity.subject, **attributes}, mapped=person.as_dict()
    )
