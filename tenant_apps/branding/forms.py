"""The admins' forms: shapes and types only; the services own the rules (contrast, image
kinds, text limits)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from tenant_apps.branding.models import (
    EMAIL_FOOTER_LIMIT,
    EMAIL_SENDER_NAME_LIMIT,
    WELCOME_TEXT_LIMIT,
    Font,
)


class ColourInput(forms.TextInput):
    input_type = "color"


class BrandingForm(PortalForm):
    primary_colour = forms.CharField(
        label=_("Primary colour"),
        widget=ColourInput,
        help_text=_("The header, buttons and links. Text on it, and links in it, must read."),
    )
    accent_colour = forms.CharField(
        label=_("Accent colour"),
        widget=ColourInput,
        help_text=_("Badges, counts and the focus ring."),
    )
    font = forms.ChoiceField(
        label=_("Font"),
        choices=Font.choices,
        help_text=_("Fonts already on people's devices: nothing is downloaded."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or JPEG image of at most 1 MB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    favicon = forms.FileField(
        label=_("Favicon"),
        required=False,
        help_text=_("The browser tab's icon: an ICO or PNG image of at most 256 KB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/x-icon,.ico"}),
    )
    remove_favicon = forms.BooleanField(label=_("Remove the favicon"), required=False)
    login_image = forms.FileField(
        label=_("Sign-in page image"),
        required=False,
        help_text=_("Shown on the sign-in page: a PNG or JPEG image of at most 2 MB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_login_image = forms.BooleanField(label=_("Remove the sign-in image"), required=False)
    welcome_text = forms.CharField(
        label=_("Welcome text on the sign-in page"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text, at most %(limit)s characters.") % {"limit": WELCOME_TEXT_LIMIT},
    )
    email_sender_name = forms.CharField(
        label=_("E-mail sender name"),
        required=False,
        help_text=_("Who e-mails come from, e.g. “Acme Academy” (at most %(limit)s characters).")
        % {"limit": EMAIL_SENDER_NAME_LIMIT},
    )
    email_footer = forms.CharField(
        label=_("E-mail footer"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Plain text under every e-mail, at most %(limit)s characters.")
        % {"limit": EMAIL_FOOTER_LIMIT},
    )

    IMAGES = ("logo", "favicon", "login_image")

    def service_arguments(self) -> dict[str, object]:
        """What `branding_draft_save` is called with."""
        data = self.cleaned_data
        arguments: dict[str, object] = {
            name: data[name]
            for name in (
                "primary_colour",
                "accent_colour",
                "font",
                "welcome_text",
                "email_sender_name",
                "email_footer",
            )
        }
        for name in self.IMAGES:
            if data.get(name):
                arguments[name] = data[name]
        arguments["remove"] = [
            name for name in self.IMAGES if data.get(f"remove_{name}") and not data.get(name)
        ]
        return arguments


class DomainForm(PortalForm):
    name = forms.CharField(
        label=_("Domain"),
        max_length=253,
        help_text=_("The host name people will type, such as learn.example.com."),
    )
