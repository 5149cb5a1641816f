"""/Bulk's fast path: a run of plain `POST /Users` operations is created in one batch
(people, SCIM profiles, department memberships), each operation still answered alone."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tenant_apps.people import services as people
from tenant_apps.people.models import GroupKind, LearnerGroup, User
from tenant_apps.people.services.bulk import NewPerson, users_create_many
from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.models import ScimProfile
from tenant_apps.scim.writes import SYNCED, wanted_user


def batchable(operation: dict) -> bool:
    """A POST /Users that needs nothing of the one-by-one path (no references, manager,
    or deactivated start)."""
    data = operation.get("data")
    if str(operation.get("method", "")).upper() != "POST" or not isinstance(data, dict):
        return False
    if str(operation.get("path", "")).strip("/").lower() != "users":
        return False
    text = str(data)
    return (
        "bulkId:" not in text
        and "manager" not in text.lower()
        and data.get("active")
        in (
            None,
            True,
            "True",
            "true",
        )
    )


def _department(name: str) -> LearnerGroup:
    found = LearnerGroup.objects.filter(name__iexact=name).first()
    if found is None:
        try:
            with transaction.atomic():
                found = people.group_save(name=name, kind=GroupKind.DEPARTMENT, actor=None)
        except Exception:  # made by a concurrent request
            found = LearnerGroup.objects.get(name__iexact=name)
    if found.kind != GroupKind.DEPARTMENT:
        raise ScimError(400, "department names a group, not a department.", "invalidValue")
    return found


@transaction.atomic
def users_post_batch(bodies: list[dict]) -> list[User | ScimError]:
    """Create people from SCIM Users; per body the person made or the error refusing it."""
    outcomes: list[User | ScimError | dict] = []
    for body in bodies:
        try:
            outcomes.append(wanted_user(body))
        except ScimError as error:
            outcomes.append(error)
    wanted = [o for o in outcomes if isinstance(o, dict)]
    emails = [w["email"] for w in wanted]
    external = [w["external_id"] for w in wanted if w["external_id"]]
    people.removed_holders_anonymise(emails, external)
    taken_emails = {
        e.lower()
        for e in User.objects.filter(email__lower__in=emails).values_list("email", flat=True)
    }
    taken_ids = set(
        User.objects.filter(external_id__in=external).values_list("external_id", flat=True)
    )
    seen_emails: set[str] = set()
    seen_ids: set[str] = set()
    creatable = []
    for index, outcome in enumerate(outcomes):
        if not isinstance(outcome, dict):
            continue
        if outcome["email"] in taken_emails | seen_emails:
            outcomes[index] = ScimError(409, "Another person has this userName.", "uniqueness")
        elif outcome["external_id"] and outcome["external_id"] in taken_ids | seen_ids:
            outcomes[index] = ScimError(409, "Another person has this externalId.", "uniqueness")
        else:
            seen_emails.add(outcome["email"])
            seen_ids.add(outcome["external_id"])
            creatable.append(index)
    sources = {field: "scim" for field in (*SYNCED, "manager", "department", "active")}
    made = (
        users_create_many(
            people=[
                NewPerson(
                    **{field: outcomes[i][field] for field in SYNCED if field != "full_name"},
                    full_name=outcomes[i]["full_name"],
                    attribute_sources=sources,
                )
                for i in creatable
            ],
            actor=None,
        )
        if creatable
        else []
    )
    now = timezone.now()
    ScimProfile.objects.bulk_create(
        [
            ScimProfile(
                user=user,
                user_name=outcomes[i]["user_name"],
                given_name=outcomes[i]["given_name"],
                family_name=outcomes[i]["family_name"],
                display_name=outcomes[i]["display_name"],
                emails=outcomes[i]["emails"],
                updated_at=now,
            )
            for i, user in zip(creatable, made, strict=True)
        ]
    )
    by_department: dict[str, list[int]] = {}
    for i, user in zip(creatable, made, strict=True):
        if outcomes[i]["department"]:
            by_department.setdefault(outcomes[i]["department"].lower(), []).append(user.pk)
    names = {outcomes[i]["department"].lower(): outcomes[i]["department"] for i in creatable}
    for lowered, ids in sorted(by_department.items()):
        department = _department(names[lowered])
        people.group_members_set(group=department, add=ids, remove=[], actor=None)
    for i, user in zip(creatable, made, strict=True):
        outcomes[i] = user
    return outcomes  # type: ignore[return-value]
