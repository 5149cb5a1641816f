"""Roles from SCIM groups, by rules a tenant admin sets (group → role).

After SCIM changes a ruled group's members, or deletes one, each affected person gets the
highest role the rules of their groups grant (admin > instructor > content creator >
learner). A person in no ruled group goes back to learner only when these rules set their
role (`User.attribute_sources["role"] == "scim"`). A person whose role an admin manages in
Lectern (`"role"` in `User.managed_fields`) is left, and so is the tenant's last admin."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import ApplicationError, FieldError, ValidationFailed
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people import services as people
from tenant_apps.people.models import GroupKind, LearnerGroup, Role, User
from tenant_apps.scim.errors import ScimRuleErrorCode
from tenant_apps.scim.models import ScimRoleRule

RANK = {Role.LEARNER: 0, Role.CONTENT_CREATOR: 1, Role.INSTRUCTOR: 2, Role.ADMIN: 3}
SOURCE = "scim"


def rule_groups() -> QuerySet[LearnerGroup]:
    """The groups an admin may rule: SCIM-provisioned groups (not departments)."""
    return LearnerGroup.objects.filter(kind=GroupKind.GROUP, scim_profile__isnull=False)


def granted_roles(user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's highest role by the rules of their groups (absent: no ruled group)."""
    granted: dict[int, str] = {}
    rows = ScimRoleRule.objects.filter(group__members__pk__in=list(user_ids)).values_list(
        "group__members__pk", "role"
    )
    for user_id, role in rows:
        if user_id not in granted or RANK[Role(role)] > RANK[Role(granted[user_id])]:
            granted[user_id] = role
    return granted


def roles_recompute(user_ids: Iterable[int], *, actor: User | None = None) -> dict[int, str]:
    """Give each person the role the rules grant; returns {person id: new role} for those
    changed. A refused change (the last admin) leaves that person as they were."""
    ids = sorted(set(user_ids))
    granted = granted_roles(ids)
    changed: dict[int, str] = {}
    for user in User.objects.filter(pk__in=ids).order_by("pk"):
        if "role" in (user.managed_fields or []):
            continue
        by_rules = (user.attribute_sources or {}).get("role") == SOURCE
        role = granted.get(user.pk)
        if role is None and not by_rules:
            continue
        target = role or Role.LEARNER
        if target == user.role and by_rules == (role is not None):
            continue
        if not by_rules and RANK[Role(target)] < RANK[Role(user.role)]:
            # A role given in Lectern (not by these rules) is only ever raised by them.
            continue
        try:
            with transaction.atomic():
                updated = people.user_update(user=user, actor=actor, role=target)
                sources = dict(updated.attribute_sources or {})
                if role is None:
                    sources.pop("role", None)
                else:
                    sources["role"] = SOURCE
                if sources != (updated.attribute_sources or {}):
                    User.objects.filter(pk=user.pk).update(attribute_sources=sources)
        except ApplicationError:  # the tenant's last admin: left as they are
            continue
        if updated.role != user.role:
            changed[user.pk] = updated.role
    return changed


def group_members_changed(group: LearnerGroup, user_ids: Iterable[int]) -> None:
    """After SCIM changed `group`'s members: recompute those added or removed, if ruled."""
    ids = list(user_ids)
    if ids and ScimRoleRule.objects.filter(group=group).exists():
        roles_recompute(ids)


@transaction.atomic
def role_rule_save(*, group_id: int, role: str, actor: User | None) -> ScimRoleRule:
    """Add or change the rule of a group, then apply it to the group's members."""
    group = rule_groups().filter(pk=group_id).first()
    if group is None:
        message = _("Choose a group provisioned by SCIM.")
        raise ValidationFailed(
            ScimRuleErrorCode.GROUP_UNKNOWN, message, [FieldError("group", message)]
        )
    if role not in Role.values:
        message = _("Choose a role.")
        raise ValidationFailed(
            ScimRuleErrorCode.ROLE_UNKNOWN, message, [FieldError("role", message)]
        )
    before = ScimRoleRule.objects.filter(group=group).values_list("role", flat=True).first()
    rule, _created = ScimRoleRule.objects.update_or_create(group=group, defaults={"role": role})
    audit_record(
        action=AuditAction.SCIM_ROLE_RULE_ADDED,
        actor=actor,
        target=group,
        before={"role": before} if before else None,
        after={"group": group.name, "role": role},
    )
    roles_recompute(group.members.values_list("pk", flat=True), actor=actor)
    return rule


@transaction.atomic
def role_rule_delete(*, rule: ScimRoleRule, actor: User | None) -> None:
    """Remove a rule, then recompute the roles of the group's members."""
    group = rule.group
    members = list(group.members.values_list("pk", flat=True))
    audit_record(
        action=AuditAction.SCIM_ROLE_RULE_REMOVED,
        actor=actor,
        target=group,
        before={"group": group.name, "role": rule.role},
    )
    rule.delete()
    roles_recompute(members, actor=actor)
