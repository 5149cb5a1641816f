"""Reads on people. Ids from another tenant are simply not in this schema: 404."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from tenant_apps.people.models import LearnerGroup, PeoplePolicy, PersonalAccessToken, User


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


def registration_open() -> bool:
    """Whether this tenant lets people create their own learner accounts (one query, no
    write: a tenant that never saved its people settings has it off)."""
    return PeoplePolicy.objects.filter(pk=1, self_registration_enabled=True).exists()
