"""Tenants and their domains (public schema)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class TenantStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


class Tenant(TenantMixin):
    """An organisation with its own schema. `schema_name` is derived from the slug."""

    slug = models.CharField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=TenantStatus.choices, default=TenantStatus.PROVISIONING
    )
    plan_code = models.CharField(max_length=64, default="standard")
    contact_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Deletion is soft until the grace period ends; `purge_after` set means "deleted".
    deleted_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)

    # Schemas come from the spare pool or the template (shared_apps.tenants.schemas),
    # never from a per-tenant migration run.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="tenant_slug_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in TenantStatus]),
                name="tenant_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="tenant_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def is_deleted(self) -> bool:
        return self.purge_after is not None


class Domain(DomainMixin):
    """A host name that routes to a tenant: its primary `<slug>.<BASE_DOMAIN>` or a custom one."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="domain_name_ci_unique"),
            # At most one primary domain per tenant.
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name="domain_one_primary_per_tenant",
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class SpareSchema(models.Model):
    """A pre-built tenant schema waiting to be claimed by the next new tenant.

    `fingerprint` identifies the migration state the schema was built at; only spares with
    the current fingerprint are claimed.
    """

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.schema_name


class IdempotencyRecord(models.Model):
    """Remembers which tenant a create request with an `Idempotency-Key` produced."""

    operator_id = models.BigIntegerField()
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator_id", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.tenant_id}"


class TemplateState(models.Model):
    """The migration state the template schema was last brought to."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.schema_name} @ {self.fingerprint[:12]}"
