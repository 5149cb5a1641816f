"""Stripe's platform-billing events: stored once under (provider, event_id), then mirrored
onto the tenant's subscription. An event older than the state already applied never moves
it back; a cancelled subscription stays cancelled, and its tenant falls to the plan for
tenants without a subscription."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.subscriptions.models import (
    PLAN_AFTER_CANCELLATION,
    Interval,
    Plan,
    ProviderEvent,
    SubscriptionStatus,
    TenantSubscription,
)
from billing.subscriptions.overdue_marks import overdue_clear
from billing.subscriptions.services.transitions import (
    change_log,
    standing_restore,
    status_set,
    tenant_plan_set,
)
from billing.subscriptions.tasks import replaced_subscription_cancel
from core.transactions import after_commit
from shared_apps.tenants.models import Tenant

PROVIDER = "stripe"
SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
}
INVOICE_EVENTS = {"invoice.paid", "invoice.payment_failed"}
# States that keep the tenant on the plan it subscribed to.
STANDING = {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE}


def _moment(seconds: Any) -> datetime.datetime | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        return None
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def provider_event_receive(event: dict) -> str:
    """Store and apply a verified event, once; the outcome in a word ("applied",
    "duplicate", "ignored", "stale", "unknown_customer"). Storing and applying share one
    transaction, so a failure leaves nothing and the provider's retry applies it."""
    event_id = str(event.get("id") or "")
    event_type = str(event.get("type") or "")
    with transaction.atomic():
        try:
            with transaction.atomic():
                stored = ProviderEvent.objects.create(
                    provider=PROVIDER, event_id=event_id, event_type=event_type, payload=event
                )
        except IntegrityError:
            return "duplicate"
        outcome = _apply(event_type, event)
        stored.processed_at = timezone.now()
        stored.outcome = outcome
        stored.save(update_fields=["processed_at", "outcome"])
    return outcome


def _object(event: dict) -> dict:
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


def _account_for_customer(customer: Any, metadata: Any) -> TenantSubscription | None:
    """The tenant's account, locked: by its Stripe customer, else by the tenant slug our
    checkout put in the metadata."""
    account = None
    if isinstance(customer, str) and customer:
        account = (
            TenantSubscription.objects.select_for_update()
            .select_related("tenant")
            .filter(stripe_customer_id=customer)
            .first()
        )
    if account is None and isinstance(metadata, dict) and isinstance(metadata.get("tenant"), str):
        tenant = Tenant.objects.filter(slug=metadata["tenant"]).first()
        if tenant is not None:
            TenantSubscription.objects.get_or_create(tenant=tenant)
            account = (
                TenantSubscription.objects.select_for_update()
                .select_related("tenant")
                .get(tenant=tenant)
            )
            if isinstance(customer, str) and customer:
                if account.stripe_customer_id not in ("", customer):
                    return None  # the tenant pays through another customer: not its event
                account.stripe_customer_id = customer
    return account


def _apply(event_type: str, event: dict) -> str:
    if event_type in SUBSCRIPTION_EVENTS:
        return _subscription_event(event_type, event)
    if event_type in INVOICE_EVENTS:
        return _invoice_event(event_type, event)
    return "ignored"


def _first_item(subscription: dict) -> dict:
    items = subscription.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}


def _plan_of(subscription: dict) -> tuple[Plan | None, str, int, str]:
    """(plan, interval, amount, currency) of a subscription's first item."""
    item = _first_item(subscription)
    price = item.get("price") or item.get("plan") or subscription.get("plan") or {}
    price = price if isinstance(price, dict) else {}
    price_id = str(price.get("id") or "")
    recurring = price.get("recurring") if isinstance(price.get("recurring"), dict) else {}
    metadata = subscription.get("metadata")
    interval = str(price.get("interval") or recurring.get("interval") or "")
    amount = price.get("amount", price.get("unit_amount"))
    amount = amount if isinstance(amount, int) and not isinstance(amount, bool) else 0
    currency = str(price.get("currency") or "").upper()[:3]
    plan = None
    if price_id:
        plan = Plan.objects.filter(stripe_price_month_id=price_id).first() or (
            Plan.objects.filter(stripe_price_year_id=price_id).first()
        )
    if plan is None and isinstance(metadata, dict) and isinstance(metadata.get("plan_code"), str):
        plan = Plan.objects.filter(code=metadata["plan_code"]).first()
    if interval not in Interval.values:
        interval = ""
    return plan, interval, amount, currency


def _is_stale(account: TenantSubscription, subscription_id: str, at, event_type: str) -> bool:
    if account.state_at is None or at is None:
        return False
    if at < account.state_at:
        return True
    same_subscription = account.stripe_subscription_id == subscription_id
    if same_subscription and account.status == SubscriptionStatus.CANCELED:
        return True  # a cancelled subscription never comes back
    # Within the same second, a "created" never overrides what an update said.
    return at == account.state_at and event_type == "customer.subscription.created"


def _subscription_event(event_type: str, event: dict) -> str:
    subscription = _object(event)
    subscription_id = str(subscription.get("id") or "")
    account = _account_for_customer(subscription.get("customer"), subscription.get("metadata"))
    if account is None or not subscription_id:
        return "unknown_customer"
    at = _moment(event.get("created"))
    if _is_stale(account, subscription_id, at, event_type):
        return "stale"
    status = str(subscription.get("status") or "")
    if event_type == "customer.subscription.deleted":
        status = SubscriptionStatus.CANCELED
    if status not in SubscriptionStatus.values or status == SubscriptionStatus.NONE:
        return "ignored"
    replacing = account.stripe_subscription_id not in ("", subscription_id)
    if replacing and status not in STANDING:
        # Another subscription that is not (or no longer) in good standing — an older one
        # ending, a new one still incomplete — does not replace the current one.
        return "other_subscription"
    plan, interval, amount, currency = _plan_of(subscription)
    if replacing and account.status in STANDING:
        # An upgrade through Checkout made a new subscription: end the one it replaces, so
        # the tenant is not charged twice.
        replaced = account.stripe_subscription_id
        after_commit(lambda: replaced_subscription_cancel.delay(replaced))
        change_log(
            tenant=account.tenant,
            kind="replaced",
            before=replaced,
            after=subscription_id,
            reason=f"stripe {event_type} {event.get('id')}",
        )
    account.stripe_subscription_id = subscription_id
    subscribed_plan = plan.code if plan is not None else account.plan_code
    if plan is not None:
        account.plan_code = plan.code
    account.interval = interval or account.interval
    account.amount = amount
    account.currency = currency or account.currency
    account.trial_end = _moment(subscription.get("trial_end"))
    # Newer API versions keep the period on the item.
    period_end = subscription.get("current_period_end")
    if period_end is None:
        period_end = _first_item(subscription).get("current_period_end")
    account.current_period_end = _moment(period_end)
    account.state_at = at or account.state_at
    reason = f"stripe {event_type} {event.get('id')}"
    status_set(account=account, status=status, reason=reason)
    if status == SubscriptionStatus.CANCELED:
        # Its own subscription ended (another one's end returned above). Dunning's
        # suspension ends with it: the plan below admits nothing more, and the admins can
        # sign in to subscribe again.
        standing_restore(account=account, reason=reason)
    account.save()
    if plan is not None and status in STANDING:
        tenant_plan_set(tenant=account.tenant, plan_code=plan.code, reason=reason)
    elif status == SubscriptionStatus.CANCELED and account.tenant.plan_code == subscribed_plan:
        # It keeps what it has and adds nothing more until it subscribes again; a plan an
        # operator gave it meanwhile (a contract outside Stripe) stays.
        tenant_plan_set(tenant=account.tenant, plan_code=PLAN_AFTER_CANCELLATION, reason=reason)
    return "applied"


def _invoice_event(event_type: str, event: dict) -> str:
    invoice = _object(event)
    account = _account_for_customer(invoice.get("customer"), invoice.get("metadata"))
    if account is None:
        return "unknown_customer"
    subscription_id = invoice.get("subscription")
    if not isinstance(subscription_id, str):
        parent = invoice.get("parent") if isinstance(invoice.get("parent"), dict) else {}
        details = parent.get("subscription_details") or {}
        subscription_id = details.get("subscription") if isinstance(details, dict) else None
    if subscription_id and account.stripe_subscription_id not in ("", subscription_id):
        return "other_subscription"
    at = _moment(event.get("created"))
    reason = f"stripe {event_type} {event.get('id')}"
    if at and account.state_at and at < account.state_at:
        return "stale"
    if event_type == "invoice.paid":
        # Paid is never undone by an older failure; it ends the grace period whatever came
        # before it.
        if account.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID):
            status_set(account=account, status=SubscriptionStatus.ACTIVE, reason=reason)
        else:
            account.past_due_since = None
            tenant_id = account.tenant_id
            after_commit(lambda: overdue_clear(tenant_id))
            standing_restore(account=account, reason=reason)
        if at and (account.state_at is None or at > account.state_at):
            account.state_at = at
        account.save()
        return "applied"
    # invoice.payment_failed
    if account.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        return "ignored"
    status_set(account=account, status=SubscriptionStatus.PAST_DUE, reason=reason)
    account.state_at = at or account.state_at
    account.save()
    return "applied"
