"""The tenant portal's sign-in and registration pages, one's profile and personal API
tokens (the home page is the dashboards app's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import form_errors_show, page_requires, signed_in
from core.request_context import client_address
from tenant_apps.people import selectors, services, tokens
from tenant_apps.people.forms import (
    AvatarForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    PersonalTokenForm,
    ProfileForm,
    RegisterForm,
    ThrottledSignInForm,
)
from tenant_apps.people.login_methods import (
    discovery_url_for,
    login_buttons_for,
    password_form_shown,
    sign_out_destination,
)


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
    messages.success(
        request,
        ngettext(
            "Revoked %(count)s personal API token.",
            "Revoked %(count)s personal API tokens.",
            revoked,
        )
        % {"count": revoked},
    )
    if request.POST.get("from") == "profile":
        return redirect(reverse("profile") + "#tokens")
    return redirect("personal-tokens")


def _refused(error: ApplicationError) -> int:
    """The status of a form a service refused: 429 when the person must wait, else 400."""
    return 429 if error.status == 429 else 400


# ------------------------------------------------------------------------------------------
# Signing in: the password form and, beside it, the methods other apps register
class SignInView(auth_views.LoginView):
    """Django's sign-in page with our throttled form, the sign-in buttons registered in
    `login_methods` (none today) and, where the tenant allows it, a way to register."""

    authentication_form = ThrottledSignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["login_buttons"] = login_buttons_for(self.request)
        context["discovery_url"] = discovery_url_for(self.request)
        context["discovery_email"] = self.request.GET.get("email", "")[:254]
        # A policy may hide the password form; `?with=password` shows it to the named
        # break-glass admins (the password check itself still refuses everyone else).
        context["password_form_shown"] = (
            password_form_shown(self.request) or self.request.GET.get("with") == "password"
        )
        context["registration_open"] = selectors.registration_open()
        return context


class SignOutView(auth_views.LogoutView):
    """Django's sign-out; where a sign-in method asks for it (SAML single logout), the
    browser then goes on to the identity provider to be signed out there too."""

    def post(self, request, *args, **kwargs):
        handoff = sign_out_destination(request) if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        return redirect(handoff) if handoff else response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The set-password page of reset links and invitations (Django's, with our form); a
    refused password is a 400 with each message next to its field."""

    form_class = NewPasswordForm
    post_reset_login = True
    success_url = reverse_lazy("password-set-done")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def register(request: HttpRequest) -> HttpResponse:
    """Self-registration as a learner where the tenant allows it (else 404): the same
    service, rules and limits as the API's `auth/register`. Signed in on success."""
    if not selectors.registration_open():
        raise Http404
    if request.user.is_authenticated:
        return redirect("home")
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                address=client_address(request),
            )
        except ApplicationError as exc:
            form_errors_show(form, exc)
            return render(
                request, "registration/register.html", {"form": form}, status=_refused(exc)
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("home")
    status = 400 if form.is_bound else 200
    return render(request, "registration/register.html", {"form": form}, status=status)


# ------------------------------------------------------------------------------------------
# One's profile: /account/profile/ (the same services as /api/v1/me and its sub-resources)
def _profile_page(
    request: HttpRequest, *, status: int = 200, issued=None, **forms_given
) -> HttpResponse:
    """The profile page; a form given (bound, with errors) replaces its blank one."""
    user = request.user
    context = {
        "profile_form": ProfileForm(
            initial={
                "full_name": user.full_name,
                "locale": user.locale,
                "time_zone": user.time_zone,
            }
        ),
        "avatar_form": AvatarForm(),
        "password_form": PasswordChangeForm(),
        "token_form": PersonalTokenForm(),
        "tokens": list(selectors.personal_tokens_of(user=user)),
        "issued": issued,
        **forms_given,
    }
    context["failed"] = any(
        form.is_bound and form.errors for name, form in context.items() if name.endswith("_form")
    )
    response = render(request, "people/profile.html", context, status=status)
    if issued is not None:  # the secret is on this page only: keep no copy anywhere
        response["Cache-Control"] = "no-store"
    return response


@page_requires(signed_in)
def profile(request: HttpRequest) -> HttpResponse:
    """Show the profile; POST changes the name, language and time zone."""
    if request.method != "POST":
        return _profile_page(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.user_update(user=request.user, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_show(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile")
    return _profile_page(request, status=400, profile_form=form)


@require_POST
@page_requires(signed_in)
def profile_avatar(request: HttpRequest) -> HttpResponse:
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.user_avatar_set(user=request.user, upload=form.cleaned_data["avatar"])
        except ApplicationError as exc:
            form_errors_show(form, exc)
        else:
            messages.success(request, _("Your avatar is saved."))
            return redirect("profile")
    return _profile_page(request, status=400, avatar_form=form)


@require_POST
@page_requires(signed_in)
def profile_password(request: HttpRequest) -> HttpResponse:
    """Change one's password (proving the current one): every other sign-in ends, this
    browser stays signed in."""
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            user = services.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                address=client_address(request),
            )
        except ApplicationError as exc:
            form_errors_show(form, exc)
            return _profile_page(request, status=_refused(exc), password_form=form)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed. Every other sign-in has ended."))
        return redirect("profile")
    return _profile_page(request, status=400, password_form=form)


@require_POST
@page_requires(signed_in)
def profile_token_create(request: HttpRequest) -> HttpResponse:
    """Issue a personal API token and show its secret on this one answer, never again."""
    form = PersonalTokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, status=400, token_form=form)
    issued = tokens.personal_token_issue(
        user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
    )
    return _profile_page(request, issued=issued)


@require_POST
@page_requires(signed_in)
def profile_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of one's own tokens; anyone else's id (or a revoked one) is 404."""
    if not tokens.personal_token_revoke(user=request.user, token_id=token_id):
        raise Http404
    messages.success(request, _("The token is revoked."))
    return redirect(reverse("profile") + "#tokens")
