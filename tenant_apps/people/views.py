"""The tenant portal's sign-in pages and one's personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.request_context import client_address
from tenant_apps.people import selectors, services, tokens
from tenant_apps.people.forms import PasswordResetRequestForm


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link: the same service, limits and e-mail as the API's
    `auth/password-reset`. Whether or not the address has an account (or was over its
    limit), the next page is the same."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                services.password_reset_request(
                    email=form.cleaned_data["email"], address=client_address(request)
                )
        except services.PasswordResetThrottled as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


def _tokens_page(request: HttpRequest, *, password_just_set: bool) -> HttpResponse:
    return render(
        request,
        "people/personal_tokens.html",
        {
            "tenant": request.tenant,
            "tokens": list(selectors.personal_tokens_of(user=request.user)),
            "password_just_set": password_just_set,
        },
    )


@login_required
def password_set_done(request: HttpRequest) -> HttpResponse:
    """Where the set-password page leads: every other sign-in has ended; the personal API
    tokens that still work, with one button to revoke them all."""
    return _tokens_page(request, password_just_set=True)


@login_required
def personal_tokens(request: HttpRequest) -> HttpResponse:
    """One's personal API tokens (the e-mail after a password change links here)."""
    return _tokens_page(request, password_just_set=False)


@require_POST
@login_required
def personal_tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    """Revoke every personal API token of the signed-in person (a CSRF-protected form)."""
    revoked = tokens.personal_tokens_revoke_all(user=request.user)
    messages.success(request, f"Revoked {revoked} personal API token{'s' if revoked != 1 else ''}.")
    return redirect("personal-tokens")
