"""Dunning by payment state: a failed payment makes the subscription past due, warns the
tenant's admins (banner and e-mail), suspends the tenant once the grace period is over, and
a paid invoice resumes it. Each transition is logged."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.subscriptions.models import SubscriptionChange, SubscriptionStatus, TenantSubscription
from billing.subscriptions.services.dunning import overdue_tenants_suspend
from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.tenants.services import tenant_suspend
from tests.billing.subscriptions.stripe_fake import event, signed_headers

URL = "/billing/webhooks/stripe/"
CUSTOMER = "cus_dunning_alpha"


@pytest.fixture
def paying(tenant_a, db) -> TenantSubscription:
    with schema_context("public"):
        return TenantSubscription.objects.create(
            tenant=tenant_a.tenant,
            stripe_customer_id=CUSTOMER,
            stripe_subscription_id="sub_dunning",
            plan_code="standard",
            status=SubscriptionStatus.ACTIVE,
            interval="month",
            amount=29900,
            currency="USD",
        )


def deliver(client, event_type: str, event_id: str, created: int | None = None):
    invoice = {"id": f"in_{event_id}", "customer": CUSTOMER, "subscription": "sub_dunning"}
    payload = event(event_type, invoice, event_id=event_id, created=created or int(time.time()))
    return client.post(URL, payload, content_type="application/json", **signed_headers(payload))


def reload(account: TenantSubscription) -> tuple[TenantSubscription, Tenant]:
    with schema_context("public"):
        fresh = TenantSubscription.objects.get(pk=account.pk)
        return fresh, Tenant.objects.get(pk=account.tenant_id)


def test_a_failed_payment_warns_every_admin_by_mail_and_banner(
    public_client,
    paying,
    webhook_secret,
    admin,
    learner,
    portal,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver(public_client, "invoice.payment_failed", "evt_failed")
    assert answer.json()["outcome"] == "applied"
    account, tenant = reload(paying)
    assert account.status == SubscriptionStatus.PAST_DUE
    assert account.past_due_since is not None
    assert tenant.status == TenantStatus.ACTIVE
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["admin@alpha.example.com", "billing-admin@example.com"]
    assert mail.outbox[0].subject == "Payment for your Lectern plan failed"
    assert "/manage/billing/plan/" in mail.outbox[0].body
    page = portal(admin).get("/manage/billing/plan/").content.decode()
    assert "The payment for your plan failed." in page
    assert portal(learner).get("/manage/billing/plan/").status_code == 403


def test_past_due_beyond_the_grace_period_suspends_and_payment_resumes(
    public_client, paying, webhook_secret, settings
):
    settings.BILLING_GRACE_DAYS = 14
    deliver(public_client, "invoice.payment_failed", "evt_f1")
    assert overdue_tenants_suspend(now=timezone.now() + timedelta(days=13)) == []
    assert reload(paying)[1].status == TenantStatus.ACTIVE

    assert overdue_tenants_suspend(now=timezone.now() + timedelta(days=15)) == ["alpha"]
    account, tenant = reload(paying)
    assert tenant.status == TenantStatus.SUSPENDED
    assert account.suspended_for_nonpayment_at is not None
    # Run again: nothing more happens.
    assert overdue_tenants_suspend(now=timezone.now() + timedelta(days=16)) == []

    paid = deliver(public_client, "invoice.paid", "evt_paid", created=int(time.time()) + 1)
    assert paid.json()["outcome"] == "applied"
    account, tenant = reload(paying)
    assert (account.status, tenant.status) == (SubscriptionStatus.ACTIVE, TenantStatus.ACTIVE)
    assert account.past_due_since is None and account.suspended_for_nonpayment_at is None
    with schema_context("public"):
        log = list(
            SubscriptionChange.objects.filter(tenant_id=paying.tenant_id)
            .order_by("id")
            .values_list("kind", "before", "after")
        )
    assert log == [
        ("status", "active", "past_due"),
        ("standing", "active", "suspended"),
        ("status", "past_due", "active"),
        ("standing", "suspended", "active"),
    ]


def test_an_old_failure_arriving_after_the_payment_changes_nothing(
    public_client, paying, webhook_secret
):
    now = int(time.time())
    deliver(public_client, "invoice.paid", "evt_paid_first", created=now)
    late = deliver(public_client, "invoice.payment_failed", "evt_failed_late", created=now - 100)
    assert late.json()["outcome"] == "stale"
    assert reload(paying)[0].status == SubscriptionStatus.ACTIVE


def test_a_payment_does_not_lift_an_operators_suspension(public_client, paying, webhook_secret):
    with schema_context("public"):
        tenant_suspend(tenant=Tenant.objects.get(pk=paying.tenant_id))
    deliver(public_client, "invoice.payment_failed", "evt_f2")
    deliver(public_client, "invoice.paid", "evt_p2", created=int(time.time()) + 1)
    account, tenant = reload(paying)
    assert account.status == SubscriptionStatus.ACTIVE
    assert tenant.status == TenantStatus.SUSPENDED


def test_the_banner_marks_are_rebuilt_from_the_database_by_the_hourly_task(paying, admin, portal):
    from billing.subscriptions.tasks import overdue_tenants_suspend as hourly

    with schema_context("public"):
        TenantSubscription.objects.filter(pk=paying.pk).update(
            status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now()
        )
    # Redis lost the mark (it keeps nothing on disk): no banner until the task runs.
    assert "The payment for your plan failed." not in portal(admin).get("/manage/").content.decode()
    with schema_context("public"):
        assert hourly() == []
    page = portal(admin).get("/manage/billing/plan/").content.decode()
    assert "The payment for your plan failed." in page


def test_a_subscription_stripe_cancels_after_dunning_reopens_the_portal_on_the_ended_plan(
    public_client, paying, webhook_secret, settings
):
    settings.BILLING_GRACE_DAYS = 14
    deliver(public_client, "invoice.payment_failed", "evt_f3")
    overdue_tenants_suspend(now=timezone.now() + timedelta(days=15))
    assert reload(paying)[1].status == TenantStatus.SUSPENDED
    ended = {"id": "sub_dunning", "customer": CUSTOMER, "status": "canceled"}
    payload = event(
        "customer.subscription.deleted", ended, event_id="evt_end", created=int(time.time()) + 1
    )
    answer = public_client.post(
        URL, payload, content_type="application/json", **signed_headers(payload)
    )
    assert answer.json()["outcome"] == "applied"
    account, tenant = reload(paying)
    assert (account.status, tenant.status, tenant.plan_code) == (
        SubscriptionStatus.CANCELED,
        TenantStatus.ACTIVE,
        "ended",
    )
    assert account.suspended_for_nonpayment_at is None
