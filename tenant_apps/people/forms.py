"""The portal's sign-in form, throttled like the API's."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.errors import ApplicationError
from tenant_apps.people import services


class ThrottledSignInForm(AuthenticationForm):
    def clean(self):
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if not (email and password):
            return self.cleaned_data
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        try:
            self.user_cache = services.user_authenticate(email=email, password=password, ip=ip)
        except services.LoginThrottled as exc:
            raise forms.ValidationError(
                "Too many failed sign-ins. Try again in %(minutes)d minutes.",
                code="throttled",
                params={"minutes": exc.retry_after // 60},
            ) from exc
        except ApplicationError as exc:
            raise self.get_invalid_login_error() from exc
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
