"""Creating many people at once (HR imports): what user_create does for each, in a few
statements instead of several per person."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.entitlements import entitlement_require
from core.errors import Conflict, FieldError
from tenant_apps.events.models import EventType
from tenant_apps.events.services import record_events
from tenant_apps.people import token_cache
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import Role, User
from tenant_apps.people.services.people import user_payload
from tenant_apps.people.services.policy import new_person_defaults
from tenant_apps.people.services.removal import removed_holders_anonymise


@dataclass(frozen=True)
class NewPerson:
    email: str
    full_name: str = ""
    role: str = Role.LEARNER
    external_id: str = ""
    employee_number: str = ""
    cost_center: str = ""
    organization: str = ""
    # Where each attribute came from ({"full_name": "import", ...}).
    attribute_sources: dict = field(default_factory=dict)


def _taken(emails: list[str]) -> Conflict:
    return Conflict(
        PeopleErrorCode.EMAIL_TAKEN,
        _("Some of these people exist already."),
        [FieldError("email", _("%(email)s is taken.") % {"email": email}) for email in emails],
    )


@transaction.atomic
def users_create_many(*, people: list[NewPerson], actor: User | None) -> list[User]:
    """Create `people` in the current tenant as user_create would (e-mail in lower case, the
    tenant's locale and time zone, no usable password until they accept an invite,
    `user.created` announced), all or none: a taken e-mail or external id refuses the
    batch (Conflict), and callers create one by one to find which."""
    emails = [person.email.strip().lower() for person in people]
    removed_holders_anonymise(
        emails, [person.external_id for person in people if person.external_id]
    )
    taken = list(User.objects.filter(email__lower__in=emails).values_list("email", flat=True))
    if taken or len(set(emails)) != len(emails):
        raise _taken(taken or emails)
    learners = sum(1 for person in people if (person.role or Role.LEARNER) == Role.LEARNER)
    entitlement_require("active_learners", adding=learners)
    locale, time_zone = new_person_defaults()
    users = []
    for person, email in zip(people, emails, strict=True):
        user = User(
            email=email,
            full_name=person.full_name.strip(),
            role=person.role or Role.LEARNER,
            locale=locale,
            time_zone=time_zone,
            external_id=person.external_id,
            employee_number=person.employee_number,
            cost_center=person.cost_center,
            organization=person.organization,
            attribute_sources=dict(person.attribute_sources),
        )
        user.set_unusable_password()
        users.append(user)
    try:
        with transaction.atomic():
            User.objects.bulk_create(users)
    except IntegrityError as exc:  # a concurrent creation, or an external id in use
        raise _taken([]) from exc
    record_events(
        event_type=EventType.USER_CREATED,
        subject_type="user",
        payloads=[(user.pk, user_payload(user)) for user in users],
        actor_id=getattr(actor, "pk", None),
    )
    # bulk_create sends no model signals: replace the credentials stamp once for the batch.
    token_cache.credentials_changed()
    return users
