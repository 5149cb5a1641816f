"""The OpenID Connect / OAuth 2 round trip's pages on the tenant host: the login start
(`?next=` a path to return to; `?test=` an admin's test run) and the provider's callback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sso.services import oidc
from sso.views import safe_next

# People signed in through a provider are Lectern's own users: the model backend loads them.
SESSION_AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _answer(request: HttpRequest, outcome: oidc.SignInOutcome) -> HttpResponse:
    if outcome.user is not None:
        login(request, outcome.user, backend=SESSION_AUTH_BACKEND)
    if outcome.message:
        messages.error(request, outcome.message)
    return redirect(outcome.redirect_to)


@never_cache
@require_GET
def oidc_login(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = oidc.oidc_login_begin(
        request=request,
        provider=oidc.provider_for_slug(slug),
        next_url=safe_next(request, request.GET.get("next")),
        test_id=request.GET.get("test"),
    )
    return _answer(request, outcome)


@never_cache
@require_GET
def oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = oidc.oidc_login_complete(request=request, provider=oidc.provider_for_slug(slug))
    return _answer(request, outcome)
