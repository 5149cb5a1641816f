"""SSO's public pages on the tenant host."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sso.hooks import login_url
from sso.services.policy import provider_for_email


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` when it is a path on this host, else the home page (no open redirect)."""
    if (
        candidate
        and candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=False
        )
    ):
        return candidate
    return "/"


@require_POST
def discover(request: HttpRequest) -> HttpResponse:
    """The login page's "continue with your work e-mail": off to the provider serving the
    e-mail's domain, or back to the login page saying there is none."""
    email = (request.POST.get("email") or "").strip()[:254]
    next_url = safe_next(request, request.POST.get("next"))
    provider = provider_for_email(email) if "@" in email else None
    if provider is not None:
        return redirect(f"{login_url(provider)}?{urlencode({'next': next_url})}")
    if "@" not in email:
        messages.error(request, _("Enter your work e-mail address, like name@example.com."))
    else:
        messages.error(
            request,
            _("No single sign-on is set up for %(domain)s. Sign in with your password.")
            % {"domain": email.rsplit("@", 1)[-1]},
        )
    query = urlencode({"email": email, "next": next_url, "with": "password"})
    return redirect(f"{reverse('login')}?{query}")
