"""The tenant's sign-in policy: SSO only (with named break-glass admins), the default
identity provider, and which provider serves an e-mail's domain (discovery)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import FieldError, ValidationFailed
from sso.errors import SsoErrorCode
from sso.models import IdentityProvider, SsoPolicy
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import Role, User


def sso_policy() -> SsoPolicy:
    policy, _created = SsoPolicy.objects.get_or_create(id=1)
    return policy


def _policy_values(policy: SsoPolicy) -> dict:
    return {
        "sso_only": policy.sso_only,
        "break_glass_admin_ids": sorted(policy.break_glass_admins.values_list("pk", flat=True)),
        "default_provider": policy.default_provider.slug if policy.default_provider else None,
    }


@transaction.atomic
def sso_policy_update(
    *,
    actor: User | None,
    sso_only: bool | None = None,
    break_glass_admin_ids: list[int] | None = None,
    default_provider_id: int | object | None = ...,
) -> SsoPolicy:
    """Change the policy. Turning SSO-only on needs an enabled provider and at least one
    active break-glass admin, so nobody locks the tenant out of its own portal."""
    policy = SsoPolicy.objects.select_for_update().get(pk=sso_policy().pk)
    before = _policy_values(policy)
    errors: list[FieldError] = []
    if break_glass_admin_ids is not None:
        admins = list(
            User.objects.filter(pk__in=break_glass_admin_ids, role=Role.ADMIN, is_active=True)
        )
        if len(admins) != len(set(break_glass_admin_ids)):
            errors.append(
                FieldError("break_glass_admin_ids", _("Choose active admins of this organisation."))
            )
        else:
            policy.break_glass_admins.set(admins)
    if default_provider_id is not ...:
        if default_provider_id is None:
            policy.default_provider = None
        else:
            provider = IdentityProvider.objects.filter(pk=default_provider_id).first()
            if provider is None:
                errors.append(FieldError("default_provider", _("Choose one of the providers.")))
            else:
                policy.default_provider = provider
    if sso_only is not None:
        policy.sso_only = sso_only
    if policy.sso_only and not errors:
        if not IdentityProvider.objects.filter(enabled=True).exists():
            errors.append(
                FieldError("sso_only", _("Add and enable an identity provider before this."))
            )
        elif not policy.break_glass_admins.filter(is_active=True, role=Role.ADMIN).exists():
            errors.append(
                FieldError(
                    "break_glass_admin_ids",
                    _("Name at least one admin who may still sign in with a password."),
                )
            )
    if errors:
        raise ValidationFailed(
            SsoErrorCode.POLICY_INVALID, _("The sign-in policy was not changed."), errors
        )
    policy.save()
    after = _policy_values(policy)
    if before != after:
        audit_record(
            action=AuditAction.SSO_POLICY_CHANGED,
            actor=actor,
            target=policy,
            before=before,
            after=after,
        )
    return policy


def password_refusal(user: User) -> str | None:
    """Why `user` may not sign in with a password (people.login_methods asks)."""
    policy = SsoPolicy.objects.filter(pk=1).first()
    if policy is None or not policy.sso_only:
        return None
    if policy.break_glass_admins.filter(pk=user.pk).exists():
        return None
    return _(
        "This organisation signs in through its identity provider. "
        "Use single sign-on above instead of a password."
    )


def password_form_wanted() -> bool:
    policy = SsoPolicy.objects.filter(pk=1).first()
    return policy is None or not policy.sso_only


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider serving `email`'s domain (the default one when several do)."""
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    if not domain:
        return None
    serving = list(IdentityProvider.objects.filter(enabled=True, email_domains__contains=[domain]))
    if not serving:
        return None
    policy = SsoPolicy.objects.filter(pk=1).first()
    default_id = policy.default_provider_id if policy else None
    return next((p for p in serving if p.pk == default_id), serving[0])
