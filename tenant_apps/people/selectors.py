"""Reads on people. Ids from another tenant are simply not in this schema: 404."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from tenant_apps.people.models import LearnerGroup, PersonalAccessToken, Role, User


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


def admins_to_ask(*, limit: int = 3) -> list[User]:
    """A few active tenant admins, by name: whom a learner asks to activate an enrollment
    (or anything else only an admin does)."""
    return list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .only("full_name", "email")
        .order_by("full_name", "id")[:limit]
    )
