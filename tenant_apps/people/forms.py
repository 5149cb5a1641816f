"""The portal's forms for signing in and passwords. They check shape; the people services
(shared with the API) decide, throttle and write."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime, time

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.forms import AccessibleBoundField, PortalForm
from core.request_context import client_address
from tenant_apps.people import services
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import User


class ThrottledSignInForm(AuthenticationForm):
    """Signs in through `user_authenticate`, throttled exactly like the API's sign-in."""

    bound_field_class = AccessibleBoundField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail")
        self.fields["username"].widget.attrs["autocomplete"] = "email"

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
                _("Too many failed sign-ins. Try again in %(wait)s."),
                code="throttled",
                params={"wait": services.wait_in_words(exc.retry_after)},
            ) from exc
        except ApplicationError as exc:
            if exc.code == PeopleErrorCode.PASSWORD_SIGN_IN_OFF:
                raise forms.ValidationError(exc.message, code="password_sign_in_off") from exc
            raise self.get_invalid_login_error() from exc
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordResetRequestForm(PortalForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class NewPasswordForm(SetPasswordForm):
    """The set-password page (reset links and invitations): the new password goes through
    `password_set`, which ends every other sign-in of the person."""

    bound_field_class = AccessibleBoundField

    def save(self, commit: bool = True) -> User:
        self.user = services.password_set(
            user=self.user, new_password=self.cleaned_data["new_password1"]
        )
        return self.user


# ------------------------------------------------------------------------------------------
# One's profile (the same services as /api/v1/me, /me/avatar, /me/password, /me/tokens)
@functools.cache
def _time_zone_choices() -> tuple[tuple[str, str], ...]:
    """Every zone this machine knows (reading them walks the zone files: once a process)."""
    return tuple((name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()))


class ProfileForm(PortalForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    locale = forms.ChoiceField(label=_("Language"), choices=())
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=(),
        help_text=_("Dates and times are shown to you in this zone."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locale"].choices = [(code, _(name)) for code, name in settings.LANGUAGES]
        # The zones this machine knows: the API accepts exactly these (validate_time_zone).
        self.fields["time_zone"].choices = _time_zone_choices()
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"


AVATAR_TYPES = "image/jpeg,image/png,image/webp,image/gif"


class AvatarForm(PortalForm):
    avatar = forms.FileField(
        label=_("Avatar"),
        help_text=_("A JPEG, PNG, WebP or GIF image of at most 2 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )


class PasswordChangeForm(PortalForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 8 characters; not a common password, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PersonalTokenForm(PortalForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, e.g. “HR reports”."),
    )
    expires_on = forms.DateField(
        label=_("Expires on (optional)"),
        required=False,
        help_text=_("The token stops working at the end of this day; empty: it never expires."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self):
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is not None and expires_on < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return expires_on

    def expires_at(self):
        """The end of the chosen day in the person's time zone (the one active now)."""
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is None:
            return None
        end = datetime.combine(expires_on, time.max)
        return timezone.make_aware(end, timezone.get_current_timezone())


class RegisterForm(PortalForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not a common password, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
