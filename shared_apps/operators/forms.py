"""The operator console's forms. They check shape; the tenant services decide and write."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.forms import AccessibleBoundField, PortalForm
from core.request_context import client_address
from shared_apps.operators.errors import OperatorErrorCode
from shared_apps.operators.services import SIGN_IN_WINDOW_SECONDS, operator_authenticate
from shared_apps.tenants.models import TenantStatus

DELETED = "deleted"
# The statuses as the console names them (the model's labels are not translated).
STATUS_LABELS = {
    TenantStatus.PROVISIONING.value: _("Provisioning"),
    TenantStatus.ACTIVE.value: _("Active"),
    TenantStatus.SUSPENDED.value: _("Suspended"),
    TenantStatus.ARCHIVED.value: _("Archived"),
    DELETED: _("Deleted"),
}
SORTS = [
    ("name", _("Name")),
    ("newest", _("Newest first")),
    ("slug", _("Slug")),
]


class OperatorSignInForm(AuthenticationForm):
    """Django's sign-in through `operator_authenticate`: operators only (anyone else gets
    the same answer as a wrong password), throttled per account and address."""

    bound_field_class = AccessibleBoundField

    username = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if not (email and password):
            return self.cleaned_data
        try:
            self.user_cache = operator_authenticate(
                email=email,
                password=password,
                address=client_address(self.request) if self.request else None,
                request=self.request,
            )
        except ApplicationError as error:
            if error.code == OperatorErrorCode.SIGN_IN_THROTTLED:
                raise forms.ValidationError(
                    _("Too many failed sign-ins. Try again in %(minutes)s minutes."),
                    code="throttled",
                    params={"minutes": SIGN_IN_WINDOW_SECONDS // 60},
                ) from error
            raise self.get_invalid_login_error() from error
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class TenantFilterForm(PortalForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *STATUS_LABELS.items()],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def selection(self) -> dict:
        """The arguments of `tenant_list` this form asks for (everything when invalid)."""
        if not self.is_valid():
            return {"ordering": "name"}
        status = self.cleaned_data["status"]
        chosen = {
            "search": self.cleaned_data["q"].strip() or None,
            "ordering": self.cleaned_data["sort"] or "name",
        }
        if status == DELETED:
            chosen["deleted"] = True
        elif status:
            chosen.update(status=status, deleted=False)
        return chosen


class TenantCreateForm(PortalForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    slug = forms.CharField(
        label=_("Slug"),
        max_length=63,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "The tenant's address: <slug>.%(base)s. 3 to 63 lowercase letters, digits or hyphens."
        ),
    )
    admin_email = forms.EmailField(
        label=_("First admin's e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("They are sent an invitation to choose a password."),
    )
    plan = forms.CharField(
        label=_("Plan"),
        max_length=64,
        initial="standard",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("The plan code the tenant is billed on."),
    )
    # Sending the same form twice (a double click, a reload) creates the tenant once.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, base_domain: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"base": base_domain}
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)


class DomainAddForm(PortalForm):
    domain = forms.CharField(
        label=_("Custom domain"),
        max_length=253,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("A full host name such as learn.example.com."),
    )


class DomainRemoveForm(PortalForm):
    domain = forms.CharField(max_length=253)


class TenantDeleteForm(PortalForm):
    confirm_slug = forms.CharField(
        label=_("Type the tenant's slug to confirm"),
        max_length=63,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, slug: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slug = slug

    def clean_confirm_slug(self) -> str:
        typed = self.cleaned_data["confirm_slug"].strip()
        if typed != self.slug:
            raise forms.ValidationError(_("Type %(slug)s exactly."), params={"slug": self.slug})
        return typed
