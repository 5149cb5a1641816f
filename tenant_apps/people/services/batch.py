"""Creating many people in one go (HR syncs: SCIM /Bulk, imports): one insert for the
people, one for their `user.created` events, one relay kick, one credentials stamp."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, FieldError
from tenant_apps.events.kicks import relay_kick_after_commit
from tenant_apps.events.models import EventType, OutboxEvent
from tenant_apps.people import token_cache
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import Role, User
from tenant_apps.people.services.people import user_payload
from tenant_apps.people.services.policy import new_person_defaults

# What a batch may set besides e-mail and name.
BATCH_FIELDS = (
    "external_id",
    "employee_number",
    "cost_center",
    "organization",
    "attribute_sources",
)


@transaction.atomic
def users_create_batch(*, people: list[dict], actor: User | None = None) -> list[User]:
    """Create learners from dicts (`email`, `full_name`, fields of BATCH_FIELDS), without
    passwords (they sign in with SSO or accept an invite), all or none: an address already
    here (whatever its case) or given twice refuses the batch. Announced as `user.created`."""
    locale, time_zone = new_person_defaults()
    emails = [str(person["email"]).strip().lower() for person in people]
    taken = set(User.objects.filter(email__lower__in=emails).values_list("email", flat=True))
    if taken or len(set(emails)) != len(emails):
        email = next(iter(taken), "") or next(e for e in emails if emails.count(e) > 1)
        raise Conflict(
            PeopleErrorCode.EMAIL_TAKEN,
            _("Someone already uses %(email)s.") % {"email": email},
            [FieldError("email", _("A person with this e-mail already exists."))],
        )
    users = []
    for email, person in zip(emails, people, strict=True):
        user = User(
            email=email,
            full_name=str(person.get("full_name", "")).strip(),
            role=Role.LEARNER,
            locale=locale,
            time_zone=time_zone,
            **{name: person[name] for name in BATCH_FIELDS if name in person},
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    actor_id = getattr(actor, "pk", None)
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(
                event_type=EventType.USER_CREATED,
                subject_type="user",
                subject_id=str(user.pk),
                payload=json.loads(json.dumps(user_payload(user), cls=DjangoJSONEncoder)),
                actor_id=actor_id,
            )
            for user in users
        ]
    )
    relay_kick_after_commit()
    # bulk_create sends no model signals: replace the credentials stamp once for the batch.
    token_cache.credentials_changed()
    return users
