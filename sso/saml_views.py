"""The SAML service provider's pages on the tenant host: login (sends the AuthnRequest), ACS
(receives the Response), SLS (single logout both ways), logout (SP-initiated) and the SP
metadata. The tenant is the host's; the provider is the URL's slug within that tenant."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sso.errors import SsoErrorCode, SsoRefused
from sso.models import IdentityProvider
from sso.services.failures import login_failure_record
from sso.services.saml_login import (
    saml_acs_process,
    saml_login_start,
    saml_provider_check,
    saml_provider_find,
    saml_provider_get,
)
from sso.services.saml_logout import (
    SESSION_KEY,
    saml_logout_start,
    saml_session_remember,
    saml_sls_process,
)
from sso.services.saml_settings import SamlHttp, sp_metadata_xml
from sso.services.trace import test_run_open
from sso.views import safe_next
from tenant_apps.people.permissions import Capability, user_can

logger = logging.getLogger(__name__)


def _http(request: HttpRequest) -> SamlHttp:
    return SamlHttp(
        https=request.is_secure(),
        host=request.get_host(),
        path=request.path,
        get=request.GET.dict(),
        post=request.POST.dict(),
        query_string=request.META.get("QUERY_STRING", ""),
    )


def _refused(
    request: HttpRequest, provider: IdentityProvider | None, error: SsoRefused
) -> HttpResponse:
    """Every refused sign-in: audit event + support reference, the login page says why."""
    _reference, message = login_failure_record(provider=provider, error=error, detail=error.message)
    messages.error(request, message)
    return redirect(reverse("login"))


def _unexpected(exc: Exception) -> SsoRefused:
    logger.exception("SAML: unexpected error")
    return SsoRefused(
        SsoErrorCode.RESPONSE_INVALID,
        _("Unexpected error: %(error)s") % {"error": exc.__class__.__name__},
    )


def _test_page(test_id: str) -> HttpResponse:
    try:
        return redirect(reverse("manage-sso-test", kwargs={"test_id": test_id}))
    except NoReverseMatch:  # the admin pages are not installed
        return redirect("/")


@require_GET
def saml_login(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a sign-in at the provider (`?next=` a path here; `?test=` an admin's test run)."""
    provider = saml_provider_find(slug)
    try:
        saml_provider_check(provider, slug)
        trace = None
        test_id = request.GET.get("test")
        if test_id and user_can(request.user, Capability.MANAGE_SSO):
            trace = test_run_open(test_id, provider)
        start = saml_login_start(
            provider=provider,
            http=_http(request),
            next_url=safe_next(request, request.GET.get("next")),
            trace=trace,
        )
    except SsoRefused as error:
        return _refused(request, provider, error)
    except Exception as exc:
        return _refused(request, provider, _unexpected(exc))
    if not start.is_post:
        return redirect(start.url)
    response = render(
        request,
        "sso/saml_post.html",
        {"action": start.url, "fields": start.fields, "provider": provider},
    )
    target = urlsplit(start.url)
    response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return response


@csrf_exempt  # the IdP's page posts here; the message is signed, the request ID matched
@require_POST
def saml_acs(request: HttpRequest, slug: str) -> HttpResponse:
    provider = saml_provider_find(slug)
    try:
        saml_provider_check(provider, slug)
        outcome = saml_acs_process(
            provider=provider,
            http=_http(request),
            relay_state=request.POST.get("RelayState", ""),
            safe_next=lambda candidate: safe_next(request, candidate),
        )
    except SsoRefused as error:
        return _refused(request, provider, error)
    except Exception as exc:
        return _refused(request, provider, _unexpected(exc))
    if outcome.test_id:
        return _test_page(outcome.test_id)
    if outcome.error is not None:
        return _refused(request, provider, outcome.error)
    login(request, outcome.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    saml_session_remember(request.session, provider, outcome.saml_session)
    return redirect(outcome.next_url)


@require_GET
def saml_sls(request: HttpRequest, slug: str) -> HttpResponse:
    """The IdP's LogoutRequest (end this person's sessions, answer it) or its
    LogoutResponse to ours (back to the login page)."""
    provider = saml_provider_find(slug)
    try:
        saml_provider_check(provider, slug)
        outcome = saml_sls_process(provider=provider, http=_http(request))
    except SsoRefused as error:
        return _refused(request, provider, error)
    except Exception as exc:
        return _refused(request, provider, _unexpected(exc))
    if outcome.redirect_to:
        if request.session.get(SESSION_KEY, {}).get("provider_id") == provider.pk:
            logout(request)
        return redirect(outcome.redirect_to)
    messages.info(request, _("You are signed out."))
    return redirect(safe_next(request, outcome.next_url) if outcome.next_url else reverse("login"))


def saml_single_logout_url(request: HttpRequest, slug: str | None = None) -> str | None:
    """Where the browser goes to be signed out at the IdP too (a LogoutRequest to its SLO
    URL), for a person signed in here through SAML; None when there is nowhere to go. Asked
    before the local sign-out, while the session still says who signed in and how."""
    saml_session = request.session.get(SESSION_KEY) or {}
    if not saml_session:
        return None
    try:
        provider = (
            saml_provider_get(slug)
            if slug
            else IdentityProvider.objects.filter(pk=saml_session.get("provider_id")).first()
        )
        if provider is None or saml_session.get("provider_id") != provider.pk:
            return None
        return saml_logout_start(
            provider=provider,
            http=_http(request),
            saml_session=saml_session,
            next_url=reverse("login"),
        )
    except SsoRefused:
        return None
    except Exception:
        logger.exception("SAML: logout request not sent")
        return None


@require_POST
def saml_logout(request: HttpRequest, slug: str) -> HttpResponse:
    """Sign out here at once, then at the IdP too when it offers single logout."""
    url = saml_single_logout_url(request, slug)
    logout(request)
    return redirect(url or reverse("login"))


@require_GET
def saml_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        provider = saml_provider_get(slug)
    except SsoRefused as error:
        raise Http404(error.message) from error
    xml = sp_metadata_xml(provider, _http(request))
    return HttpResponse(xml, content_type="application/samlmetadata+xml")
