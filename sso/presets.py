"""Where well-known identity providers put a person's attributes, so an admin picks
"Entra ID" instead of typing claim URIs. A preset only fills the mapping; every name stays
editable."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

_XMLSOAP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
_MS_2008 = "http://schemas.microsoft.com/ws/2008/06/identity/claims/"


@dataclass(frozen=True)
class Preset:
    code: str
    label: str
    kind: str  # "saml" or "oidc"
    mapping: dict[str, str]
    # OIDC: an issuer template the admin completes ("{tenant}" for Entra ID's directory).
    issuer_hint: str = ""
    scopes: str = ""
    name_id_format: str = ""
    notes: str = ""
    email_domains: list[str] = field(default_factory=list)


SAML_PRESETS = (
    Preset(
        code="entra_id",
        label=_("Microsoft Entra ID"),
        kind="saml",
        mapping={
            "email": _XMLSOAP + "emailaddress",
            "first_name": _XMLSOAP + "givenname",
            "last_name": _XMLSOAP + "surname",
            "display_name": "http://schemas.microsoft.com/identity/claims/displayname",
            "groups": _MS_2008 + "groups",
            "department": "department",
            "employee_number": "employeeid",
        },
        name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        notes=_("Entra ID sends group object IDs unless the group claim is set to names."),
    ),
    Preset(
        code="okta",
        label=_("Okta"),
        kind="saml",
        mapping={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "display_name": "displayName",
            "groups": "groups",
            "department": "department",
            "employee_number": "employeeNumber",
        },
        name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    ),
    Preset(
        code="google_workspace",
        label=_("Google Workspace"),
        kind="saml",
        mapping={
            "email": "email",
            "first_name": "first_name",
            "last_name": "last_name",
            "groups": "groups",
            "department": "department",
            "employee_number": "employee_id",
        },
        name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        notes=_("Add these names as attribute mappings in the Google Admin console."),
    ),
    Preset(
        code="adfs",
        label=_("Active Directory Federation Services"),
        kind="saml",
        mapping={
            "email": _XMLSOAP + "emailaddress",
            "first_name": _XMLSOAP + "givenname",
            "last_name": _XMLSOAP + "surname",
            "display_name": _XMLSOAP + "name",
            "groups": "http://schemas.xmlsoap.org/claims/Group",
            "department": _XMLSOAP + "department",
            "employee_number": _MS_2008 + "employeeid",
        },
    ),
    Preset(
        code="shibboleth",
        label=_("Shibboleth / InCommon"),
        kind="saml",
        mapping={
            "email": "urn:oid:0.9.2342.19200300.100.1.3",
            "first_name": "urn:oid:2.5.4.42",
            "last_name": "urn:oid:2.5.4.4",
            "display_name": "urn:oid:2.16.840.1.113730.3.1.241",
            "groups": "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
            "department": "urn:oid:2.5.4.11",
            "employee_number": "urn:oid:2.16.840.1.113730.3.1.3",
        },
        name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    ),
)

_OIDC_CLAIMS = {
    "email": "email",
    "first_name": "given_name",
    "last_name": "family_name",
    "display_name": "name",
    "groups": "groups",
}

OIDC_PRESETS = (
    Preset(
        code="entra_id",
        label=_("Microsoft Entra ID"),
        kind="oidc",
        mapping={**_OIDC_CLAIMS, "employee_number": "employeeid"},
        issuer_hint="https://login.microsoftonline.com/{tenant}/v2.0",
        scopes="openid email profile",
    ),
    Preset(
        code="okta",
        label=_("Okta"),
        kind="oidc",
        mapping=dict(_OIDC_CLAIMS),
        issuer_hint="https://{your-org}.okta.com",
        scopes="openid email profile groups",
    ),
    Preset(
        code="google_workspace",
        label=_("Google Workspace"),
        kind="oidc",
        mapping={key: value for key, value in _OIDC_CLAIMS.items() if key != "groups"},
        issuer_hint="https://accounts.google.com",
        scopes="openid email profile",
        notes=_("Google does not send groups in its ID tokens."),
    ),
    Preset(
        code="keycloak",
        label=_("Keycloak"),
        kind="oidc",
        mapping=dict(_OIDC_CLAIMS),
        issuer_hint="https://{host}/realms/{realm}",
        scopes="openid email profile",
    ),
)


def preset_named(kind: str, code: str) -> Preset | None:
    presets = SAML_PRESETS if kind == "saml" else OIDC_PRESETS
    return next((preset for preset in presets if preset.code == code), None)
