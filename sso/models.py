"""Single sign-on, per tenant: the identity providers a tenant trusts (SAML 2.0 and OpenID
Connect / OAuth 2), the service-provider key pairs its SAML metadata publishes, the links
between people and their identities at a provider, the tenant's sign-in policy, and the
traces of test connections. Every table lives in the tenant's schema."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tenant_apps.people.models import Role

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"


class ProviderKind(models.TextChoices):
    SAML = "saml", _("SAML 2.0")
    OIDC = "oidc", _("OpenID Connect")
    OAUTH2 = "oauth2", _("OAuth 2")


class SamlBinding(models.TextChoices):
    REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", _("HTTP-Redirect")
    POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", _("HTTP-POST")


class NameIdFormat(models.TextChoices):
    UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified", _("Unspecified")
    EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", _("E-mail address")
    PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", _("Persistent")
    TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient", _("Transient")


# The person's attributes a provider's assertion or claims can fill, and what each is called
# in the mapping (sso.presets gives the names each well-known provider uses).
MAPPED_ATTRIBUTES = (
    "email",
    "first_name",
    "last_name",
    "display_name",
    "groups",
    "department",
    "employee_number",
)


class IdentityProvider(models.Model):
    """One identity provider this tenant trusts. A tenant may have several (one per
    subsidiary, a test and a production IdP, ...); `slug` names it in URLs."""

    slug = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=ProviderKind.choices)
    # Which preset (sso.presets) the mapping started from, for the admin's information.
    preset = models.CharField(max_length=32, blank=True)
    enabled = models.BooleanField(default=True)
    # People whose e-mail is at one of these domains are sent to this provider by the login
    # page's discovery (lower case, no "@").
    email_domains = ArrayField(models.CharField(max_length=253), default=list, blank=True)

    # Just-in-time provisioning: {attribute in MAPPED_ATTRIBUTES: SAML attribute name or
    # OIDC claim}; rules turning the provider's groups into roles and tenant groups.
    attribute_mapping = models.JSONField(default=dict, blank=True)
    # [{"group": "<provider group>", "role": "<Role>"}], the highest role granted wins.
    group_role_rules = models.JSONField(default=list, blank=True)
    # [{"group": "<provider group>", "tenant_group": <LearnerGroup id>}].
    group_membership_rules = models.JSONField(default=list, blank=True)
    default_role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    create_people = models.BooleanField(default=True)
    # Sign in an existing local account with the same e-mail (only when the provider
    # asserts that e-mail).
    link_existing_accounts = models.BooleanField(default=False)

    # SAML 2.0
    saml_entity_id = models.CharField(max_length=1024, blank=True)
    saml_sso_url = models.URLField(max_length=1024, blank=True)
    saml_sso_binding = models.CharField(
        max_length=64, choices=SamlBinding.choices, default=SamlBinding.REDIRECT
    )
    saml_slo_url = models.URLField(max_length=1024, blank=True)
    # The IdP's signing certificates (PEM bodies): several during a rollover.
    saml_certificates = ArrayField(models.TextField(), default=list, blank=True)
    saml_metadata_url = models.URLField(max_length=1024, blank=True)
    saml_metadata_refreshed_at = models.DateTimeField(null=True, blank=True)
    saml_metadata_error = models.CharField(max_length=500, blank=True)
    saml_name_id_format = models.CharField(
        max_length=128, choices=NameIdFormat.choices, default=NameIdFormat.UNSPECIFIED
    )
    saml_sign_requests = models.BooleanField(default=True)
    saml_want_assertions_signed = models.BooleanField(default=True)
    saml_want_assertions_encrypted = models.BooleanField(default=False)
    saml_allow_sha1 = models.BooleanField(default=False)
    saml_allow_idp_initiated = models.BooleanField(default=False)
    saml_clock_skew_seconds = models.PositiveIntegerField(default=120)

    # OpenID Connect / OAuth 2
    oidc_issuer = models.URLField(max_length=1024, blank=True)
    oidc_client_id = models.CharField(max_length=255, blank=True)
    # Encrypted (core.secret_box); never returned after saving.
    oidc_client_secret_sealed = models.TextField(blank=True)
    oidc_scopes = models.CharField(max_length=255, default="openid email profile", blank=True)
    # A social-auth-app-django backend name for plain OAuth 2 providers (kind oauth2).
    oauth2_backend = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="sso_provider_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(slug__regex=SLUG_PATTERN), name="sso_provider_slug_shape"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in ProviderKind]),
                name="sso_provider_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(default_role__in=[role.value for role in Role]),
                name="sso_provider_default_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_saml(self) -> bool:
        return self.kind == ProviderKind.SAML

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oidc_client_secret_sealed)


# The provider's fields an admin sets, by kind (the services, the API and the pages read
# these; `kind` is chosen once, at creation; the client secret is write-only, apart).
PROVIDER_COMMON_FIELDS = (
    "name",
    "slug",
    "enabled",
    "email_domains",
    "attribute_mapping",
    "group_role_rules",
    "group_membership_rules",
    "default_role",
    "create_people",
    "link_existing_accounts",
)
PROVIDER_SAML_FIELDS = (
    "saml_entity_id",
    "saml_sso_url",
    "saml_sso_binding",
    "saml_slo_url",
    "saml_certificates",
    "saml_metadata_url",
    "saml_name_id_format",
    "saml_sign_requests",
    "saml_want_assertions_signed",
    "saml_want_assertions_encrypted",
    "saml_allow_sha1",
    "saml_allow_idp_initiated",
    "saml_clock_skew_seconds",
)
PROVIDER_OIDC_FIELDS = ("oidc_issuer", "oidc_client_id", "oidc_scopes", "oauth2_backend")


class KeyState(models.TextChoices):
    # Published in the metadata so IdPs learn it, not yet used to sign.
    NEXT = "next", _("Published, not yet in use")
    ACTIVE = "active", _("In use")
    # Still published for decryption for a while after a rollover.
    RETIRED = "retired", _("Retired")


class ServiceProviderKey(models.Model):
    """A key pair of this tenant's SAML service provider: it signs AuthnRequests, logout
    messages and metadata, and IdPs encrypt assertions to it. One is active at a time."""

    state = models.CharField(max_length=8, choices=KeyState.choices)
    certificate_pem = models.TextField()
    # Encrypted (core.secret_box); never leaves the server.
    private_key_sealed = models.TextField()
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state="active"),
                name="sso_one_active_sp_key",
            ),
            models.UniqueConstraint(
                fields=["state"], condition=models.Q(state="next"), name="sso_one_next_sp_key"
            ),
        ]

    def __str__(self) -> str:
        return f"SP key {self.pk} ({self.state})"


class ExternalIdentity(models.Model):
    """Who a person is at a provider: the SAML NameID or the OIDC `sub` it asserts."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="identities"
    )
    subject = models.CharField(max_length=512)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    # What the provider said last time (after mapping), shown on the person's page.
    last_attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.provider_id}"


class SsoPolicy(models.Model):
    """The tenant's sign-in rules (one row per tenant schema)."""

    # Password sign-in off for everyone but the break-glass admins.
    sso_only = models.BooleanField(default=False)
    break_glass_admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True
    )
    default_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="sso_policy_single_row")
        ]

    def __str__(self) -> str:
        return "SSO only" if self.sso_only else "SSO and passwords"


class TestRunStatus(models.TextChoices):
    STARTED = "started", _("Waiting for the identity provider")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ConnectionTest(models.Model):
    """One test connection an admin ran: each step of the round trip as it was checked, the
    attributes or claims received and how they map onto a person. Nothing else is saved and
    nobody is signed in by it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="connection_tests"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=TestRunStatus.choices, default=TestRunStatus.STARTED
    )
    # [{"title": str, "ok": bool | None, "detail": str, "data": str}], in order.
    steps = models.JSONField(default=list, blank=True)
    # The raw attributes / claims, and the person they would make (sso.services.provisioning).
    attributes = models.JSONField(default=dict, blank=True)
    mapped = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    # The refusal's code (sso.errors.SsoErrorCode), which picks the page's advice.
    failure_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"test of {self.provider_id}: {self.status}"


class CertificateWarning(models.Model):
    """An expiry warning e-mailed to the tenant's admins: one per certificate (by SHA-256
    fingerprint) and threshold (30 or 7 days), so the daily check sends each once."""

    fingerprint = models.CharField(max_length=64)
    threshold_days = models.PositiveSmallIntegerField()
    # What it was about, for the record: "Signing certificate of Acme Entra ID".
    label = models.CharField(max_length=300)
    not_after = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint", "threshold_days"], name="sso_certificate_warning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.threshold_days} days"
