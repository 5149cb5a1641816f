"""Writes on people, in the schema the connection points at: people themselves
(`people`), signing in (`sign_in`), passwords (`passwords`), the tenant's people settings
and registering (`policy`), groups and departments (`groups`), removing and anonymising
people (`removal`)."""

from __future__ import annotations

from tenant_apps.people.services.groups import (
    group_delete,
    group_members_set,
    group_save,
)
from tenant_apps.people.services.passwords import (
    PasswordResetThrottled,
    password_change,
    password_reset_confirm,
    password_reset_request,
    password_set,
    set_password_url,
    tenant_base_url,
)
from tenant_apps.people.services.people import (
    AVATAR_RULE,
    PROFILE_FIELDS,
    InvitationBatch,
    RegistrationThrottled,
    first_admin_invite,
    user_admin_update,
    user_avatar_set,
    user_create,
    user_deactivate,
    user_invite,
    user_managed_fields_set,
    user_payload,
    user_reactivate,
    user_register,
    user_update,
    users_invite,
)
from tenant_apps.people.services.policy import (
    locales_offered,
    new_person_defaults,
    people_policy,
    people_policy_update,
)
from tenant_apps.people.services.removal import (
    anonymise_due_at,
    removed_holders_anonymise,
    removed_people_anonymise_due,
    user_anonymise,
    user_remove,
)
from tenant_apps.people.services.sign_in import (
    LoginThrottled,
    user_authenticate,
    wait_in_words,
)

__all__ = [
    "AVATAR_RULE",
    "PROFILE_FIELDS",
    "InvitationBatch",
    "LoginThrottled",
    "PasswordResetThrottled",
    "RegistrationThrottled",
    "anonymise_due_at",
    "first_admin_invite",
    "group_delete",
    "group_members_set",
    "group_save",
    "locales_offered",
    "new_person_defaults",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "password_set",
    "people_policy",
    "people_policy_update",
    "removed_holders_anonymise",
    "removed_people_anonymise_due",
    "set_password_url",
    "tenant_base_url",
    "user_admin_update",
    "user_anonymise",
    "user_authenticate",
    "user_avatar_set",
    "user_create",
    "user_deactivate",
    "user_invite",
    "user_managed_fields_set",
    "user_payload",
    "user_reactivate",
    "user_register",
    "user_remove",
    "user_update",
    "users_invite",
    "wait_in_words",
]
