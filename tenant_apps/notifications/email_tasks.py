"""One way to write a transactional e-mail task: a function that, given the id of the row
the e-mail is about and the tenant it is sent from, composes the e-mail (or decides there
is nothing to say any more), made into a Celery task that sends it in the tenant's frame.

    @email_task("tenant_apps.people.tasks.invitation_send")
    def invitation_send(user_id: int, tenant: TenantIdentity) -> Email | None:
        user = ...
        with as_read_by(locale=user.locale, zone=user.zone):
            return Email(to=user.email, subject=..., template="invitation", context={...})

Callers queue it by id after commit: `after_commit(lambda: invitation_send.delay(user.pk))`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from celery import Task, shared_task
from django.utils import timezone, translation

from tenant_apps.notifications.services import TenantIdentity, tenant_email_send, tenant_identity


@dataclass(frozen=True)
class Email:
    """One e-mail to one person: `notifications/email/<template>.txt|.html` rendered with
    `context` (plus `tenant`).

    It is written in the language and time zone active when it is composed: a composer
    builds it inside `core.languages.as_read_by(locale=person.locale, zone=person.zone)`,
    so the subject, the body and its dates read as the recipient reads the portal."""

    to: str
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    language: str = field(default_factory=lambda: translation.get_language() or "")
    zone: tzinfo = field(default_factory=timezone.get_current_timezone)


EmailComposer = Callable[[int, TenantIdentity], Email | None]


def email_task(name: str, **task_options: Any) -> Callable[[EmailComposer], Task]:
    """Make `compose(object_id, tenant)` a Celery task named `name` taking `object_id`.

    The task runs in the schema of the tenant that queued it; links in the e-mail use the
    tenant's stored primary domain (`tenant.base_url`), never a request's host. A subject
    is kept on one line whatever titles it quotes, so no header can be broken."""

    def decorate(compose: EmailComposer) -> Task:
        def send(object_id: int) -> None:
            tenant = tenant_identity()
            email = compose(object_id, tenant)
            if email is None:
                return
            with translation.override(email.language or None), timezone.override(email.zone):
                tenant_email_send(
                    to=email.to,
                    subject=" ".join(email.subject.split()),
                    template=email.template,
                    context=email.context,
                    tenant=tenant,
                )

        send.__name__ = compose.__name__
        send.__qualname__ = compose.__qualname__
        send.__module__ = compose.__module__
        send.__doc__ = compose.__doc__
        return shared_task(name=name, **task_options)(send)

    return decorate
