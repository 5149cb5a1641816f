"""SCIM representations of people and groups, and what a filter or sortBy may name."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Q

from tenant_apps.people.models import GroupKind, LearnerGroup, User
from tenant_apps.scim.filters import Field

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"

_NO_PROFILE = Q(scim_profile__isnull=True)
USER_FIELDS: dict[str, Field] = {
    "id": Field(("pk",), case_exact=True),
    "username": Field(("scim_profile__user_name", "email"), conditions=(None, _NO_PROFILE)),
    "externalid": Field(("external_id",), case_exact=True),
    "emails": Field(("email",)),
    "emails.value": Field(("email",)),
    "displayname": Field(
        ("scim_profile__display_name", "full_name"), conditions=(None, _NO_PROFILE)
    ),
    "name.givenname": Field(("scim_profile__given_name",)),
    "name.familyname": Field(("scim_profile__family_name",)),
    "active": Field(("is_active",), kind="bool"),
    "meta.created": Field(("date_joined",), kind="date"),
    "meta.lastmodified": Field(
        ("scim_profile__updated_at", "date_joined"), kind="date", conditions=(None, _NO_PROFILE)
    ),
    f"{ENTERPRISE.lower()}:employeenumber": Field(("employee_number",), case_exact=True),
    f"{ENTERPRISE.lower()}:costcenter": Field(("cost_center",)),
    f"{ENTERPRISE.lower()}:organization": Field(("organization",)),
    f"{ENTERPRISE.lower()}:department": Field(("learner_groups__name",)),
    f"{ENTERPRISE.lower()}:manager.value": Field(("manager_id",), case_exact=True),
}
USER_SORT = {
    "id": "pk",
    "username": "email",
    "externalid": "external_id",
    "displayname": "full_name",
    "name.familyname": "scim_profile__family_name",
    "name.givenname": "scim_profile__given_name",
    "emails.value": "email",
    "emails": "email",
    "active": "is_active",
    "meta.created": "date_joined",
    "meta.lastmodified": "scim_profile__updated_at",
}
GROUP_FIELDS: dict[str, Field] = {
    "id": Field(("pk",), case_exact=True),
    "displayname": Field(("name",)),
    "externalid": Field(("scim_profile__external_id",), case_exact=True),
    "members": Field(("members__pk",), case_exact=True),
    "members.value": Field(("members__pk",), case_exact=True),
    "meta.created": Field(("created_at",), kind="date"),
    "meta.lastmodified": Field(
        ("scim_profile__updated_at", "created_at"),
        kind="date",
        conditions=(None, Q(scim_profile__isnull=True)),
    ),
}
GROUP_SORT = {"id": "pk", "displayname": "name", "meta.created": "created_at"}


def users_query():
    return (
        User.objects.filter(removed_at__isnull=True)
        .select_related("scim_profile", "manager")
        .prefetch_related("learner_groups")
    )


def groups_query():
    return (
        LearnerGroup.objects.filter(kind=GroupKind.GROUP)
        .select_related("scim_profile")
        .prefetch_related("members")
    )


def _version(body: dict) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f'W/"{digest[:20]}"'


def _time(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_resource(user: User, base_url: str) -> dict:
    profile = getattr(user, "scim_profile", None)
    groups = list(user.learner_groups.all())
    department = next((g.name for g in groups if g.kind == GroupKind.DEPARTMENT), "")
    if profile is not None:
        name = {"givenName": profile.given_name or None, "familyName": profile.family_name or None}
        display_name = profile.display_name or None
        user_name = profile.user_name
        emails = profile.emails
        active = None if profile.active_unset and user.is_active else user.is_active
    else:
        first, _, rest = user.full_name.partition(" ")
        name = {"givenName": first or None, "familyName": rest or None}
        display_name = user.full_name or None
        user_name = user.email
        emails = [{"value": user.email, "type": "work", "primary": True}]
        active = user.is_active
    enterprise = {
        "employeeNumber": user.employee_number or None,
        "costCenter": user.cost_center or None,
        "organization": user.organization or None,
        "department": department or None,
    }
    if user.manager_id:
        enterprise["manager"] = {
            "value": str(user.manager_id),
            "$ref": f"{base_url}/Users/{user.manager_id}",
        }
    body = {
        "schemas": [USER, ENTERPRISE],
        "id": str(user.pk),
        "externalId": user.external_id or None,
        "userName": user_name,
        "name": name,
        "displayName": display_name,
        "emails": emails,
        "active": active,
        "groups": [
            {"value": str(g.pk), "display": g.name, "$ref": f"{base_url}/Groups/{g.pk}"}
            for g in groups
            if g.kind == GroupKind.GROUP
        ],
        ENTERPRISE: enterprise,
    }
    body = _clean(body)
    last = profile.updated_at if profile is not None else user.date_joined
    body["meta"] = {
        "resourceType": "User",
        "created": _time(user.date_joined),
        "lastModified": _time(last),
        "location": f"{base_url}/Users/{user.pk}",
        "version": _version(body),
    }
    return body


def group_resource(group: LearnerGroup, base_url: str) -> dict:
    # A deleted person is gone for SCIM (404) while they wait to be anonymised.
    members = sorted((m for m in group.members.all() if m.removed_at is None), key=lambda m: m.pk)
    profile = getattr(group, "scim_profile", None)
    types = profile.member_types if profile is not None else {}
    body = {
        "schemas": [GROUP],
        "id": str(group.pk),
        "externalId": (profile.external_id if profile is not None else "") or None,
        "displayName": group.name,
        "members": [
            {
                "value": str(m.pk),
                "type": types.get(str(m.pk), "User"),
                "$ref": f"{base_url}/Users/{m.pk}",
            }
            for m in members
        ],
    }
    body = _clean(body)
    last = profile.updated_at if profile is not None else group.created_at
    body["meta"] = {
        "resourceType": "Group",
        "created": _time(group.created_at),
        "lastModified": _time(last),
        "location": f"{base_url}/Groups/{group.pk}",
        "version": _version(body),
    }
    return body


def _clean(value):
    """Without null values and empty objects or lists (SCIM omits unassigned attributes)."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def attributes_select(body: dict, attributes: list[str], excluded: list[str]) -> dict:
    """`attributes`/`excludedAttributes` (case-insensitive; id, schemas, meta always kept)."""
    always = {"id", "schemas", "meta"}

    def wanted_keys(names: list[str]) -> dict[str, set[str]]:
        chosen: dict[str, set[str]] = {}
        for name in names:
            lowered = name.strip().lower()
            for urn in (USER.lower(), GROUP.lower()):
                if lowered.startswith(urn + ":"):
                    lowered = lowered[len(urn) + 1 :]
            if lowered.startswith(ENTERPRISE.lower() + ":"):
                sub = lowered[len(ENTERPRISE) + 1 :]
                chosen.setdefault(ENTERPRISE.lower(), set()).add(sub)
                continue
            top, _, sub = lowered.partition(".")
            chosen.setdefault(top, set())
            if sub:
                chosen[top].add(sub)
        return chosen

    if attributes:
        chosen = wanted_keys(attributes)
        result = {}
        for key, value in body.items():
            lowered = key.lower()
            if lowered in always:
                result[key] = value
            elif lowered in chosen:
                subs = chosen[lowered]
                result[key] = _sub_select(value, subs, keep=True) if subs else value
        return result
    if excluded:
        chosen = wanted_keys(excluded)
        result = {}
        for key, value in body.items():
            lowered = key.lower()
            if lowered in chosen and lowered not in always:
                subs = chosen[lowered]
                if subs:
                    result[key] = _sub_select(value, subs, keep=False)
                continue
            result[key] = value
        return result
    return body


def _sub_select(value, subs: set[str], keep: bool):
    if isinstance(value, list):
        return [_sub_select(v, subs, keep) for v in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if (k.lower() in subs) == keep}
    return value
