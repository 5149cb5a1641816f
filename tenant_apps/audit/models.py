"""Who did what to whom: admin actions, kept per tenant."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    USER_INVITED = "user.invited"
    USER_REGISTERED = "user.registered"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_MANAGED_FIELDS_CHANGED = "user.managed_fields_changed"
    USER_REMOVED = "user.removed"
    USER_ANONYMISED = "user.anonymised"
    GROUP_CREATED = "group.created"
    GROUP_CHANGED = "group.changed"
    GROUP_MEMBERS_CHANGED = "group.members_changed"
    GROUP_DELETED = "group.deleted"
    PEOPLE_SETTINGS_CHANGED = "settings.people_changed"
    BRANDING_CHANGED = "branding.changed"
    BRANDING_LOGO_CHANGED = "branding.logo_changed"
    BRANDING_DRAFT_SAVED = "branding.draft_saved"
    BRANDING_PUBLISHED = "branding.published"
    DOMAIN_ADDED = "domain.added"
    DOMAIN_VERIFIED = "domain.verified"
    DOMAIN_REMOVED = "domain.removed"
    DOMAIN_LAPSED = "domain.lapsed"
    COURSE_PUBLISHED = "course.published"
    COURSE_ARCHIVED = "course.archived"
    GRADE_OVERRIDDEN = "grade.overridden"
    CERTIFICATE_REVOKED = "certificate.revoked"
    ENROLLMENT_ASSIGNED = "enrollment.assigned"
    GROUP_COURSE_ASSIGNED = "group.course_assigned"
    ENROLLMENT_ACTIVATED = "enrollment.activated"
    ENROLLMENT_CANCELLED = "enrollment.cancelled"
    SSO_PROVIDER_CREATED = "sso.provider_created"
    SSO_PROVIDER_CHANGED = "sso.provider_changed"
    SSO_PROVIDER_DELETED = "sso.provider_deleted"
    SSO_METADATA_REFRESHED = "sso.metadata_refreshed"
    SSO_POLICY_CHANGED = "sso.policy_changed"
    SSO_KEY_CREATED = "sso.key_created"
    SSO_KEY_ACTIVATED = "sso.key_activated"
    SSO_PERSON_CREATED = "sso.person_created"
    SSO_ACCOUNT_LINKED = "sso.account_linked"
    SSO_LOGIN_FAILED = "sso.login_failed"
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created"
    WEBHOOK_ENDPOINT_CHANGED = "webhook.endpoint_changed"
    WEBHOOK_ENDPOINT_DELETED = "webhook.endpoint_deleted"
    WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105 - an action name
    WEBHOOK_MESSAGES_REPLAYED = "webhook.messages_replayed"
    SCIM_TOKEN_CREATED = "scim.token_created"  # noqa: S105 - an action name
    SCIM_TOKEN_REVOKED = "scim.token_revoked"  # noqa: S105 - an action name
    SCIM_ROLE_RULE_ADDED = "scim.role_rule_added"
    SCIM_ROLE_RULE_REMOVED = "scim.role_rule_removed"
    IMPORT_MAPPING_CHANGED = "import.mapping_changed"
    IMPORT_APPLIED = "import.applied"
    IMPORT_ROLLED_BACK = "import.rolled_back"
    PAYMENT_ACCOUNT_SAVED = "payment.account_saved"
    PAYMENT_ACCOUNT_REMOVED = "payment.account_removed"
    PAYMENT_SETTINGS_CHANGED = "payment.settings_changed"
    PAYMENT_REFUNDED = "payment.refunded"
    COUPON_CREATED = "coupon.created"
    COUPON_CHANGED = "coupon.changed"
    COUPON_DELETED = "coupon.deleted"


class AuditEntry(models.Model):
    action = models.CharField(max_length=64, choices=AuditAction.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    # Kept as text too: the entry stays readable after the actor is gone.
    actor_email = models.CharField(max_length=254, blank=True)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The log is listed newest first, and filtered by who acted (selectors.py).
            models.Index(fields=["-created_at", "-id"], name="audit_created_idx"),
            models.Index(fields=["actor_id", "-created_at", "-id"], name="audit_actor_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.target_type}:{self.target_id}"
