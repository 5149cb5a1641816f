"""Groups and departments, their members, and an admin setting a person's role and groups."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError, ValidationFailed
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import LearnerGroup, User


def _group_name_taken(name: str) -> Conflict:
    return Conflict(
        PeopleErrorCode.GROUP_NAME_TAKEN,
        _("A group named '%(name)s' exists.") % {"name": name},
        [FieldError("name", _("Choose another name."))],
    )


def _group_fields(group: LearnerGroup) -> dict[str, str]:
    return {"name": group.name, "kind": group.kind, "description": group.description}


@transaction.atomic
def group_save(
    *,
    group: LearnerGroup | None = None,
    name: str,
    kind: str,
    description: str = "",
    actor: User | None,
) -> LearnerGroup:
    """Create a group or department, or change one (`group`); names are unique in the
    tenant regardless of case."""
    created = group is None
    group = group or LearnerGroup()
    before = {} if created else _group_fields(group)
    name = name.strip()
    if LearnerGroup.objects.filter(name__lower=name.lower()).exclude(pk=group.pk).exists():
        raise _group_name_taken(name)
    group.name, group.kind, group.description = name, kind, description
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise _group_name_taken(name) from exc
    audit_record(
        action=AuditAction.GROUP_CREATED if created else AuditAction.GROUP_CHANGED,
        actor=actor,
        target=group,
        before=before,
        after=_group_fields(group),
    )
    return group


@transaction.atomic
def group_members_set(
    *, group: LearnerGroup, add: list[int], remove: list[int], actor: User | None
) -> LearnerGroup:
    """Add and remove members by id; ids of nobody in this tenant are refused."""
    wanted = set(add) | set(remove)
    found = set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise ValidationFailed(
            PeopleErrorCode.USER_NOT_FOUND,
            _("Some people do not exist."),
            [
                FieldError(
                    "add" if m in add else "remove",
                    _("No person %(person_id)s.") % {"person_id": m},
                )
                for m in missing
            ],
        )
    group.members.add(*add)
    group.members.remove(*remove)
    audit_record(
        action=AuditAction.GROUP_MEMBERS_CHANGED,
        actor=actor,
        target=group,
        after={"added": sorted(set(add)), "removed": sorted(set(remove))},
    )
    return group


@transaction.atomic
def group_delete(*, group: LearnerGroup, actor: User | None) -> None:
    """Remove a group; its members stay, without it."""
    audit_record(
        action=AuditAction.GROUP_DELETED, actor=actor, target=group, before=_group_fields(group)
    )
    group.delete()
