"""Lectern switching an endpoint off by itself (410 Gone, or failing for days): its waiting
messages fail, the change is audited, and the tenant's admins are told by e-mail."""

from __future__ import annotations

from django.utils import timezone

from core.transactions import after_commit
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, actor=None) -> bool:
    """Switch `endpoint` off for `reason`; False when it was off already (so the audit entry
    and the e-mail happen once however many workers see the same failure)."""
    now = timezone.now()
    switched = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason[:300], disabled_at=now
    )
    if not switched:
        return False
    WebhookMessage.objects.filter(
        endpoint_id=endpoint.pk, status__in=[MessageStatus.PENDING, MessageStatus.FAILING]
    ).update(status=MessageStatus.FAILED, next_attempt_at=None)
    audit_record(
        action=AuditAction.WEBHOOK_ENDPOINT_DISABLED,
        actor=actor,
        target=endpoint,
        before={"enabled": True},
        after={"enabled": False, "disabled_reason": reason[:300]},
        label=endpoint.url,
    )
    endpoint_pk = endpoint.pk

    def notify() -> None:
        from webhooks.tasks import endpoint_disabled_notify

        endpoint_disabled_notify.delay(endpoint_pk)

    after_commit(notify)
    return True


def endpoint_disabled_mail(*, endpoint_pk: int) -> int:
    """E-mail every active admin of the tenant that `endpoint` was switched off and why;
    returns how many e-mails went out."""
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import gettext as _

    from tenant_apps.notifications.services import admins_email_send, tenant_identity

    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_pk, enabled=False).first()
    if endpoint is None:  # switched on again before the e-mail went
        return 0
    tenant = tenant_identity()
    link = tenant.base_url + "/"
    # The endpoint's admin page, else the list of endpoints (names the pages give them).
    for name, kwargs in (("manage-webhook-endpoint", {"pk": endpoint.pk}), ("manage-webhooks", {})):
        try:
            link = tenant.base_url + reverse(name, kwargs=kwargs, urlconf=settings.ROOT_URLCONF)
            break
        except NoReverseMatch:
            continue
    return admins_email_send(
        subject=lambda: _("Webhooks to %(url)s were switched off") % {"url": endpoint.url},
        template="webhook_endpoint_disabled",
        context={"endpoint": endpoint, "link": link},
        tenant=tenant,
    )
