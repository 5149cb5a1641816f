"""The portal's forms for signing in and passwords. They check shape; the people services
(shared with the API) decide, throttle and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from core.errors import ApplicationError
from core.request_context import client_address
from tenant_apps.people import services
from tenant_apps.people.models import User


class ThrottledSignInForm(AuthenticationForm):
    """Signs in through `user_authenticate`, throttled exactly like the API's sign-in."""

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if not (email and password):
            return self.cleaned_data
        address = client_address(self.request) if self.request else None
        try:
            self.user_cache = services.user_authenticate(
                email=email, password=password, address=address
            )
        except services.LoginThrottled as exc:
            raise forms.ValidationError(
                "Too many failed sign-ins. Try again in %(wait)s.",
                code="throttled",
                params={"wait": services.wait_in_words(exc.retry_after)},
            ) from exc
        except ApplicationError as exc:
            raise self.get_invalid_login_error() from exc
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="E-mail", max_length=254)


class NewPasswordForm(SetPasswordForm):
    """The set-password page (reset links and invitations): the new password goes through
    `password_set`, which ends every other sign-in of the person."""

    def save(self, commit: bool = True) -> User:
        self.user = services.password_set(
            user=self.user, new_password=self.cleaned_data["new_password1"]
        )
        return self.user
