"""Tenant lifecycle: provision, suspend, resume, archive, delete, restore, purge, domains."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from core.entitlements import entitlement_require
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.transactions import after_commit
from shared_apps.tenants import hooks, schemas
from shared_apps.tenants.errors import TenantErrorCode
from shared_apps.tenants.models import Domain, IdempotencyRecord, Tenant, TenantStatus
from shared_apps.tenants.routing import routing_changed
from shared_apps.tenants.validation import (
    domain_problem,
    normalise_domain,
    validate_tenant_fields,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TenantCreation:
    tenant: Tenant
    created: bool  # False when an Idempotency-Key replayed an earlier creation
    # Wall-clock seconds the provisioning transaction took (0 for a replay).
    seconds: float = 0.0


def schema_name_for(slug: str) -> str:
    """Tenant schemas are `t_<slug>`: never `public`, `pg_*` or a spare/template name."""
    return "t_" + slug.replace("-", "_")


def primary_domain_for(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _request_fingerprint(**fields: str) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _replay(operator_id: int, key: str, fingerprint: str) -> Tenant | None:
    record = (
        IdempotencyRecord.objects.select_related("tenant")
        .filter(operator_id=operator_id, key=key)
        .first()
    )
    if record is None:
        return None
    if record.request_fingerprint != fingerprint:
        raise Conflict(
            TenantErrorCode.IDEMPOTENCY_KEY_REUSED,
            _("This Idempotency-Key was used for a different request."),
            [FieldError("Idempotency-Key", _("Use a new key for a different request."))],
        )
    return record.tenant


def tenant_create(
    *,
    slug: str,
    name: str,
    admin_email: str,
    plan_code: str = "standard",
    operator_id: int | None = None,
    idempotency_key: str | None = None,
) -> TenantCreation:
    """Provision a tenant: row, primary domain, schema with every table, first admin.

    All of it happens in one transaction (PostgreSQL DDL is transactional): a failure at any
    step leaves no row, no domain and no schema behind. The schema is a claimed spare (a
    rename) or, when the pool is empty, a copy of the template. After the commit the admin
    is sent an invitation and the spare pool is topped up.
    """
    validate_tenant_fields(slug=slug, name=name, admin_email=admin_email, plan_code=plan_code)
    if idempotency_key is not None and operator_id is None:
        raise ValueError("an idempotency key needs the operator it belongs to")
    fingerprint = _request_fingerprint(
        slug=slug, name=name, admin_email=admin_email.lower(), plan_code=plan_code
    )
    if idempotency_key:
        replayed = _replay(operator_id, idempotency_key, fingerprint)
        if replayed is not None:
            return TenantCreation(tenant=replayed, created=False)
    _ensure_slug_free(slug)

    started = time.perf_counter()
    try:
        with transaction.atomic():
            tenant = _provision(slug=slug, name=name, admin_email=admin_email, plan_code=plan_code)
            if idempotency_key:
                IdempotencyRecord.objects.create(
                    operator_id=operator_id,
                    key=idempotency_key,
                    request_fingerprint=fingerprint,
                    tenant=tenant,
                )
    except IntegrityError:
        # A concurrent request won the race for the key or the slug.
        if idempotency_key:
            replayed = _replay(operator_id, idempotency_key, fingerprint)
            if replayed is not None:
                return TenantCreation(tenant=replayed, created=False)
        _ensure_slug_free(slug)
        raise
    seconds = time.perf_counter() - started
    logger.info(
        "tenant %s provisioned in schema %s in %.3f s", tenant.slug, tenant.schema_name, seconds
    )
    return TenantCreation(tenant=tenant, created=True, seconds=seconds)


def _ensure_slug_free(slug: str) -> None:
    if Tenant.objects.filter(slug__lower=slug.lower()).exists():
        raise Conflict(
            TenantErrorCode.SLUG_TAKEN,
            _("The slug '%(slug)s' is already taken.") % {"slug": slug},
            [FieldError("slug", _("A tenant with this slug already exists."))],
        )


def _provision(*, slug: str, name: str, admin_email: str, plan_code: str) -> Tenant:
    from shared_apps.tenants.tasks import spare_schemas_top_up

    tenant = Tenant(
        slug=slug,
        name=name.strip(),
        schema_name=schema_name_for(slug),
        status=TenantStatus.ACTIVE,
        plan_code=plan_code,
        contact_email=admin_email.strip().lower(),
    )
    tenant.save()
    Domain.objects.create(domain=primary_domain_for(slug), tenant=tenant, is_primary=True)

    spare = schemas.spare_claim()
    try:
        if spare is not None:
            schemas.rename_schema(spare, tenant.schema_name)
        else:
            schemas.copy_template(tenant.schema_name)
    except schemas.TemplateMissing as exc:
        raise Conflict(TenantErrorCode.TEMPLATE_MISSING, str(exc)) from exc

    with schema_context(tenant.schema_name):
        hooks.first_admin_create(admin_email)
    after_commit(spare_schemas_top_up.delay)
    routing_changed()
    return tenant


# ------------------------------------------------------------------------------------------
# Status changes
_ALLOWED_FROM: dict[TenantStatus, set[TenantStatus]] = {
    TenantStatus.SUSPENDED: {TenantStatus.ACTIVE},
    TenantStatus.ACTIVE: {TenantStatus.SUSPENDED, TenantStatus.ARCHIVED},
    TenantStatus.ARCHIVED: {TenantStatus.ACTIVE, TenantStatus.SUSPENDED},
}


def _lock(tenant: Tenant) -> Tenant:
    return Tenant.objects.select_for_update().get(pk=tenant.pk)


@transaction.atomic
def _tenant_set_status(*, tenant: Tenant, status: TenantStatus) -> Tenant:
    locked = _lock(tenant)
    if locked.is_deleted:
        raise Conflict(
            TenantErrorCode.INVALID_TRANSITION, _("A deleted tenant must be restored first.")
        )
    if locked.status not in _ALLOWED_FROM[status]:
        raise Conflict(
            TenantErrorCode.INVALID_TRANSITION,
            _("A tenant that is %(status)s cannot become %(new_status)s.")
            % {"status": locked.status, "new_status": status},
        )
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    routing_changed()
    return locked


def tenant_suspend(*, tenant: Tenant) -> Tenant:
    """Block the tenant's people (they see a clear page); keep all data."""
    return _tenant_set_status(tenant=tenant, status=TenantStatus.SUSPENDED)


def tenant_resume(*, tenant: Tenant) -> Tenant:
    """Reopen a suspended or archived tenant."""
    return _tenant_set_status(tenant=tenant, status=TenantStatus.ACTIVE)


def tenant_archive(*, tenant: Tenant) -> Tenant:
    return _tenant_set_status(tenant=tenant, status=TenantStatus.ARCHIVED)


@transaction.atomic
def tenant_delete(*, tenant: Tenant) -> Tenant:
    """Take the tenant offline now; its schema is dropped after the grace period."""
    locked = _lock(tenant)
    if locked.is_deleted:
        return locked
    now = timezone.now()
    locked.deleted_at = now
    locked.purge_after = now + timedelta(days=settings.TENANT_DELETE_GRACE_DAYS)
    locked.save(update_fields=["deleted_at", "purge_after", "updated_at"])
    routing_changed()
    return locked


@transaction.atomic
def tenant_restore(*, tenant: Tenant) -> Tenant:
    locked = _lock(tenant)
    if not locked.is_deleted:
        raise Conflict(TenantErrorCode.INVALID_TRANSITION, _("The tenant is not deleted."))
    locked.deleted_at = None
    locked.purge_after = None
    locked.save(update_fields=["deleted_at", "purge_after", "updated_at"])
    routing_changed()
    return locked


@transaction.atomic
def tenant_purge(*, tenant: Tenant) -> None:
    """Drop a deleted tenant's schema and rows for good."""
    locked = _lock(tenant)
    if not locked.is_deleted:
        raise Conflict(
            TenantErrorCode.INVALID_TRANSITION, _("Only a deleted tenant can be purged.")
        )
    if connection.schema_name != get_public_schema_name():
        connection.set_schema_to_public()
    schemas.drop_schema(locked.schema_name)
    IdempotencyRecord.objects.filter(tenant=locked).delete()
    locked.domains.all().delete()
    Tenant.objects.filter(pk=locked.pk).delete()
    routing_changed()


def tenants_purge_expired(*, now=None) -> list[str]:
    """Purge every tenant whose grace period is over. Returns their slugs."""
    now = now or timezone.now()
    purged = []
    for tenant in Tenant.objects.filter(purge_after__lte=now):
        tenant_purge(tenant=tenant)
        purged.append(tenant.slug)
    return purged


# ------------------------------------------------------------------------------------------
# Domains
@transaction.atomic
def domain_add(*, tenant: Tenant, domain: str) -> Domain:
    """Route `domain` to `tenant`; refused (PlanLimitReached) when the tenant's plan does not
    include custom domains."""
    entitlement_require("custom_domains", schema_name=tenant.schema_name)
    name = normalise_domain(domain)
    problem = domain_problem(name)
    if problem:
        raise ValidationFailed(
            TenantErrorCode.DOMAIN_INVALID,
            _("The domain is not valid."),
            [FieldError("domain", problem)],
        )
    taken = Conflict(
        TenantErrorCode.DOMAIN_TAKEN,
        _("The domain '%(name)s' is already in use.") % {"name": name},
        [FieldError("domain", _("Another tenant (or this one) already uses this domain."))],
    )
    if Domain.objects.filter(domain__lower=name).exists():
        raise taken
    try:
        with transaction.atomic():
            created = Domain.objects.create(domain=name, tenant=tenant, is_primary=False)
    except IntegrityError as exc:
        raise taken from exc
    routing_changed()
    return created


@transaction.atomic
def domain_remove(*, tenant: Tenant, domain: str) -> None:
    name = normalise_domain(domain)
    found = Domain.objects.select_for_update().filter(tenant=tenant, domain__lower=name).first()
    if found is None:
        raise NotFound(
            TenantErrorCode.DOMAIN_NOT_FOUND,
            _("The tenant has no domain '%(name)s'.") % {"name": name},
        )
    if found.is_primary:
        raise Conflict(
            TenantErrorCode.DOMAIN_PRIMARY,
            _("The primary domain cannot be removed."),
            [FieldError("domain", _("This is the tenant's primary domain."))],
        )
    found.delete()
    routing_changed()
