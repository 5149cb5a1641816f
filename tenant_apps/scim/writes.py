"""SCIM writes on people and groups, through the people services (which audit and write
the outbox). An attribute SCIM sets is marked as SCIM's (`User.attribute_sources`), so SSO
sign-ins leave it; fields an admin manages in Lectern (`User.managed_fields`, "groups"
included for group memberships) are left."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.entitlements import PlanLimitReached
from core.errors import ApplicationError
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.people import services as people
from tenant_apps.people.models import GroupKind, LearnerGroup, User
from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.models import ScimGroupProfile, ScimProfile, ScimRoleRule
from tenant_apps.scim.resources import ENTERPRISE
from tenant_apps.scim.role_rules import group_members_changed, roles_recompute

NO_EMAIL_DOMAIN = "no-email.invalid"


def _text(value, name: str, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        raise ScimError(400, f"{name} must be a string.", scim_type="invalidValue")
    return str(value).strip()[:limit]


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"  # Entra sends "True" / "False"
    raise ScimError(400, f"{name} must be true or false.", scim_type="invalidValue")


def _primary_email(emails) -> str:
    if not isinstance(emails, list):
        return ""
    chosen = [e for e in emails if isinstance(e, dict) and e.get("primary") in (True, "True")]
    chosen = chosen or [e for e in emails if isinstance(e, dict)]
    return _text(chosen[0].get("value"), "emails.value", 254) if chosen else ""


def _emails(emails) -> list[dict]:
    if emails is None:
        return []
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise ScimError(400, "emails must be a list of objects.", scim_type="invalidValue")
    kept = []
    for entry in emails[:10]:
        item = {"value": _text(entry.get("value"), "emails.value", 254)}
        if entry.get("type") is not None:
            item["type"] = _text(entry.get("type"), "emails.type", 40)
        if entry.get("primary") is not None:
            item["primary"] = _bool(entry.get("primary"), "emails.primary")
        kept.append(item)
    return kept


def wanted_user(body: dict) -> dict:
    """Lectern's fields from a (canonical) SCIM User."""
    user_name = _text(body.get("userName"), "userName", 254)
    if not user_name:
        raise ScimError(400, "userName is required.", scim_type="invalidValue")
    email = user_name if "@" in user_name else _primary_email(body.get("emails"))
    if "@" not in email:  # an HR id as userName and no address: a placeholder, not mailed
        email = f"{re.sub(r'[^a-z0-9._-]+', '-', user_name.lower())[:60]}@{NO_EMAIL_DOMAIN}"
    name = body.get("name") if isinstance(body.get("name"), dict) else {}
    given = _text(name.get("givenName"), "name.givenName", 150)
    family = _text(name.get("familyName"), "name.familyName", 150)
    display = _text(body.get("displayName"), "displayName", 200)
    full_name = display or _text(name.get("formatted"), "name.formatted", 200)
    full_name = full_name or " ".join(part for part in (given, family) if part)
    enterprise = body.get(ENTERPRISE) if isinstance(body.get(ENTERPRISE), dict) else {}
    manager = enterprise.get("manager")
    manager_id = manager.get("value") if isinstance(manager, dict) else manager
    return {
        "user_name": user_name,
        "email": email.lower(),
        "given_name": given,
        "family_name": family,
        "display_name": display,
        "full_name": full_name,
        "external_id": _text(body.get("externalId"), "externalId", 255),
        # Unassigned (a POST or PATCH without it) reads as active; a PUT without it keeps
        # the person as they are (scim_user_replace).
        "active": _bool(body["active"], "active") if body.get("active") is not None else True,
        "employee_number": _text(enterprise.get("employeeNumber"), "employeeNumber", 64),
        "cost_center": _text(enterprise.get("costCenter"), "costCenter", 120),
        "organization": _text(enterprise.get("organization"), "organization", 120),
        "department": _text(enterprise.get("department"), "department", 120),
        "emails": _emails(body.get("emails")),
        "active_unset": body.get("active") is None,
        "manager_id": _text(manager_id, "manager.value", 20),
    }


def _taken(field: str) -> ScimError:
    return ScimError(409, f"Another person has this {field}.", scim_type="uniqueness")


def _check_unique(user: User | None, wanted: dict) -> None:
    external = [wanted["external_id"]] if wanted["external_id"] else []
    people.removed_holders_anonymise([wanted["email"]], external, keep=getattr(user, "pk", None))
    others = User.objects.exclude(pk=getattr(user, "pk", None))
    if others.filter(email__iexact=wanted["email"]).exists():
        raise _taken("userName")
    if wanted["external_id"] and others.filter(external_id=wanted["external_id"]).exists():
        raise _taken("externalId")


def _manager(wanted: dict, user: User | None) -> User | None:
    if not wanted["manager_id"]:
        return None
    manager = (
        User.objects.filter(pk=int(wanted["manager_id"])).first()
        if wanted["manager_id"].isdigit()
        else None
    )
    if manager is None or (user is not None and manager.pk == user.pk):
        raise ScimError(400, "manager.value names nobody here.", scim_type="invalidValue")
    return manager


def _department_set(user: User, name: str) -> None:
    current = list(user.learner_groups.filter(kind=GroupKind.DEPARTMENT))
    department = None
    if name:
        department = LearnerGroup.objects.filter(name__iexact=name).first()
        if department is None:
            try:
                with transaction.atomic():
                    department = people.group_save(name=name, kind=GroupKind.DEPARTMENT, actor=None)
            except ApplicationError:  # made by a concurrent request
                department = LearnerGroup.objects.get(name__iexact=name)
        elif department.kind != GroupKind.DEPARTMENT:
            raise ScimError(400, "department names a group, not a department.", "invalidValue")
    for group in current:
        if department is None or group.pk != department.pk:
            people.group_members_set(group=group, add=[], remove=[user.pk], actor=None)
    if department is not None and all(group.pk != department.pk for group in current):
        people.group_members_set(group=department, add=[user.pk], remove=[], actor=None)


SYNCED = ("email", "full_name", "external_id", "employee_number", "cost_center", "organization")


def scim_user_replace(*, user: User, body: dict) -> User:
    """A PUT: replace what SCIM says of a person; a body without `active` (Okta sends
    none) leaves the person active or deactivated as they are."""
    return scim_user_write(user=user, body=body, absent_active_kept=True)


@transaction.atomic
def scim_user_write(*, user: User | None, body: dict, absent_active_kept: bool = False) -> User:
    """Create a person from a SCIM User (`user` None) or replace what SCIM says of one."""
    wanted = wanted_user(body)
    if absent_active_kept and wanted["active_unset"] and user is not None:
        wanted["active"] = None
    _check_unique(user, wanted)
    manager = _manager(wanted, user)
    created = user is None
    try:
        if created:
            user = people.user_create(email=wanted["email"], full_name=wanted["full_name"])
        user = User.objects.select_for_update().get(pk=user.pk)
        managed = set(user.managed_fields or [])
        if "full_name" not in managed and user.full_name != wanted["full_name"]:
            user = people.user_update(user=user, actor=None, full_name=wanted["full_name"])
        sources = dict(user.attribute_sources or {})
        changed: list[str] = []
        for field in SYNCED:
            if field in managed or field == "full_name":
                continue
            if getattr(user, field) != wanted[field]:
                setattr(user, field, wanted[field])
                changed.append(field)
        if "manager" not in managed and user.manager_id != getattr(manager, "pk", None):
            user.manager = manager
            changed.append("manager")
        for field in (*SYNCED, "manager", "department", "active"):
            if field not in managed:
                sources[field] = "scim"
        user.attribute_sources = sources
        with transaction.atomic():
            user.save(update_fields=[*changed, "attribute_sources"])
    except IntegrityError as exc:
        raise _taken("userName or externalId") from exc
    if changed and not created:
        record_event(
            event_type=EventType.USER_UPDATED,
            subject_type="user",
            subject_id=user.pk,
            payload=people.user_payload(user),
        )
    if "department" not in managed:
        _department_set(user, wanted["department"])
    ScimProfile.objects.update_or_create(
        user=user,
        defaults={
            "user_name": wanted["user_name"],
            "given_name": wanted["given_name"],
            "family_name": wanted["family_name"],
            "display_name": wanted["display_name"],
            "emails": wanted["emails"],
            "active_unset": wanted["active_unset"],
            "updated_at": timezone.now(),
        },
    )
    try:
        if wanted["active"] is True and not user.is_active:
            user = people.user_reactivate(user=user, actor=None)
        elif wanted["active"] is False and user.is_active:
            user = people.user_deactivate(user=user, actor=None)
    except PlanLimitReached:
        raise  # a SCIM 403 naming the plan's limit (scim_error_from)
    except ApplicationError as exc:
        raise ScimError(409, str(exc.message), scim_type="mutability") from exc
    return user


@transaction.atomic
def scim_user_delete(*, user: User) -> None:
    """Remove the person as the tenant's removal policy says (people.user_remove): access
    ends now; personal data is replaced now or after the retention period. Learning
    records, completions and certificates stay, keyed by the person's id."""
    try:
        people.user_remove(user=user, actor=None)
    except ApplicationError as exc:
        raise ScimError(409, str(exc.message), scim_type="mutability") from exc


def scim_profile_forget(person: User) -> None:
    """What SCIM said of a person goes when the person is anonymised (people hook)."""
    ScimProfile.objects.filter(user_id=person.pk).delete()


def _member_ids(body: dict) -> set[int]:
    members = body.get("members") or []
    if not isinstance(members, list):
        raise ScimError(400, "members must be a list.", scim_type="invalidValue")
    ids: set[int] = set()
    for member in members:
        value = member.get("value") if isinstance(member, dict) else member
        if not str(value).isdigit():
            raise ScimError(400, f"No person {value!r}.", scim_type="invalidValue")
        ids.add(int(value))
    known = set(
        User.objects.filter(pk__in=ids).filter(removed_at__isnull=True).values_list("pk", flat=True)
    )
    if known != ids:
        raise ScimError(400, "Some members name nobody here.", scim_type="invalidValue")
    return ids


def _member_types(body: dict) -> dict[str, str]:
    types = {}
    for member in body.get("members") or []:
        if isinstance(member, dict) and member.get("type") not in (None, "User"):
            types[str(member.get("value"))] = _text(member.get("type"), "members.type", 40)
    return types


@transaction.atomic
def scim_group_write(*, group: LearnerGroup | None, body: dict) -> LearnerGroup:
    """Create a group from a SCIM Group or replace its name and members; the membership
    of a person whose groups are managed in Lectern is left as it is."""
    name = _text(body.get("displayName"), "displayName", 120)
    if not name:
        raise ScimError(400, "displayName is required.", scim_type="invalidValue")
    members = _member_ids(body)
    if group is None or group.name != name:
        try:
            group = people.group_save(group=group, name=name, kind=GroupKind.GROUP, actor=None)
        except ApplicationError as exc:
            raise ScimError(409, str(exc.message), scim_type="uniqueness") from exc
    ScimGroupProfile.objects.update_or_create(
        group=group,
        defaults={
            "external_id": _text(body.get("externalId"), "externalId", 255),
            "member_types": _member_types(body),
            "updated_at": timezone.now(),
        },
    )
    current = set(group.members.values_list("pk", flat=True))
    # People whose groups an admin manages in Lectern keep theirs (User.managed_fields).
    managed = set(
        User.objects.filter(
            pk__in=members ^ current, managed_fields__contains=["groups"]
        ).values_list("pk", flat=True)
    )
    add = sorted(members - current - managed)
    remove = sorted(current - members - managed)
    if add or remove:
        people.group_members_set(group=group, add=add, remove=remove, actor=None)
        group_members_changed(group, [*add, *remove])
    return group


@transaction.atomic
def scim_group_delete(*, group: LearnerGroup) -> None:
    ruled = ScimRoleRule.objects.filter(group=group).exists()
    members = list(group.members.values_list("pk", flat=True))
    people.group_delete(group=group, actor=None)
    if ruled:
        roles_recompute(members)
