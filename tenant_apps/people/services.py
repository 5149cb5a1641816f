"""Writes on people. Each runs in the schema the connection points at."""

from __future__ import annotations

import time
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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
from tenant_apps.people.models import LearnerGroup, PeoplePolicy, Role, User
from tenant_apps.people.selectors import registration_open
from tenant_apps.people.tokens import credentials_revoke_all, sign_ins_revoke_all

AVATAR_RULE = ImageRule(
    field="avatar",
    max_bytes=2 * 1024 * 1024,
    allowed={"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"},
    code=PeopleErrorCode.AVATAR_INVALID,
    refusal="The avatar was refused.",
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
        f"Someone already uses {email}.",
        [FieldError("email", "A person with this e-mail already exists.")],
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
    """Create a person in the current tenant. Without a password they must accept an invite."""
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
    if User.objects.filter(email__lower=email).exists():
        raise _email_taken(email)
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
            "Choose a stronger password.",
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
            "Some groups do not exist.",
            [FieldError("group_ids", "Choose groups from the list.")],
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
        "The tenant needs at least one active admin.",
        [FieldError("role", "Make someone else an admin first.")],
    )


PROFILE_FIELDS = ("full_name", "locale", "time_zone")


@transaction.atomic
def user_update(*, user: User, actor: User | None, **changes: Any) -> User:
    """Change a person's profile and, when `actor` is an admin, their role.

    A role change is audited; every change is announced as `user.updated`."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = user_payload(locked)
    for name in PROFILE_FIELDS:
        if name in changes and changes[name] is not None:
            setattr(locked, name, str(changes[name]).strip())
    new_role = changes.get("role")
    if new_role is not None and new_role != locked.role:
        if locked.role == Role.ADMIN and not _active_admins_besides(locked):
            raise _last_admin()
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
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active:
        return locked
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


# ------------------------------------------------------------------------------------------
# Signing in (the numbers and the counters: people.limits)
def wait_in_words(seconds: int) -> str:
    """ "30 seconds", "1 minute", "15 minutes": a wait as forms show it (rounded up)."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class LoginThrottled(ApplicationError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            code=PeopleErrorCode.LOGIN_THROTTLED,
            message=f"Too many failed sign-ins. Try again in {wait_in_words(retry_after)}.",
            status=429,
        )
        self.retry_after = retry_after


def _sign_in_check_allowed(email: str, address: str | None, now: float) -> None:
    """Refuse before the password is even checked while this account and address wait."""
    wait = limits.sign_in_wait(email=email, address=address, now=now)
    if wait:
        raise LoginThrottled(retry_after=wait)


def _sign_in_failure(email: str, address: str | None, now: float) -> None:
    """Count a wrong password; when that pauses the account, tell its owner (if any)."""
    from tenant_apps.people.tasks import sign_in_paused_send

    if not limits.sign_in_failure_record(email=email, address=address, now=now):
        return
    owner = User.objects.filter(email__lower=email.strip().lower(), is_active=True).first()
    if owner is not None:
        after_commit(lambda: sign_in_paused_send.delay(owner.pk))


def user_authenticate(
    *, email: str, password: str, address: str | None, now: float | None = None
) -> User:
    """Check a person's password, throttled per account and address with growing waits, and
    per account for everyone only after many failures (see people.limits). `address` is the
    caller's (core.request_context.client_address)."""
    from django.contrib.auth import authenticate

    now = time.time() if now is None else now
    _sign_in_check_allowed(email, address, now)
    user = authenticate(username=email, password=password)
    if user is None:
        _sign_in_failure(email, address, now)
        raise ApplicationError(
            code=PeopleErrorCode.INVALID_CREDENTIALS,
            message="The e-mail or password is wrong.",
            status=401,
        )
    limits.sign_in_success_record(email=email, address=address)
    user.last_login = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=user.last_login)
    return user


def people_policy() -> PeoplePolicy:
    policy, _ = PeoplePolicy.objects.get_or_create(pk=1)
    return policy


def new_person_defaults() -> tuple[str, str]:
    """The locale and time zone a person created now starts with: the tenant's defaults
    (people settings), without writing the settings row when there is none yet."""
    policy = PeoplePolicy.objects.filter(pk=1).first() or PeoplePolicy()
    return policy.default_locale, policy.default_time_zone


def locales_offered() -> list[tuple[str, str]]:
    """The languages the portal speaks (settings.LANGUAGES): what a locale may be."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def _policy_fields(policy: PeoplePolicy) -> dict[str, Any]:
    return {
        "self_registration_enabled": policy.self_registration_enabled,
        "default_locale": policy.default_locale,
        "default_time_zone": policy.default_time_zone,
    }


def _check_policy(default_locale: str | None, default_time_zone: str | None) -> None:
    problems = []
    if default_locale is not None and default_locale not in dict(locales_offered()):
        problems.append(FieldError("default_locale", "Choose a language the portal offers."))
    if default_time_zone is not None and default_time_zone not in zoneinfo.available_timezones():
        problems.append(FieldError("default_time_zone", "Choose a time zone from the list."))
    if problems:
        raise ValidationFailed(
            PeopleErrorCode.INVALID_SETTING, "Some settings are not valid.", problems
        )


@transaction.atomic
def people_policy_update(
    *,
    actor: User | None,
    self_registration_enabled: bool | None = None,
    default_locale: str | None = None,
    default_time_zone: str | None = None,
) -> PeoplePolicy:
    """Change the tenant's people settings: whether people may register themselves, and
    the language and time zone new people start with (one the portal offers, one zoneinfo
    knows). What is not given stays; a change is audited with what it was before."""
    _check_policy(default_locale, default_time_zone)
    policy = people_policy()
    policy = PeoplePolicy.objects.select_for_update().get(pk=policy.pk)
    before = _policy_fields(policy)
    if self_registration_enabled is not None:
        policy.self_registration_enabled = self_registration_enabled
    if default_locale is not None:
        policy.default_locale = default_locale
    if default_time_zone is not None:
        policy.default_time_zone = default_time_zone
    after = _policy_fields(policy)
    if before == after:
        return policy
    policy.save()
    changed = [name for name in after if before[name] != after[name]]
    audit_record(
        action=AuditAction.PEOPLE_SETTINGS_CHANGED,
        actor=actor,
        target=policy,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return policy


class RegistrationThrottled(ApplicationError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            code=PeopleErrorCode.REGISTRATION_THROTTLED,
            message="Too many accounts were created from your address. "
            f"Try again in {wait_in_words(retry_after)}.",
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
            message="This organisation does not allow self-registration.",
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


# ------------------------------------------------------------------------------------------
# Links sent by e-mail
def tenant_base_url(host: str) -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}"


def set_password_url(*, user: User, host: str) -> str:
    """A one-time link: it stops working once the password is set, and after
    PASSWORD_RESET_TIMEOUT seconds."""
    path = reverse(
        "set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        urlconf=settings.ROOT_URLCONF,
    )
    return tenant_base_url(host) + path


class PasswordResetThrottled(ApplicationError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            code=PeopleErrorCode.PASSWORD_RESET_THROTTLED,
            message="Too many password-reset requests from your address. "
            f"Try again in {wait_in_words(retry_after)}.",
            status=429,
        )
        self.retry_after = retry_after


def password_reset_request(*, email: str, address: str | None, now: float | None = None) -> None:
    """E-mail a reset link if the address belongs to an active person; say nothing either
    way, so the answer does not reveal who has an account.

    The portal's form and the API both come here. Limited per recipient (past the limit
    nothing is sent, and the answer is the same) and per asking `address` (past it,
    PasswordResetThrottled, 429), see people.limits. The link in the e-mail is built from
    the tenant's stored primary domain, never from the request."""
    from tenant_apps.people.tasks import password_reset_send

    now = time.time() if now is None else now
    wait = limits.password_reset_address_wait(address=address, now=now)
    if wait:
        raise PasswordResetThrottled(retry_after=wait)
    if not limits.password_reset_recipient_allowed(email=email, now=now):
        return
    user = User.objects.filter(email__lower=email.strip().lower(), is_active=True).first()
    if user is not None:
        after_commit(lambda: password_reset_send.delay(user.pk))


@transaction.atomic
def password_set(*, user: User, new_password: str) -> User:
    """Give a person a new password (a reset, an accepted invitation, or a change) and end
    every sign-in they hold at once: refresh tokens and the access tokens of their sign-ins
    stop working, and so do browser sessions (Django ties a session to the password it was
    opened with). Personal API tokens stay; when this replaced a password, the person is
    e-mailed after commit with a list of them and where to revoke them all."""
    from tenant_apps.people.tasks import password_changed_send

    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_password(new_password, locked, field="new_password")
    replaced = locked.has_usable_password()
    locked.set_password(new_password)
    locked.save(update_fields=["password"])
    sign_ins_revoke_all(user=locked)
    if replaced:
        after_commit(lambda: password_changed_send.delay(locked.pk))
    return locked


def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    address: str | None,
    now: float | None = None,
) -> User:
    """A signed-in person replaces their password, proving the current one. Wrong guesses
    count as failed sign-ins from `address` (so a stolen session cannot try passwords
    faster than the sign-in form). Then as `password_set`."""
    now = time.time() if now is None else now
    _sign_in_check_allowed(user.email, address, now)
    if not user.check_password(current_password):
        _sign_in_failure(user.email, address, now)
        raise ValidationFailed(
            PeopleErrorCode.INVALID_CREDENTIALS,
            "The current password is wrong.",
            [FieldError("current_password", "This is not your current password.")],
        )
    limits.sign_in_success_record(email=user.email, address=address)
    return password_set(user=user, new_password=new_password)


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with a reset link's uid and token (see `password_set`)."""
    from django.utils.http import urlsafe_base64_decode

    invalid = ApplicationError(
        code=PeopleErrorCode.TOKEN_INVALID,
        message="The link is invalid or has expired.",
        status=400,
        details=[FieldError("token", "Ask for a new link.")],
    )
    try:
        user_id = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid from exc
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise invalid
    return password_set(user=user, new_password=new_password)


# ------------------------------------------------------------------------------------------
# Groups and departments
def _group_name_taken(name: str) -> Conflict:
    return Conflict(
        PeopleErrorCode.GROUP_NAME_TAKEN,
        f"A group named '{name}' exists.",
        [FieldError("name", "Choose another name.")],
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
            "Some people do not exist.",
            [FieldError("add" if m in add else "remove", f"No person {m}.") for m in missing],
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
def user_admin_update(*, user: User, role: str, group_ids: list[int], actor: User | None) -> User:
    """An admin sets a person's role and the groups and departments they belong to (all of
    them: groups not listed are left). Each change is audited by the service that makes it
    (`user_update`, `group_members_set`)."""
    wanted = set(group_ids)
    known = set(LearnerGroup.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if known != wanted:
        raise ValidationFailed(
            PeopleErrorCode.GROUP_NOT_FOUND,
            "Some groups do not exist.",
            [FieldError("group_ids", "Choose groups from the list.")],
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
def group_delete(*, group: LearnerGroup, actor: User | None) -> None:
    """Remove a group; its members stay, without it."""
    audit_record(
        action=AuditAction.GROUP_DELETED, actor=actor, target=group, before=_group_fields(group)
    )
    group.delete()
