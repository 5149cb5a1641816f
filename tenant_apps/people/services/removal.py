"""Removing people (an admin's "Delete person", the API's or SCIM's DELETE): access ends
at once; personal data is replaced at once or after the tenant's retention period
(PeoplePolicy.removal_mode). Learning records, completions and certificates stay, keyed by
the person's id; a certificate keeps the learner name it was issued with, so verifying its
code still answers "valid"."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.transactions import after_commit
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_person_forget, audit_record
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_event
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.hooks import (
    PersonSection,
    person_anonymised_handlers_run,
    person_renamed_handlers_run,
)
from tenant_apps.people.models import PeoplePolicy, RemovalMode, User
from tenant_apps.people.selectors import people_policy_read
from tenant_apps.people.services.groups import group_members_set
from tenant_apps.people.services.people import user_deactivate, user_payload

# Addresses of anonymised people: `.invalid` never resolves (RFC 2606), so nothing is mailed.
ANONYMISED_DOMAIN = "deleted.invalid"


def anonymised_email(user_id: int) -> str:
    return f"deleted-{user_id}@{ANONYMISED_DOMAIN}"


def anonymise_due_at(user: User, policy: PeoplePolicy | None = None) -> datetime.datetime | None:
    """When a removed person's data is (or was due to be) replaced; None if not removed."""
    if user.removed_at is None:
        return None
    policy = policy or people_policy_read()
    if policy.removal_mode == RemovalMode.ANONYMISE_NOW:
        return user.removed_at
    return user.removed_at + datetime.timedelta(days=policy.removal_retention_days)


@transaction.atomic
def user_remove(*, user: User, actor: User | None) -> User:
    """Delete a person as the tenant's removal policy says: deactivated now (every sign-in
    and API token ends), anonymised now or when the retention period is over. Removing a
    removed person again changes nothing; nobody deletes themselves, and the last active
    admin stays. Audited as `user.removed`."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.removed_at is not None:
        return locked
    if actor is not None and actor.pk == locked.pk:
        raise Conflict(
            PeopleErrorCode.REMOVING_SELF,
            _("You cannot delete yourself: ask another admin to."),
        )
    locked = user_deactivate(user=locked, actor=actor)  # refuses the last active admin
    locked.removed_at = timezone.now()
    locked.save(update_fields=["removed_at"])
    policy = people_policy_read()
    due = anonymise_due_at(locked, policy)
    audit_record(
        action=AuditAction.USER_REMOVED,
        actor=actor,
        target=locked,
        label=f"user {locked.pk}",
        after={"removal_mode": policy.removal_mode, "anonymise_at": due.isoformat()},
    )
    if policy.removal_mode == RemovalMode.ANONYMISE_NOW:
        return user_anonymise(user=locked, actor=actor)
    return locked


@transaction.atomic
def user_anonymise(*, user: User, actor: User | None) -> User:
    """Replace a person's personal data with values that identify nobody, so their e-mail,
    SCIM userName and externalId are free for a new person: name, e-mail, HR ids and
    attributes, manager and reports' links to them, groups and departments, avatar,
    password, their name and address in the audit log, and what other apps keep (SCIM
    profile, SSO identities; through `person_anonymised_handler_register`). Enrollments,
    progress, completions and certificates stay. Audited and announced as
    `user.anonymised`."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.anonymised_at is not None:
        return locked
    if locked.is_active:
        locked = user_deactivate(user=locked, actor=actor)
    for group in list(locked.learner_groups.order_by("pk")):
        group_members_set(group=group, add=[], remove=[locked.pk], actor=actor)
    User.objects.filter(manager=locked).update(manager=None)
    old_avatar = locked.avatar.name
    now = timezone.now()
    locked.email = anonymised_email(locked.pk)
    locked.full_name = ""
    locked.external_id = ""
    locked.employee_number = ""
    locked.cost_center = ""
    locked.organization = ""
    locked.manager = None
    locked.attribute_sources = {}
    locked.managed_fields = []
    locked.avatar = ""
    locked.set_unusable_password()
    locked.removed_at = locked.removed_at or now
    locked.anonymised_at = now
    locked.save()
    if old_avatar:
        storage = User._meta.get_field("avatar").storage
        after_commit(lambda: storage.delete(old_avatar))
    person_renamed_handlers_run()
    person_anonymised_handlers_run(locked)
    # The log keeps what was done to and by them, but no longer their name or address;
    # nor does the new entry say what they were.
    audit_person_forget(person=locked, label=f"user {locked.pk}")
    audit_record(
        action=AuditAction.USER_ANONYMISED, actor=actor, target=locked, label=f"user {locked.pk}"
    )
    record_event(
        event_type=EventType.USER_ANONYMISED,
        subject_type="user",
        subject_id=locked.pk,
        payload=user_payload(locked),
        actor_id=getattr(actor, "pk", None),
    )
    return locked


def removed_people_anonymise_due(*, now: datetime.datetime | None = None) -> int:
    """Anonymise every removed person whose retention period is over (all of them when the
    policy is now "at once"), each in its own transaction. Returns how many."""
    now = now or timezone.now()
    policy = people_policy_read()
    cutoff = now
    if policy.removal_mode == RemovalMode.ANONYMISE_LATER:
        cutoff = now - datetime.timedelta(days=policy.removal_retention_days)
    due = User.objects.filter(
        removed_at__isnull=False, removed_at__lte=cutoff, anonymised_at__isnull=True
    ).values_list("pk", flat=True)
    done = 0
    for user_id in list(due.order_by("removed_at")[:500]):
        user_anonymise(user=User(pk=user_id), actor=None)
        done += 1
    return done


def removal_sections(person: User) -> list[PersonSection]:
    """For the admin's page about a deleted person: when, and when their data goes."""
    if person.removed_at is None:
        return []
    when = formats.date_format(timezone.localtime(person.removed_at), "DATETIME_FORMAT")
    rows = [(_("Deleted"), when)]
    if person.anonymised_at is not None:
        done = timezone.localtime(person.anonymised_at)
        rows.append((_("Anonymised"), formats.date_format(done, "DATETIME_FORMAT")))
    else:
        due = timezone.localtime(anonymise_due_at(person))
        rows.append((_("To be anonymised"), formats.date_format(due, "DATETIME_FORMAT")))
    return [PersonSection(title=_("Deletion"), rows=rows)]


def removed_holders_anonymise(
    emails: list[str], external_ids: list[str], keep: int | None = None
) -> None:
    """A deleted person keeps their e-mail and externalId until anonymised; creating
    someone with them (an admin, an import, an identity provider) anonymises that person
    now, so the new one can have them."""
    same = Q(email__lower__in=[email.lower() for email in emails])
    if external_ids:
        same |= Q(external_id__in=external_ids)
    removed = User.objects.filter(same, removed_at__isnull=False, anonymised_at__isnull=True)
    for person in removed.exclude(pk=keep).order_by("pk"):
        user_anonymise(user=person, actor=None)
