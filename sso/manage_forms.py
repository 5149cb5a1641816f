"""The tenant admin's SSO forms. They check shape and turn what was typed into the values
sso.services take (the same the API sends); the services decide and name what is wrong."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.forms import PortalForm
from sso.models import (
    MAPPED_ATTRIBUTES,
    PROVIDER_SAML_FIELDS,
    IdentityProvider,
    NameIdFormat,
    ProviderKind,
    SamlBinding,
)
from sso.presets import OIDC_PRESETS, SAML_PRESETS
from tenant_apps.people.manage_forms import role_choices
from tenant_apps.people.models import LearnerGroup

_CERTIFICATE_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)

ATTRIBUTE_LABELS = {
    "email": _("E-mail address"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "display_name": _("Display name"),
    "groups": _("Groups"),
    "department": _("Department"),
    "employee_number": _("Employee number"),
}


def service_errors_show(form: forms.BaseForm, error: ApplicationError, renames=None) -> None:
    """Put each of a service's field errors next to the form field it is about:
    `saml_certificates[1]` on `saml_certificates`, `attribute_mapping.email` on `email`,
    `group_role_rules[2].role` on `group_role_rules` (as "Line 3: ..."); the rest above."""
    renames = renames or {}
    placed = False
    for detail in error.details:
        name = detail.field
        message = detail.message
        base = re.split(r"[\[.]", name, maxsplit=1)[0]
        line = re.match(r"^\w+\[(\d+)\]", name)
        if base == "attribute_mapping" and "." in name:
            base = name.split(".", 1)[1]
        base = renames.get(base, base)
        if line and base in ("group_role_rules", "group_membership_rules", "saml_certificates"):
            where = (
                _("Certificate %(number)s: %(message)s")
                if base == "saml_certificates"
                else _("Line %(number)s: %(message)s")
            )
            message = where % {"number": int(line.group(1)) + 1, "message": message}
        form.add_error(base if base in form.fields else None, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


def certificates_split(text: str) -> list[str]:
    """Pasted certificates: PEM blocks, or base64 bodies separated by blank lines."""
    text = (text or "").strip()
    if not text:
        return []
    if "-----BEGIN" in text:
        blocks = _CERTIFICATE_BLOCK.findall(text)
        rest = _CERTIFICATE_BLOCK.sub("", text).strip()
        return blocks + ([rest] if rest else [])
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def domains_split(text: str) -> list[str]:
    return [item for item in re.split(r"[\s,;]+", text or "") if item]


def _preset_choices(presets) -> list[tuple[str, str]]:
    return [("", _("None: I will map the attributes myself"))] + [
        (preset.code, preset.label) for preset in presets
    ]


class _NamedProvider(PortalForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the sign-in button says: “Sign in with <name>”."),
    )
    slug = forms.CharField(
        label=_("Short name for addresses"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens, like acme-entra."),
    )
    email_domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        max_length=5000,
        help_text=_(
            "People with an address at these domains are sent to this provider from the "
            "sign-in page. Separate them with spaces or commas."
        ),
    )

    def clean_email_domains(self) -> list[str]:
        return domains_split(self.cleaned_data["email_domains"])


class SamlAddForm(_NamedProvider):
    preset = forms.ChoiceField(label=_("Identity provider product"), required=False)
    metadata_url = forms.CharField(
        label=_("Metadata URL"),
        required=False,
        max_length=1024,
        help_text=_("Lectern reads it now and again every day. Use https."),
    )
    metadata_xml = forms.CharField(
        label=_("Or paste the metadata XML"),
        required=False,
        max_length=1_000_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    entity_id = forms.CharField(
        label=_("Entity ID to pick"),
        required=False,
        max_length=1024,
        help_text=_("Only when the metadata describes several identity providers."),
    )
    saml_entity_id = forms.CharField(
        label=_("Entity ID (without metadata)"), required=False, max_length=1024
    )
    saml_sso_url = forms.CharField(
        label=_("Single sign-on URL (without metadata)"), required=False, max_length=1024
    )
    saml_certificates = forms.CharField(
        label=_("Signing certificate (without metadata)"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_("PEM (-----BEGIN CERTIFICATE-----) or its base64 body."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = _preset_choices(SAML_PRESETS)

    def clean_saml_certificates(self) -> list[str]:
        return certificates_split(self.cleaned_data["saml_certificates"])

    def from_metadata(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("metadata_url") or (data.get("metadata_xml") or "").strip())

    def common_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "slug": data["slug"],
            "email_domains": data["email_domains"],
            "preset": data["preset"],
        }

    def metadata_values(self) -> dict:
        data = self.cleaned_data
        return {
            "metadata_url": data["metadata_url"],
            "metadata_xml": data["metadata_xml"],
            "entity_id": data["entity_id"],
        }

    def manual_values(self) -> dict:
        data = self.cleaned_data
        return {
            "saml_entity_id": data["saml_entity_id"],
            "saml_sso_url": data["saml_sso_url"],
            "saml_certificates": data["saml_certificates"],
        }


class OidcAddForm(_NamedProvider):
    kind = forms.ChoiceField(
        label=_("Protocol"),
        choices=[
            (ProviderKind.OIDC.value, _("OpenID Connect")),
            (ProviderKind.OAUTH2.value, _("Plain OAuth 2")),
        ],
        initial=ProviderKind.OIDC.value,
        widget=forms.RadioSelect,
    )
    preset = forms.ChoiceField(label=_("Identity provider product"), required=False)
    oidc_issuer = forms.CharField(
        label=_("Issuer"),
        required=False,
        max_length=1024,
        help_text=_("Its discovery document is at <issuer>/.well-known/openid-configuration."),
    )
    oidc_client_id = forms.CharField(label=_("Client ID"), max_length=255)
    oidc_client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted; it is never shown again."),
    )
    oidc_scopes = forms.CharField(label=_("Scopes"), required=False, max_length=255)
    oauth2_backend = forms.CharField(
        label=_("OAuth 2 backend (plain OAuth 2 only)"), required=False, max_length=64
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = _preset_choices(OIDC_PRESETS)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("oidc_scopes"):
            data.pop("oidc_scopes", None)
        return data


class ProviderForm(_NamedProvider):
    """A provider's settings (the fields of its kind only)."""

    enabled = forms.BooleanField(label=_("Enabled: people can sign in with it"), required=False)
    default_role = forms.ChoiceField(label=_("Role of people it creates"))
    create_people = forms.BooleanField(
        label=_("Create people on their first sign-in"), required=False
    )
    link_existing_accounts = forms.BooleanField(
        label=_("Sign in existing accounts with the same e-mail address"),
        required=False,
        help_text=_("Only when the identity provider asserts that e-mail address."),
    )
    saml_entity_id = forms.CharField(label=_("Entity ID"), required=False, max_length=1024)
    saml_sso_url = forms.CharField(label=_("Single sign-on URL"), required=False, max_length=1024)
    saml_sso_binding = forms.ChoiceField(label=_("Binding"), choices=SamlBinding.choices)
    saml_slo_url = forms.CharField(label=_("Single logout URL"), required=False, max_length=1024)
    saml_certificates = forms.CharField(
        label=_("Signing certificates"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("One or more, PEM or base64; keep the old and the new during a rollover."),
    )
    saml_metadata_url = forms.CharField(
        label=_("Metadata URL (refreshed daily)"), required=False, max_length=1024
    )
    saml_name_id_format = forms.ChoiceField(label=_("NameID format"), choices=NameIdFormat.choices)
    saml_sign_requests = forms.BooleanField(label=_("Sign authentication requests"), required=False)
    saml_want_assertions_signed = forms.BooleanField(
        label=_("Require signed assertions"), required=False
    )
    saml_want_assertions_encrypted = forms.BooleanField(
        label=_("Require encrypted assertions"), required=False
    )
    saml_allow_sha1 = forms.BooleanField(
        label=_("Accept SHA-1 signatures (weak; only if the provider cannot do better)"),
        required=False,
    )
    saml_allow_idp_initiated = forms.BooleanField(
        label=_("Accept sign-ins started at the identity provider"), required=False
    )
    saml_clock_skew_seconds = forms.IntegerField(
        label=_("Allowed clock difference (seconds)"), min_value=0, max_value=600
    )
    oidc_issuer = forms.CharField(label=_("Issuer"), required=False, max_length=1024)
    oidc_client_id = forms.CharField(label=_("Client ID"), required=False, max_length=255)
    oidc_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the saved secret. It is never shown."),
    )
    oidc_scopes = forms.CharField(label=_("Scopes"), required=False, max_length=255)
    oauth2_backend = forms.CharField(label=_("OAuth 2 backend"), required=False, max_length=64)

    SAML_FIELDS = PROVIDER_SAML_FIELDS
    OIDC_FIELDS = ("oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_scopes")

    def __init__(self, *args, provider: IdentityProvider, **kwargs) -> None:
        kwargs.setdefault("initial", self.initial_for(provider))
        super().__init__(*args, **kwargs)
        self.fields["default_role"].choices = role_choices()
        keep = set(self.SAML_FIELDS) if provider.is_saml else set(self.OIDC_FIELDS)
        if provider.kind == ProviderKind.OAUTH2:
            keep.add("oauth2_backend")
        for name in (*self.SAML_FIELDS, *self.OIDC_FIELDS, "oauth2_backend"):
            if name not in keep:
                del self.fields[name]

    @staticmethod
    def initial_for(provider: IdentityProvider) -> dict:
        from sso.services.certificates import CertificateUnreadable, certificate_read

        def pem(body: str) -> str:
            try:
                from cryptography.hazmat.primitives.serialization import Encoding

                return certificate_read(body).public_bytes(Encoding.PEM).decode().strip()
            except CertificateUnreadable:
                return body

        initial = {
            name: getattr(provider, name)
            for name in (
                "name",
                "slug",
                "enabled",
                "default_role",
                "create_people",
                "link_existing_accounts",
                *ProviderForm.SAML_FIELDS,
                "oidc_issuer",
                "oidc_client_id",
                "oidc_scopes",
                "oauth2_backend",
            )
        }
        initial["email_domains"] = " ".join(provider.email_domains)
        initial["saml_certificates"] = "\n".join(pem(b) for b in provider.saml_certificates)
        return initial

    def clean_saml_certificates(self) -> list[str]:
        return certificates_split(self.cleaned_data["saml_certificates"])

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("oidc_client_secret"):
            data.pop("oidc_client_secret", None)
        return data


class MetadataForm(PortalForm):
    metadata_url = forms.CharField(label=_("Metadata URL"), required=False, max_length=1024)
    metadata_xml = forms.CharField(
        label=_("Or paste the metadata XML"),
        required=False,
        max_length=1_000_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
    )
    entity_id = forms.CharField(
        label=_("Entity ID to pick"),
        required=False,
        max_length=1024,
        help_text=_("Only when the metadata describes several identity providers."),
    )


def _rules_text(rules: list[dict], right) -> str:
    return "\n".join(f"{rule['group']} = {right(rule)}" for rule in rules)


class MappingForm(PortalForm):
    """The attribute names, and the group rules one per line: `<provider group> = <role>`
    and `<provider group> = <name of a group here>`."""

    group_role_rules = forms.CharField(
        label=_("Roles from groups"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    group_membership_rules = forms.CharField(
        label=_("Groups here from groups there"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )

    def __init__(self, *args, provider: IdentityProvider, groups: list[LearnerGroup], **kwargs):
        self.groups = groups
        names = {group.pk: group.name for group in groups}
        initial = {key: provider.attribute_mapping.get(key, "") for key in MAPPED_ATTRIBUTES}
        initial["group_role_rules"] = _rules_text(provider.group_role_rules, lambda r: r["role"])
        initial["group_membership_rules"] = _rules_text(
            provider.group_membership_rules,
            lambda r: names.get(r["tenant_group"], r["tenant_group"]),
        )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for key in reversed(MAPPED_ATTRIBUTES):
            field = forms.CharField(label=ATTRIBUTE_LABELS[key], required=False, max_length=512)
            field.widget.attrs["spellcheck"] = "false"
            self.fields = {key: field, **self.fields}
        roles = ", ".join(value for value, _label in role_choices())
        self.fields["group_role_rules"].help_text = _(
            "One per line: the provider's group = a role (%(roles)s). The highest role wins."
        ) % {"roles": roles}
        self.fields["group_membership_rules"].help_text = _(
            "One per line: the provider's group = the name of a group here. People join "
            "and leave these groups as the provider says."
        )

    @staticmethod
    def _lines(text: str) -> list[tuple[int, str, str]]:
        found = []
        for number, line in enumerate((text or "").splitlines(), start=1):
            if not line.strip():
                continue
            left, sep, right = line.rpartition("=")
            found.append((number, left.strip() if sep else line.strip(), right.strip()))
        return found

    def clean_group_role_rules(self) -> list[dict]:
        rules, problems = [], []
        for number, group, role in self._lines(self.cleaned_data["group_role_rules"]):
            if not group or not role:
                problems.append(_("Line %(n)d: write “group = role”.") % {"n": number})
            rules.append({"group": group, "role": role})
        if problems:
            raise ValidationError(problems)
        return rules

    def clean_group_membership_rules(self) -> list[dict]:
        by_name = {group.name.lower(): group.pk for group in self.groups}
        rules, problems = [], []
        for number, group, name in self._lines(self.cleaned_data["group_membership_rules"]):
            target = by_name.get(name.lower())
            if not group or target is None:
                problems.append(
                    _("Line %(n)d: “%(name)s” is not a group here.") % {"n": number, "name": name}
                )
                continue
            rules.append({"group": group, "tenant_group": target})
        if problems:
            raise ValidationError(problems)
        return rules

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "attribute_mapping": {key: data[key] for key in MAPPED_ATTRIBUTES if data.get(key)},
            "group_role_rules": data["group_role_rules"],
            "group_membership_rules": data["group_membership_rules"],
        }


class PolicyForm(PortalForm):
    sso_only = forms.BooleanField(
        label=_("Single sign-on only: switch off password sign-in"),
        required=False,
        help_text=_("The break-glass admins below can still sign in with their password."),
    )
    break_glass_admin_ids = forms.TypedMultipleChoiceField(
        label=_("Break-glass admins"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Admins who may sign in with a password when the identity provider is down."),
    )
    default_provider_id = forms.TypedChoiceField(
        label=_("Default identity provider"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Used when several providers serve the same e-mail domain."),
    )

    def __init__(self, *args, admins, providers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["break_glass_admin_ids"].choices = [
            (admin.pk, f"{admin.full_name} ({admin.email})" if admin.full_name else admin.email)
            for admin in admins
        ]
        self.fields["default_provider_id"].choices = [("", _("None"))] + [
            (provider.pk, provider.name) for provider in providers
        ]
