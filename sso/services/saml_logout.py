"""SAML single logout, both ways. SP-initiated: a signed LogoutRequest to the IdP's SLO URL
naming the NameID and session index the sign-in kept (the local session ends at once either
way); the IdP's LogoutResponse at the SLS must answer that very request. IdP-initiated: the
IdP's signed LogoutRequest at the SLS ends every session that NameID signed in here, and is
answered with a signed LogoutResponse."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings as django_settings
from django.utils.translation import gettext as _
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request
from onelogin.saml2.logout_response import OneLogin_Saml2_Logout_Response
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import IdentityProvider
from sso.services import saml_state
from sso.services.saml_settings import SamlHttp, saml_settings

SESSION_KEY = "sso_saml"


def saml_logout_start(
    *, provider: IdentityProvider, http: SamlHttp, saml_session: dict, next_url: str
) -> str | None:
    """The URL of a signed LogoutRequest for the SAML session the person signed in with,
    or None when the provider has no SLO URL (then the local sign-out is all there is)."""
    if not provider.saml_slo_url or not saml_session.get("name_id"):
        return None
    auth = OneLogin_Saml2_Auth(http.request_data(), saml_settings(provider, http))
    url = auth.logout(
        return_to=next_url,
        name_id=saml_session.get("name_id"),
        session_index=saml_session.get("session_index"),
        nq=saml_session.get("name_id_nq"),
        name_id_format=saml_session.get("name_id_format"),
        spnq=saml_session.get("name_id_spnq"),
    )
    saml_state.logout_request_remember(auth.get_last_request_id(), provider.pk)
    return url


def saml_session_remember(session, provider: IdentityProvider, saml_session: dict) -> None:
    """Keep the NameID and session index in the Django session (for SP-initiated logout)
    and the session's key under the NameID (for IdP-initiated logout)."""
    session[SESSION_KEY] = saml_session
    if session.session_key is None:
        session.save()
    saml_state.session_of_name_id_add(provider.pk, saml_session["name_id"], session.session_key)


@dataclass(frozen=True)
class SlsOutcome:
    """`redirect_to`: the IdP's SLO URL with our LogoutResponse (IdP-initiated), or None
    (our own logout came back: go to `next_url`)."""

    redirect_to: str | None = None
    next_url: str = ""
    sessions_ended: int = 0


def _refusal(message: str) -> SsoRefused:
    return SsoRefused(SsoErrorCode.RESPONSE_INVALID, message)


def _logout_response(provider: IdentityProvider, http: SamlHttp) -> SlsOutcome:
    settings = saml_settings(provider, http)
    try:
        response = OneLogin_Saml2_Logout_Response(settings, http.get["SAMLResponse"])
        in_response_to = response.get_in_response_to()
    except Exception as exc:
        raise _refusal(
            _("The logout response could not be read: %(error)s") % {"error": exc}
        ) from exc
    if not in_response_to or not saml_state.logout_request_consume(in_response_to, provider.pk):
        raise SsoRefused(
            SsoErrorCode.REQUEST_UNKNOWN,
            _("The logout response answers no logout request we sent to this provider."),
        )
    auth = OneLogin_Saml2_Auth(http.request_data(), settings)
    try:
        auth.process_slo(keep_local_session=True, request_id=in_response_to)
    except Exception as exc:
        raise _refusal(
            _("The logout response could not be checked: %(error)s") % {"error": exc}
        ) from exc
    if auth.get_errors():
        raise _refusal(
            _("The logout response was refused: %(reason)s") % {"reason": _slo_errors(auth)}
        )
    return SlsOutcome(next_url=http.get.get("RelayState", ""))


def _sessions_end(session_keys: list[str]) -> int:
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store(session_key=key).delete()
    return len(session_keys)


def _logout_request(provider: IdentityProvider, http: SamlHttp) -> SlsOutcome:
    # An unsigned LogoutRequest could sign anyone out: signatures are required here.
    settings = saml_settings(provider, http, want_messages_signed=True)
    auth = OneLogin_Saml2_Auth(http.request_data(), settings)
    try:
        redirect_to = auth.process_slo(keep_local_session=True)
    except Exception as exc:
        raise _refusal(
            _("The logout request could not be checked: %(error)s") % {"error": exc}
        ) from exc
    if auth.get_errors():
        raise _refusal(
            _("The logout request was refused: %(reason)s") % {"reason": _slo_errors(auth)}
        )
    xml = OneLogin_Saml2_Utils.decode_base64_and_inflate(http.get["SAMLRequest"])
    name_id = OneLogin_Saml2_Logout_Request.get_nameid(xml)
    ended = _sessions_end(saml_state.sessions_of_name_id_take(provider.pk, name_id))
    return SlsOutcome(redirect_to=redirect_to, sessions_ended=ended)


def saml_sls_process(*, provider: IdentityProvider, http: SamlHttp) -> SlsOutcome:
    """Handle what the IdP sent to the SLS (HTTP-Redirect binding)."""
    if "SAMLResponse" in http.get:
        return _logout_response(provider, http)
    if "SAMLRequest" in http.get:
        return _logout_request(provider, http)
    raise _refusal(_("Nothing was sent to the single logout service."))


def _slo_errors(auth: OneLogin_Saml2_Auth) -> str:
    """What python3-saml found wrong with a logout message (its own words)."""
    return auth.get_last_error_reason() or ", ".join(auth.get_errors())
