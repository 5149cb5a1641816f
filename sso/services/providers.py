"""The tenant's identity providers, as its admins set them up (the API and the admin pages
call these): create (optionally from a preset), change, delete. Every value is checked here,
each refusal naming its field; the OIDC client secret is sealed at rest and never given back;
every change is audited without secrets."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.entitlements import entitlement_require
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.secret_box import secret_seal
from sso.errors import SsoErrorCode, SsoRefused
from sso.models import (
    MAPPED_ATTRIBUTES,
    PROVIDER_COMMON_FIELDS,
    PROVIDER_OIDC_FIELDS,
    PROVIDER_SAML_FIELDS,
    SLUG_PATTERN,
    IdentityProvider,
    NameIdFormat,
    ProviderKind,
    SamlBinding,
    SsoPolicy,
)
from sso.presets import preset_named
from sso.services import oidc_metadata, outbound
from sso.services.certificates import CertificateUnreadable, certificate_body, certificate_read
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import LearnerGroup, Role

# What an admin may set (kind is chosen once, at creation).
EDITABLE_FIELDS = (*PROVIDER_COMMON_FIELDS, *PROVIDER_SAML_FIELDS, *PROVIDER_OIDC_FIELDS)
# Write-only: sealed into oidc_client_secret_sealed, never read back.
SECRET_FIELD = "oidc_client_secret"  # noqa: S105 (a field name)
URL_FIELDS = ("saml_sso_url", "saml_slo_url", "saml_metadata_url", "oidc_issuer")
# Addresses Lectern's server itself fetches from: never this platform's own network.
FETCHED_URL_FIELDS = ("saml_metadata_url", "oidc_issuer")
BOOLEAN_FIELDS = (
    "enabled",
    "create_people",
    "link_existing_accounts",
    "saml_sign_requests",
    "saml_want_assertions_signed",
    "saml_want_assertions_encrypted",
    "saml_allow_sha1",
    "saml_allow_idp_initiated",
)
MAX_CERTIFICATES = 5
MAX_EMAIL_DOMAINS = 50
MAX_RULES = 200
MAX_CLOCK_SKEW_SECONDS = 600
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")
_BACKEND = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_url_shape = URLValidator(schemes=["http", "https"])


# ------------------------------------------------------------------------------------------
# Reading
def providers_all() -> list[IdentityProvider]:
    return list(IdentityProvider.objects.order_by("name", "id"))


def provider_get(*, provider_id: int) -> IdentityProvider:
    """This tenant's provider `provider_id`; another tenant's id is not found (its rows live
    in another schema)."""
    provider = IdentityProvider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise NotFound(SsoErrorCode.PROVIDER_NOT_FOUND, _("No such identity provider."))
    return provider


# ------------------------------------------------------------------------------------------
# Checking and normalising what an admin sent
def url_problem(value: str) -> str | None:
    """Why `value` may not be an identity provider's address, or None."""
    try:
        _url_shape(value)
    except ValidationError:
        return _("Enter a full address, like https://idp.example.com/sso.")
    if not value.lower().startswith("https://") and not settings.SSO_DEVELOPMENT_URLS:
        return _("Use an https:// address.")
    return None


def certificates_normalised(texts: Iterable[str], field: str = "saml_certificates"):
    """(bodies, errors): each pasted certificate as its one-line base64 body (duplicates
    dropped, order kept), and a FieldError per unreadable one (`field[index]`)."""
    bodies: list[str] = []
    errors: list[FieldError] = []
    for index, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            body = certificate_body(certificate_read(text))
        except CertificateUnreadable as exc:
            errors.append(FieldError(f"{field}[{index}]", str(exc)))
            continue
        if body not in bodies:
            bodies.append(body)
    if len(bodies) > MAX_CERTIFICATES:
        errors.append(
            FieldError(
                field,
                _("Keep at most %(limit)s certificates.") % {"limit": MAX_CERTIFICATES},
            )
        )
    return bodies, errors


def email_domains_normalised(raw: Iterable[str]) -> tuple[list[str], list[FieldError]]:
    domains: list[str] = []
    errors: list[FieldError] = []
    for text in raw:
        domain = str(text).strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            domain = ""
        if not _DOMAIN.match(domain):
            errors.append(
                FieldError(
                    "email_domains",
                    _("“%(domain)s” is not a domain, like example.com.") % {"domain": text},
                )
            )
            continue
        if domain not in domains:
            domains.append(domain)
    if len(domains) > MAX_EMAIL_DOMAINS:
        errors.append(
            FieldError(
                "email_domains", _("At most %(limit)s domains.") % {"limit": MAX_EMAIL_DOMAINS}
            )
        )
    return domains, errors


def _mapping_normalised(raw: Any) -> tuple[dict[str, str], list[FieldError]]:
    if not isinstance(raw, dict):
        return {}, [FieldError("attribute_mapping", _("Give an object of attribute names."))]
    mapping: dict[str, str] = {}
    errors: list[FieldError] = []
    for key, value in raw.items():
        field = f"attribute_mapping.{key}"
        if key not in MAPPED_ATTRIBUTES:
            errors.append(
                FieldError(
                    field,
                    _("Not a person's attribute: use %(attributes)s")
                    % {"attributes": ", ".join(MAPPED_ATTRIBUTES)},
                )
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # an empty name maps nothing
        if not isinstance(value, str) or len(value) > 512 or "\x00" in value:
            errors.append(FieldError(field, _("Give the attribute or claim name as text.")))
            continue
        mapping[key] = value.strip()
    return mapping, errors


def _role_rules_normalised(raw: Any) -> tuple[list[dict], list[FieldError]]:
    if not isinstance(raw, list):
        return [], [FieldError("group_role_rules", _("Give a list of rules."))]
    rules: list[dict] = []
    errors: list[FieldError] = []
    for index, rule in enumerate(raw[: MAX_RULES + 1]):
        where = f"group_role_rules[{index}]"
        if not isinstance(rule, dict):
            errors.append(FieldError(where, _("Give the group and the role.")))
            continue
        group = str(rule.get("group") or "").strip()
        role = rule.get("role")
        if not group:
            errors.append(FieldError(f"{where}.group", _("Name the identity provider's group.")))
        if role not in Role.values:
            errors.append(FieldError(f"{where}.role", _choose_one_of(Role.values)))
        if group and role in Role.values:
            rules.append({"group": group[:256], "role": role})
    if len(raw) > MAX_RULES:
        errors.append(FieldError("group_role_rules", _at_most_rules()))
    return rules, errors


def _membership_rules_normalised(raw: Any) -> tuple[list[dict], list[FieldError]]:
    if not isinstance(raw, list):
        return [], [FieldError("group_membership_rules", _("Give a list of rules."))]
    wanted = [
        rule.get("tenant_group")
        for rule in raw
        if isinstance(rule, dict) and isinstance(rule.get("tenant_group"), int)
    ]
    existing = set(LearnerGroup.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    rules: list[dict] = []
    errors: list[FieldError] = []
    for index, rule in enumerate(raw[: MAX_RULES + 1]):
        where = f"group_membership_rules[{index}]"
        if not isinstance(rule, dict):
            errors.append(FieldError(where, _("Give the group and the tenant group.")))
            continue
        group = str(rule.get("group") or "").strip()
        tenant_group = rule.get("tenant_group")
        if not group:
            errors.append(FieldError(f"{where}.group", _("Name the identity provider's group.")))
        if isinstance(tenant_group, bool) or tenant_group not in existing:
            errors.append(
                FieldError(f"{where}.tenant_group", _("Choose one of this portal's groups."))
            )
        elif group:
            rules.append({"group": group[:256], "tenant_group": tenant_group})
    if len(raw) > MAX_RULES:
        errors.append(FieldError("group_membership_rules", _at_most_rules()))
    return rules, errors


def _choose_one_of(choices: Iterable[str]) -> str:
    return _("Choose one of: %(choices)s") % {"choices": ", ".join(choices)}


def _at_most_rules() -> str:
    return _("At most %(limit)s rules.") % {"limit": MAX_RULES}


def _text(value: Any, field: str, limit: int, errors: list[FieldError]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        errors.append(FieldError(field, _("Give text.")))
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.append(FieldError(field, _("At most %(limit)s characters.") % {"limit": limit}))
    return value


def _values_apply(provider: IdentityProvider, values: dict[str, Any]) -> list[FieldError]:
    """Put `values` (a subset of EDITABLE_FIELDS) on `provider`, normalised; return what was
    wrong with them."""
    errors: list[FieldError] = []
    for field, value in values.items():
        if field in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                errors.append(FieldError(field, _("Give true or false.")))
            else:
                setattr(provider, field, value)
        elif field == "name":
            provider.name = _text(value, field, 100, errors)
        elif field == "slug":
            provider.slug = _text(value, field, 40, errors).lower()
        elif field in URL_FIELDS:
            setattr(provider, field, _text(value, field, 1024, errors))
        elif field in ("saml_entity_id", "oidc_client_id"):
            limit = 1024 if field == "saml_entity_id" else 255
            setattr(provider, field, _text(value, field, limit, errors))
        elif field == "oidc_scopes":
            provider.oidc_scopes = " ".join(_text(value, field, 255, errors).split())
        elif field == "oauth2_backend":
            provider.oauth2_backend = _text(value, field, 64, errors)
        elif field == "saml_sso_binding":
            if value not in SamlBinding.values:
                errors.append(FieldError(field, _("Choose HTTP-Redirect or HTTP-POST.")))
            else:
                provider.saml_sso_binding = value
        elif field == "saml_name_id_format":
            if value not in NameIdFormat.values:
                errors.append(FieldError(field, _("Choose one of the NameID formats.")))
            else:
                provider.saml_name_id_format = value
        elif field == "saml_clock_skew_seconds":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= MAX_CLOCK_SKEW_SECONDS
            ):
                errors.append(
                    FieldError(
                        field,
                        _("A whole number of seconds, 0 to %(maximum)s.")
                        % {"maximum": MAX_CLOCK_SKEW_SECONDS},
                    )
                )
            else:
                provider.saml_clock_skew_seconds = value
        elif field == "default_role":
            if value not in Role.values:
                errors.append(FieldError(field, _choose_one_of(Role.values)))
            else:
                provider.default_role = value
        elif field == "saml_certificates":
            if not isinstance(value, list):
                errors.append(FieldError(field, _("Give a list of certificates.")))
                continue
            bodies, problems = certificates_normalised(value)
            errors.extend(problems)
            provider.saml_certificates = bodies
        elif field == "email_domains":
            if not isinstance(value, list):
                errors.append(FieldError(field, _("Give a list of domains.")))
                continue
            domains, problems = email_domains_normalised(value)
            errors.extend(problems)
            provider.email_domains = domains
        elif field == "attribute_mapping":
            provider.attribute_mapping, problems = _mapping_normalised(value)
            errors.extend(problems)
        elif field == "group_role_rules":
            provider.group_role_rules, problems = _role_rules_normalised(value)
            errors.extend(problems)
        elif field == "group_membership_rules":
            provider.group_membership_rules, problems = _membership_rules_normalised(value)
            errors.extend(problems)
        else:  # a caller's mistake, not the admin's
            raise TypeError(f"{field} is not a field an admin sets")
    return errors


def _provider_problems(provider: IdentityProvider) -> list[FieldError]:
    """What the provider as a whole still lacks or gets wrong, for its kind."""
    errors: list[FieldError] = []
    if not provider.name:
        errors.append(FieldError("name", _("Give the provider a name people recognise.")))
    if not re.match(SLUG_PATTERN, provider.slug or ""):
        errors.append(
            FieldError(
                "slug",
                _(
                    "Use 1 to 40 lower-case letters, digits and hyphens, starting and ending "
                    "with a letter or digit (it appears in this provider's addresses)."
                ),
            )
        )
    elif (
        IdentityProvider.objects.exclude(pk=provider.pk).filter(slug__iexact=provider.slug).exists()
    ):
        errors.append(FieldError("slug", _("Another identity provider already uses this slug.")))
    for field in URL_FIELDS:
        value = getattr(provider, field)
        problem = url_problem(value) if value else None
        if not problem and value and field in FETCHED_URL_FIELDS:
            problem = outbound.address_problem(value)
        if problem:
            errors.append(FieldError(field, problem))
    if provider.kind == ProviderKind.SAML:
        if not provider.saml_entity_id:
            errors.append(
                FieldError("saml_entity_id", _("Give the identity provider's entity ID."))
            )
        if not provider.saml_sso_url:
            errors.append(FieldError("saml_sso_url", _("Give the single sign-on service URL.")))
        if not provider.saml_certificates:
            errors.append(
                FieldError(
                    "saml_certificates",
                    _("Give at least one signing certificate of the identity provider."),
                )
            )
    else:
        if provider.kind == ProviderKind.OIDC and not provider.oidc_issuer:
            errors.append(
                FieldError("oidc_issuer", _("Give the issuer, like https://idp.example."))
            )
        if provider.kind == ProviderKind.OAUTH2 and not _BACKEND.match(provider.oauth2_backend):
            errors.append(
                FieldError("oauth2_backend", _("Name the OAuth 2 backend, like github or gitlab."))
            )
        if not provider.oidc_client_id:
            errors.append(FieldError("oidc_client_id", _("Give the client ID.")))
        if not provider.oidc_client_secret_sealed:
            errors.append(FieldError(SECRET_FIELD, _("Give the client secret.")))
        scopes = provider.oidc_scopes.split()
        if any(not _SCOPE.match(scope) for scope in scopes):
            errors.append(FieldError("oidc_scopes", _("Separate scopes with spaces.")))
        elif provider.kind == ProviderKind.OIDC and "openid" not in scopes:
            errors.append(FieldError("oidc_scopes", _("OpenID Connect needs the scope openid.")))
    if provider.email_domains:
        errors.extend(_domain_conflicts(provider))
    return errors


def _domain_conflicts(provider: IdentityProvider) -> list[FieldError]:
    others = IdentityProvider.objects.exclude(pk=provider.pk).filter(
        email_domains__overlap=provider.email_domains
    )
    errors = []
    for other in others.only("name", "email_domains"):
        for domain in provider.email_domains:
            if domain in other.email_domains:
                errors.append(
                    FieldError(
                        "email_domains",
                        _("%(domain)s is already served by %(provider)s.")
                        % {"domain": domain, "provider": other.name},
                    )
                )
    return errors


def _not_named_yet(named: list[FieldError], more: list[FieldError]) -> list[FieldError]:
    """`more` without errors on fields `named` already speaks of ("saml_certificates"
    after "saml_certificates[0]": the certificate is missing because it was unreadable)."""
    fields = {error.field.split("[")[0].split(".")[0] for error in named}
    return [error for error in more if error.field not in fields]


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(SsoErrorCode.PROVIDER_INVALID, _not_saved(), errors)


def _not_saved() -> str:
    return _("The identity provider was not saved.")


# ------------------------------------------------------------------------------------------
# The audit record (never a secret)
def certificate_fingerprint(body: str) -> str:
    import base64

    try:
        der = base64.b64decode(body)
    except ValueError:
        der = body.encode()
    return "sha256:" + hashlib.sha256(der).hexdigest()[:32]


def provider_audit_values(provider: IdentityProvider) -> dict[str, Any]:
    values = {field: getattr(provider, field) for field in EDITABLE_FIELDS}
    values["kind"] = provider.kind
    values["saml_certificates"] = [certificate_fingerprint(b) for b in provider.saml_certificates]
    values["client_secret_set"] = provider.has_client_secret
    return values


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


# ------------------------------------------------------------------------------------------
# Writing
def _split_secret(values: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    values = dict(values)
    secret = values.pop(SECRET_FIELD, None)
    if secret is not None and not isinstance(secret, str):
        raise ValidationFailed(
            SsoErrorCode.PROVIDER_INVALID, _not_saved(), [FieldError(SECRET_FIELD, _("Give text."))]
        )
    return (secret.strip() or None) if secret else None, values


def _save(provider: IdentityProvider) -> None:
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError as exc:  # a concurrent save took the slug
        raise Conflict(
            SsoErrorCode.PROVIDER_INVALID,
            _not_saved(),
            [FieldError("slug", _("Another identity provider already uses this slug."))],
        ) from exc


@transaction.atomic
def provider_create(
    *, actor, kind: str, preset: str = "", extra: dict[str, Any] | None = None, **values: Any
) -> IdentityProvider:
    """Add an identity provider of `kind`. A `preset` (sso.presets) fills the attribute
    mapping (and NameID format or scopes) where `values` do not say otherwise. `extra` holds
    fields the metadata import sets (refresh time). Refuses naming each wrong field."""
    if kind not in ProviderKind.values:
        _refuse([FieldError("kind", _("Choose saml, oidc or oauth2."))])
    entitlement_require("identity_providers")
    secret, values = _split_secret(values)
    provider = IdentityProvider(kind=kind)
    errors: list[FieldError] = []
    if preset:
        found = preset_named("saml" if kind == ProviderKind.SAML else "oidc", preset)
        if found is None or (kind == ProviderKind.OAUTH2):
            errors.append(FieldError("preset", _("Choose one of the presets for this kind.")))
        else:
            provider.preset = found.code
            provider.attribute_mapping = dict(found.mapping)
            if found.name_id_format:
                provider.saml_name_id_format = found.name_id_format
            if found.scopes:
                provider.oidc_scopes = found.scopes
    if kind != ProviderKind.SAML and not values.get("oidc_scopes") and not provider.preset:
        provider.oidc_scopes = "openid email profile" if kind == ProviderKind.OIDC else ""
    errors.extend(_values_apply(provider, values))
    for field, value in (extra or {}).items():
        setattr(provider, field, value)
    if secret:
        provider.oidc_client_secret_sealed = secret_seal(secret)
    errors.extend(_not_named_yet(errors, _provider_problems(provider)))
    _refuse(errors)
    _save(provider)
    after = provider_audit_values(provider)
    audit_record(action=AuditAction.SSO_PROVIDER_CREATED, actor=actor, target=provider, after=after)
    return provider


@transaction.atomic
def provider_update(
    *, provider: IdentityProvider, actor, extra: dict[str, Any] | None = None, **values: Any
) -> IdentityProvider:
    """Change `values` of `provider` (others stay). A blank client secret keeps the one
    saved. Disabling the last enabled provider of an SSO-only portal is refused."""
    provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
    before = provider_audit_values(provider)
    secret, values = _split_secret(values)
    errors = _values_apply(provider, values)
    for field, value in (extra or {}).items():
        setattr(provider, field, value)
    secret_replaced = bool(secret)
    if secret:
        provider.oidc_client_secret_sealed = secret_seal(secret)
    errors.extend(_not_named_yet(errors, _provider_problems(provider)))
    if before["enabled"] and not provider.enabled and _last_enabled_of_sso_only(provider):
        errors.append(
            FieldError(
                "enabled",
                _(
                    "Sign-in is set to single sign-on only and this is the only enabled "
                    "provider: enable another one or allow passwords first."
                ),
            )
        )
    _refuse(errors)
    _save(provider)
    # The next sign-in reads the provider's discovery document and keys afresh.
    transaction.on_commit(lambda: oidc_metadata.metadata_forget(provider))
    before_changed, after_changed = _changes(before, provider_audit_values(provider))
    if secret_replaced:
        before_changed[SECRET_FIELD] = "(hidden)"
        after_changed[SECRET_FIELD] = "(replaced)"
    if after_changed:
        audit_record(
            action=AuditAction.SSO_PROVIDER_CHANGED,
            actor=actor,
            target=provider,
            before=before_changed,
            after=after_changed,
        )
    return provider


def _last_enabled_of_sso_only(provider: IdentityProvider) -> bool:
    policy = SsoPolicy.objects.filter(pk=1).first()
    if policy is None or not policy.sso_only:
        return False
    return not IdentityProvider.objects.filter(enabled=True).exclude(pk=provider.pk).exists()


@transaction.atomic
def provider_delete(*, provider: IdentityProvider, actor) -> None:
    """Remove `provider` and the links of people to it (the people stay)."""
    provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
    if provider.enabled and _last_enabled_of_sso_only(provider):
        raise SsoRefused(
            SsoErrorCode.POLICY_INVALID,
            _(
                "Sign-in is set to single sign-on only and this is the only enabled "
                "provider: enable another one or allow passwords before deleting it."
            ),
            status=409,
        )
    before = provider_audit_values(provider)
    audit_record(
        action=AuditAction.SSO_PROVIDER_DELETED,
        actor=actor,
        target=provider,
        before=before,
    )
    provider.delete()
