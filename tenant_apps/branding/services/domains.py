"""Custom domains: added by an admin, verified through a TXT record, then routed.

Routing lives in the public schema; the branding app reaches it only through the hook the
composition root registers (branding.hooks), so the public schema's rules for a domain
name are the ones applied here."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.entitlements import entitlement_require
from core.errors import ApplicationError, FieldError, NotFound, ValidationFailed
from core.transactions import after_commit
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.branding.domain_checks import verification_failure
from tenant_apps.branding.errors import BrandingErrorCode
from tenant_apps.branding.hooks import domain_routing
from tenant_apps.branding.models import CustomDomain, DomainFailure, DomainStatus
from tenant_apps.branding.services.domain_notices import domain_lapse_notify
from tenant_apps.people.models import User


def _taken(name: str) -> ValidationFailed:
    return ValidationFailed(
        BrandingErrorCode.DOMAIN_TAKEN,
        _("The domain '%(name)s' is already added.") % {"name": name},
        [FieldError("name", _("This portal already has this domain."))],
    )


def custom_domain_add(*, name: str, actor: User | None) -> CustomDomain:
    """Add a domain, pending until its TXT record is verified; its token is random.
    Refused (PlanLimitReached) when the tenant's plan does not include custom domains."""
    entitlement_require("custom_domains")
    routing = domain_routing()
    name = routing.normalise(name or "")
    problem = routing.problem(name) if name else _("Enter a domain such as learn.example.com.")
    if problem:
        raise ValidationFailed(
            BrandingErrorCode.DOMAIN_INVALID,
            _("The domain cannot be added."),
            [FieldError("name", problem)],
        )
    if CustomDomain.objects.filter(name__iexact=name).exists():
        raise _taken(name)
    try:
        with transaction.atomic():
            domain = CustomDomain.objects.create(name=name, token=secrets.token_hex(16))
            audit_record(
                action=AuditAction.DOMAIN_ADDED, actor=actor, target=domain, after={"name": name}
            )
    except IntegrityError as exc:
        raise _taken(name) from exc
    return domain


def _locked(domain_id: int) -> CustomDomain:
    domain = CustomDomain.objects.select_for_update().filter(pk=domain_id).first()
    if domain is None:
        raise NotFound(BrandingErrorCode.DOMAIN_NOT_FOUND, _("No such domain."))
    return domain


def custom_domain_verify(*, domain_id: int, actor: User | None) -> CustomDomain:
    """Look the domain's TXT record up (outside any transaction: it may take seconds), then
    record the outcome: verified (and routed to this tenant) or failed with the reason. A
    verified domain stays verified."""
    found = CustomDomain.objects.filter(pk=domain_id).first()
    if found is None:
        raise NotFound(BrandingErrorCode.DOMAIN_NOT_FOUND, _("No such domain."))
    if found.status == DomainStatus.VERIFIED:
        return found
    failure = verification_failure(found.verification_name, found.token)
    with transaction.atomic():
        domain = _locked(domain_id)
        if domain.status == DomainStatus.VERIFIED or domain.token != found.token:
            return domain
        domain.checked_at = timezone.now()
        if failure is None:
            try:
                with transaction.atomic():
                    domain_routing().route(domain.name)
            except ApplicationError:
                failure = DomainFailure.TAKEN
        if failure is None:
            domain.status = DomainStatus.VERIFIED
            domain.failure = ""
            domain.verified_at = domain.checked_at
            domain.lapsed_since, domain.lapse_failure = None, ""
            audit_record(
                action=AuditAction.DOMAIN_VERIFIED,
                actor=actor,
                target=domain,
                before={"status": found.status},
                after={"status": DomainStatus.VERIFIED},
            )
        else:
            domain.status = DomainStatus.FAILED
            domain.failure = failure
        domain.save(
            update_fields=[
                "status",
                "failure",
                "checked_at",
                "verified_at",
                "lapsed_since",
                "lapse_failure",
            ]
        )
    return domain


@transaction.atomic
def custom_domain_remove(*, domain_id: int, actor: User | None) -> None:
    """Forget a domain; a verified one stops routing to this tenant at once."""
    domain = _locked(domain_id)
    if domain.status == DomainStatus.VERIFIED:
        domain_routing().unroute(domain.name)
    audit_record(
        action=AuditAction.DOMAIN_REMOVED,
        actor=actor,
        target=domain,
        before={"name": domain.name, "status": domain.status},
    )
    domain.delete()


def custom_domains_recheck() -> int:
    """Verify again every domain not yet verified (the periodic task); returns how many
    became verified."""
    verified = 0
    for domain_id in CustomDomain.objects.exclude(status=DomainStatus.VERIFIED).values_list(
        "pk", flat=True
    ):
        try:
            domain = custom_domain_verify(domain_id=domain_id, actor=None)
        except NotFound:
            continue  # removed meanwhile
        verified += domain.status == DomainStatus.VERIFIED
    return verified


# What the DNS may answer while it is having trouble: never taken as the record being gone.
TRANSIENT_FAILURES = frozenset({DomainFailure.TIMEOUT, DomainFailure.DNS_ERROR})


def verified_domains_recheck(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Look up the TXT record of every verified domain again (the daily task). Found: any
    lapse ends. Gone (no such name, no TXT, another token) for the first time: the lapse
    starts and the admins are told by e-mail. Gone for CUSTOM_DOMAIN_LAPSE_DAYS: the domain
    stops routing to this portal (status failed, audited, admins told); "Verify now" brings
    it back once the record is. A DNS that does not answer changes nothing."""
    now = now or timezone.now()
    outcome = {"checked": 0, "lapsing": 0, "unrouted": 0, "restored": 0}
    verified = CustomDomain.objects.filter(status=DomainStatus.VERIFIED)
    for found in list(verified.only("pk", "name", "token")):
        failure = verification_failure(found.verification_name, found.token)
        if failure in TRANSIENT_FAILURES:
            continue
        with transaction.atomic():
            domain = CustomDomain.objects.select_for_update().filter(pk=found.pk).first()
            if domain is None or domain.status != DomainStatus.VERIFIED:
                continue  # removed, or changed, meanwhile
            outcome["checked"] += 1
            step = _lapse_step(domain, failure, now)
            if step:
                outcome[step] += 1
    return outcome


def _lapse_step(domain: CustomDomain, failure: DomainFailure | None, now) -> str:
    """Move one locked, verified domain on by what its lookup found; the step taken."""
    domain.checked_at = now
    step = ""
    if failure is None:
        step = "restored" if domain.lapsed_since else ""
        domain.lapsed_since, domain.lapse_failure = None, ""
    elif domain.lapsed_since is None:
        domain.lapsed_since, domain.lapse_failure = now, failure
        step = "lapsing"
    elif domain.lapsed_since <= now - datetime.timedelta(days=settings.CUSTOM_DOMAIN_LAPSE_DAYS):
        domain_routing().unroute(domain.name)
        audit_record(
            action=AuditAction.DOMAIN_LAPSED,
            actor=None,
            target=domain,
            before={"status": DomainStatus.VERIFIED},
            after={"status": DomainStatus.FAILED, "failure": failure},
        )
        domain.status, domain.failure = DomainStatus.FAILED, failure
        domain.lapsed_since, domain.lapse_failure = None, ""
        step = "unrouted"
    else:
        domain.lapse_failure = failure
    domain.save(update_fields=["status", "failure", "checked_at", "lapsed_since", "lapse_failure"])
    if step in ("lapsing", "unrouted"):
        domain_id = domain.pk
        after_commit(lambda: domain_lapse_notify(domain_id=domain_id))
    return step
