"""The tenant's people settings (self-registration, defaults for new people, what
happens to removed people)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from core.errors import FieldError, ValidationFailed
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import (
    REMOVAL_RETENTION_DAYS_MAX,
    PeoplePolicy,
    RemovalMode,
    User,
)


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
        "removal_mode": policy.removal_mode,
        "removal_retention_days": policy.removal_retention_days,
    }


def _check_policy(
    default_locale: str | None,
    default_time_zone: str | None,
    removal_mode: str | None = None,
    removal_retention_days: int | None = None,
) -> None:
    problems = []
    if removal_mode is not None and removal_mode not in RemovalMode.values:
        problems.append(FieldError("removal_mode", gettext("Choose what happens from the list.")))
    if removal_retention_days is not None and not (
        isinstance(removal_retention_days, int)
        and 1 <= removal_retention_days <= REMOVAL_RETENTION_DAYS_MAX
    ):
        problems.append(
            FieldError(
                "removal_retention_days",
                gettext("Enter a number of days from 1 to %(max)s.")
                % {"max": REMOVAL_RETENTION_DAYS_MAX},
            )
        )
    if default_locale is not None and default_locale not in dict(locales_offered()):
        problems.append(
            FieldError("default_locale", gettext("Choose a language the portal offers."))
        )
    if default_time_zone is not None and default_time_zone not in zoneinfo.available_timezones():
        problems.append(
            FieldError("default_time_zone", gettext("Choose a time zone from the list."))
        )
    if problems:
        raise ValidationFailed(
            PeopleErrorCode.INVALID_SETTING, gettext("Some settings are not valid."), problems
        )


@transaction.atomic
def people_policy_update(
    *,
    actor: User | None,
    self_registration_enabled: bool | None = None,
    default_locale: str | None = None,
    default_time_zone: str | None = None,
    removal_mode: str | None = None,
    removal_retention_days: int | None = None,
) -> PeoplePolicy:
    """Change the tenant's people settings: whether people may register themselves, and
    the language and time zone new people start with (one the portal offers, one zoneinfo
    knows), and what happens to a person deleted by SCIM: anonymised at once or after
    `removal_retention_days` (1 to 3650). What is not given stays; a change is audited with
    what it was before."""
    _check_policy(default_locale, default_time_zone, removal_mode, removal_retention_days)
    policy = people_policy()
    policy = PeoplePolicy.objects.select_for_update().get(pk=policy.pk)
    before = _policy_fields(policy)
    if self_registration_enabled is not None:
        policy.self_registration_enabled = self_registration_enabled
    if default_locale is not None:
        policy.default_locale = default_locale
    if default_time_zone is not None:
        policy.default_time_zone = default_time_zone
    if removal_mode is not None:
        policy.removal_mode = removal_mode
    if removal_retention_days is not None:
        policy.removal_retention_days = removal_retention_days
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
