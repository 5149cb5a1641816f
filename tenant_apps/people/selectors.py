"""Reads on people. Ids from another tenant are simply not in this schema: 404."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from tenant_apps.people.models import LearnerGroup, PeoplePolicy, PersonalAccessToken, Role, User


def user_list() -> QuerySet[User]:
    return User.objects.all().order_by("email")


def user_get(*, user_id: int) -> User:
    return get_object_or_404(User, pk=user_id)


def group_list() -> QuerySet[LearnerGroup]:
    return LearnerGroup.objects.annotate(member_count=Count("members")).order_by("name")


def group_get(*, group_id: int) -> LearnerGroup:
    return get_object_or_404(group_list(), pk=group_id)


def personal_tokens_of(*, user: User) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True)


def people_list_for_admin(
    *,
    search: str = "",
    role: str = "",
    status: str = "",
    group_id: int | None = None,
) -> QuerySet[User]:
    """The tenant's people as admins list them, by e-mail, narrowed by what is given (text
    in the e-mail or name, role, status — "active", "inactive" (deactivated, not deleted)
    or "deleted" —, member of a group), with their groups."""
    people = User.objects.all()
    if search:
        people = people.filter(Q(email__icontains=search) | Q(full_name__icontains=search))
    if role:
        people = people.filter(role=role)
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False, removed_at__isnull=True)
    elif status == "deleted":
        people = people.filter(removed_at__isnull=False)
    if group_id is not None:
        people = people.filter(learner_groups__id=group_id)
    return people.prefetch_related(
        Prefetch("learner_groups", queryset=LearnerGroup.objects.order_by("name"))
    ).order_by("email", "id")


def person_for_admin(*, user_id: int) -> User:
    """One person of this tenant with their groups; any other id (another tenant's too) 404."""
    return get_object_or_404(
        User.objects.prefetch_related(
            Prefetch("learner_groups", queryset=LearnerGroup.objects.order_by("name"))
        ),
        pk=user_id,
    )


def groups_all() -> list[LearnerGroup]:
    """Every group and department, by name (for the forms' choices)."""
    return list(LearnerGroup.objects.order_by("name", "id"))


def people_policy_read() -> PeoplePolicy:
    """The tenant's people settings, or the defaults (unsaved) while none were ever saved:
    reading them writes nothing."""
    return PeoplePolicy.objects.filter(pk=1).first() or PeoplePolicy(pk=1)


def people_awaiting_anonymisation_count() -> int:
    """People deleted (by SCIM) whose personal data the removal policy has not yet erased."""
    return User.objects.filter(removed_at__isnull=False, anonymised_at__isnull=True).count()


def registration_open() -> bool:
    """Whether this tenant lets people create their own learner accounts (one query, no
    write: a tenant that never saved its people settings has it off)."""
    return PeoplePolicy.objects.filter(pk=1, self_registration_enabled=True).exists()


def admins_to_ask(*, limit: int = 3) -> list[User]:
    """A few active tenant admins, by name: whom a learner asks to activate an enrollment
    (or anything else only an admin does)."""
    return list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .only("full_name", "email")
        .order_by("full_name", "id")[:limit]
    )


def active_admins() -> list[User]:
    """Every active admin of the tenant, by e-mail: whom the platform writes to about the
    tenant's own account (billing, certificates)."""
    return list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .only("email", "full_name", "locale", "time_zone")
        .order_by("email")
    )
