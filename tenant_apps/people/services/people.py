"""People: creating, inviting, changing, deactivating and reactivating them; avatars."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.entitlements import entitlement_require
from core.errors import ApplicationError, Conflict, FieldError, ValidationFailed
from core.storage import ImageRule, image_replace
from core.transactions import after_commit
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.people import limits
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.hooks import person_renamed_handlers_run
from tenant_apps.people.models import MANAGEABLE_FIELDS, LearnerGroup, Role, User
from tenant_apps.people.selectors import registration_open
from tenant_apps.people.services.groups import group_members_set
from tenant_apps.people.services.policy import new_person_defaults
from tenant_apps.people.services.sign_in import wait_in_words
from tenant_apps.people.tokens import credentials_revoke_all

AVATAR_RULE = ImageRule(
    field="avatar",
    max_bytes=2 * 1024 * 1024,
    allowed={"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"},
    code=PeopleErrorCode.AVATAR_INVALID,
    refusal=gettext_lazy("The avatar was refused."),
)


def user_payload(user: User) -> dict[str, Any]:
    """What events say about a person."""
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "is_active": user.is_active,
        "locale": user.locale,
        "time_zone": user.time_zone,
    }


def _email_taken(email: str) -> Conflict:
    return Conflict(
        PeopleErrorCode.EMAIL_TAKEN,
        _("Someone already uses %(email)s.") % {"email": email},
        [FieldError("email", _("A person with this e-mail already exists."))],
    )


def _announce(
    event_type: EventType, user: User, actor: User | None, payload: dict | None = None
) -> None:
    """Tell the outbox about a change to `user`, in the change's transaction."""
    record_event(
        event_type=event_type,
        subject_type="user",
        subject_id=user.pk,
        payload=payload if payload is not None else user_payload(user),
        actor_id=getattr(actor, "pk", None),
    )


def _audit_activation(action: AuditAction, user: User, actor: User | None) -> None:
    """Audit a change of `user.is_active` (already made)."""
    audit_record(
        action=action,
        actor=actor,
        target=user,
        before={"is_active": not user.is_active},
        after={"is_active": user.is_active},
    )


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str = "",
    role: Role = Role.LEARNER,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a person in the current tenant. Without a password they must accept an invite.
    A learner counts against the tenant plan's active learners (PlanLimitReached)."""
    if role == Role.LEARNER:
        entitlement_require("active_learners")
    email = email.strip().lower()
    locale, time_zone = new_person_defaults()
    user = User(
        email=email, full_name=full_name.strip(), role=role, locale=locale, time_zone=time_zone
    )
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    holder = User.objects.filter(email__lower=email).first()
    if holder is not None and holder.removed_at is None:
        raise _email_taken(email)
    if holder is not None:  # deleted, not yet anonymised: anonymised now, freeing the address
        from tenant_apps.people.services.removal import user_anonymise  # it uses us

        user_anonymise(user=holder, actor=None)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent creation won
        raise _email_taken(email) from exc
    _announce(EventType.USER_CREATED, user, actor)
    return user


def _check_password(password: str, user: User | None, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            PeopleErrorCode.INVALID_PASSWORD,
            _("Choose a stronger password."),
            [FieldError(field, message) for message in exc.messages],
        ) from exc


def user_invite(
    *, email: str, full_name: str = "", role: Role = Role.LEARNER, actor: User | None
) -> User:
    """Create a person and e-mail them a link to choose their password."""
    from tenant_apps.people.tasks import invitation_send

    with transaction.atomic():
        user = user_create(email=email, full_name=full_name, role=role, actor=actor)
        audit_record(
            action=AuditAction.USER_INVITED,
            actor=actor,
            target=user,
            after={"email": user.email, "role": user.role},
        )
        after_commit(lambda: invitation_send.delay(user.pk))
    return user


@dataclass(frozen=True)
class InvitationBatch:
    """What inviting a list of addresses did, address by address (in the order given)."""

    invited: list[User] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)


@transaction.atomic
def users_invite(
    *,
    emails: list[str],
    role: Role = Role.LEARNER,
    group_ids: list[int] | None = None,
    actor: User | None,
) -> InvitationBatch:
    """Invite every address not yet a person here, as `role`, into the groups given, in one
    transaction: either all of them are invited or none. Addresses of people already here
    are left as they are and reported; an address listed twice counts once."""
    wanted: list[str] = []
    for email in emails:
        email = email.strip().lower()
        if email and email not in wanted:
            wanted.append(email)
    groups = list(LearnerGroup.objects.filter(pk__in=group_ids or []))
    if len(groups) != len(set(group_ids or [])):
        raise ValidationFailed(
            PeopleErrorCode.GROUP_NOT_FOUND,
            _("Some groups do not exist."),
            [FieldError("group_ids", _("Choose groups from the list."))],
        )
    taken = set(User.objects.filter(email__lower__in=wanted).values_list("email", flat=True))
    taken = {email.lower() for email in taken}
    batch = InvitationBatch()
    for email in wanted:
        if email in taken:
            batch.already_members.append(email)
            continue
        batch.invited.append(user_invite(email=email, role=role, actor=actor))
    new_ids = [user.pk for user in batch.invited]
    if new_ids:
        for group in groups:
            group_members_set(group=group, add=new_ids, remove=[], actor=actor)
    return batch


def first_admin_invite(email: str) -> None:
    """A new tenant's first person: an admin, invited to choose a password (registered with
    tenant provisioning by the composition root). Runs inside provisioning's transaction."""
    from tenant_apps.people.tasks import invitation_send

    admin = user_create(email=email, role=Role.ADMIN)
    # After the commit: a broker outage then cannot undo or fail the provisioning.
    after_commit(lambda: invitation_send.delay(admin.pk))


def _active_admins_besides(user: User) -> bool:
    return User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()


def _last_admin() -> Conflict:
    return Conflict(
        PeopleErrorCode.LAST_ADMIN,
        _("The tenant needs at least one active admin."),
        [FieldError("role", _("Make someone else an admin first."))],
    )


PROFILE_FIELDS = ("full_name", "locale", "time_zone")


@transaction.atomic
def user_update(*, user: User, actor: User | None, **changes: Any) -> User:
    """Change a person's profile and, when `actor` is an admin, their role.

    A role change is audited and announced as `user.role_changed`; every change is
    announced as `user.updated`."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = user_payload(locked)
    for name in PROFILE_FIELDS:
        if name in changes and changes[name] is not None:
            setattr(locked, name, str(changes[name]).strip())
    new_role = changes.get("role")
    if new_role is not None and new_role != locked.role:
        if locked.role == Role.ADMIN and not _active_admins_besides(locked):
            raise _last_admin()
        if new_role == Role.LEARNER and locked.is_active:
            entitlement_require("active_learners")
        locked.role = new_role
    locked.save()
    after = user_payload(locked)
    if before["full_name"] != after["full_name"]:
        person_renamed_handlers_run()
    if before["role"] != after["role"]:
        audit_record(
            action=AuditAction.USER_ROLE_CHANGED,
            actor=actor,
            target=locked,
            before={"role": before["role"]},
            after={"role": after["role"]},
        )
        _announce(
            EventType.USER_ROLE_CHANGED,
            locked,
            actor,
            payload={"id": locked.pk, "role": after["role"], "previous_role": before["role"]},
        )
    if before != after:
        _announce(EventType.USER_UPDATED, locked, actor, payload=after)
    return locked


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> User:
    """Block a person from signing in; every sign-in and token they hold stops working."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        return locked
    if locked.role == Role.ADMIN and not _active_admins_besides(locked):
        raise _last_admin()
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    credentials_revoke_all(user=locked)
    _audit_activation(AuditAction.USER_DEACTIVATED, locked, actor)
    _announce(EventType.USER_DEACTIVATED, locked, actor)
    return locked


@transaction.atomic
def user_reactivate(*, user: User, actor: User | None) -> User:
    """Let a deactivated person sign in again; a deleted (removed) person cannot be."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active:
        return locked
    if locked.removed_at is not None:
        raise Conflict(
            PeopleErrorCode.PERSON_REMOVED,
            _("This person was deleted and cannot be reactivated."),
        )
    if locked.role == Role.LEARNER:
        entitlement_require("active_learners")
    locked.is_active = True
    locked.save(update_fields=["is_active"])
    _audit_activation(AuditAction.USER_REACTIVATED, locked, actor)
    _announce(EventType.USER_UPDATED, locked, actor)
    return locked


def user_avatar_set(*, user: User, upload: UploadedFile) -> User:
    """Replace a person's avatar with an image of an allowed type and size."""

    def lock() -> User:
        return User.objects.select_for_update().get(pk=user.pk)

    return image_replace(upload=upload, rule=AVATAR_RULE, lock=lock, stored_name="avatar")


@transaction.atomic
def user_admin_update(*, user: User, role: str, group_ids: list[int], actor: User | None) -> User:
    """An admin sets a person's role and the groups and departments they belong to (all of
    them: groups not listed are left). Each change is audited by the service that makes it
    (`user_update`, `group_members_set`)."""
    wanted = set(group_ids)
    known = set(LearnerGroup.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if known != wanted:
        raise ValidationFailed(
            PeopleErrorCode.GROUP_NOT_FOUND,
            _("Some groups do not exist."),
            [FieldError("group_ids", _("Choose groups from the list."))],
        )
    updated = user_update(user=user, actor=actor, role=role)
    current = set(updated.learner_groups.values_list("pk", flat=True))
    for group in LearnerGroup.objects.filter(pk__in=current ^ wanted).order_by("pk"):
        if group.pk in wanted:
            group_members_set(group=group, add=[updated.pk], remove=[], actor=actor)
        else:
            group_members_set(group=group, add=[], remove=[updated.pk], actor=actor)
    return updated


@transaction.atomic
def user_managed_fields_set(*, user: User, fields: list[str], actor: User | None) -> User:
    """Mark which of a person's fields are managed in Lectern: sign-ins through an identity
    provider no longer change them (names from MANAGEABLE_FIELDS). Audited."""
    unknown = sorted(set(fields) - set(MANAGEABLE_FIELDS))
    if unknown:
        raise ValidationFailed(
            PeopleErrorCode.INVALID_SETTING,
            "Some fields cannot be managed in Lectern.",
            [FieldError("managed_fields", "Choose from: " + ", ".join(MANAGEABLE_FIELDS))],
        )
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = sorted(locked.managed_fields or [])
    after = [name for name in MANAGEABLE_FIELDS if name in set(fields)]
    if before != sorted(after):
        locked.managed_fields = after
        locked.save(update_fields=["managed_fields"])
        audit_record(
            action=AuditAction.USER_MANAGED_FIELDS_CHANGED,
            actor=actor,
            target=locked,
            before={"managed_fields": before},
            after={"managed_fields": sorted(after)},
        )
    return locked


class RegistrationThrottled(ApplicationError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            code=PeopleErrorCode.REGISTRATION_THROTTLED,
            message=_("Too many accounts were created from your address. Try again in %(wait)s.")
            % {"wait": wait_in_words(retry_after)},
            status=429,
        )
        self.retry_after = retry_after


def user_register(
    *,
    email: str,
    password: str,
    full_name: str = "",
    address: str | None = None,
    now: float | None = None,
) -> User:
    """Self-registration as a learner, where the tenant allows it: the password must pass
    the password validators, the e-mail must be free (whatever its case), and one address
    may register only so many accounts an hour (people.limits). Audited as
    `user.registered`; announced as `user.created`."""
    if not registration_open():
        raise ApplicationError(
            code=PeopleErrorCode.REGISTRATION_CLOSED,
            message=_("This organisation does not allow self-registration."),
            status=403,
        )
    now = time.time() if now is None else now
    wait = limits.registration_address_wait(address=address, now=now)
    if wait:
        raise RegistrationThrottled(retry_after=wait)
    with transaction.atomic():
        user = user_create(email=email, full_name=full_name, password=password, role=Role.LEARNER)
        audit_record(
            action=AuditAction.USER_REGISTERED,
            actor=user,
            target=user,
            after={"email": user.email, "role": user.role},
        )
    return user
