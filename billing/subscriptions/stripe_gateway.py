"""The calls platform billing makes to Stripe, with the platform's own keys: the tenant's
customer, the plan's price (a legacy Plan), Checkout and the customer portal. A provider
failure is an ApplicationError (502), never a 500."""

from __future__ import annotations

import stripe
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from billing.subscriptions.errors import BillingErrorCode
from billing.subscriptions.models import Interval, Plan, TenantSubscription
from core.errors import ApplicationError
from shared_apps.tenants.models import Tenant


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_PLATFORM_SECRET_KEY:
        raise ApplicationError(
            code=BillingErrorCode.NOT_CONFIGURED,
            message=_("Online payment is not set up on this platform. Contact us to change plans."),
            status=409,
        )
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_PLATFORM_SECRET_KEY, base_addresses=base, max_network_retries=1
    )


def _unavailable(exc: Exception) -> ApplicationError:
    return ApplicationError(
        code=BillingErrorCode.PROVIDER_UNAVAILABLE,
        message=_("The payment provider did not answer. Try again in a few minutes."),
        status=502,
    )


def account_for(tenant: Tenant) -> TenantSubscription:
    account, _created = TenantSubscription.objects.get_or_create(tenant=tenant)
    return account


def customer_ensure(tenant: Tenant) -> str:
    """The tenant's Stripe customer id, made on first use (one per tenant)."""
    with transaction.atomic():
        account = TenantSubscription.objects.select_for_update().get(pk=account_for(tenant).pk)
        if account.stripe_customer_id:
            return account.stripe_customer_id
        try:
            customer = _client().v1.customers.create(
                params={
                    "name": tenant.name,
                    "email": tenant.contact_email,
                    "metadata": {"tenant": tenant.slug},
                }
            )
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        account.stripe_customer_id = customer.id
        account.save(update_fields=["stripe_customer_id", "updated_at"])
        return customer.id


def plan_price_ensure(plan: Plan, interval: str) -> str:
    """The id of the plan's Stripe price at `interval`, made on first use."""
    field = "stripe_price_month_id" if interval == Interval.MONTH else "stripe_price_year_id"
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if getattr(plan, field):
            return getattr(plan, field)
        amount = plan.price_for(interval)
        client = _client()
        try:
            if not plan.stripe_product_id:
                product = client.v1.products.create(
                    params={"name": plan.name, "metadata": {"plan_code": plan.code}}
                )
                plan.stripe_product_id = product.id
            price = client.v1.plans.create(
                params={
                    "amount": amount,
                    "currency": plan.currency.lower(),
                    "interval": interval,
                    "product": plan.stripe_product_id,
                    "metadata": {"plan_code": plan.code, "interval": interval},
                }
            )
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        setattr(plan, field, price.id)
        plan.save(update_fields=["stripe_product_id", field, "updated_at"])
        return price.id


def checkout_session_url(
    *, tenant: Tenant, plan: Plan, interval: str, success_url: str, cancel_url: str
) -> str:
    """A Stripe Checkout page (mode subscription) for `plan` at `interval`; a first
    subscription gets the plan's trial."""
    customer = customer_ensure(tenant)
    price = plan_price_ensure(plan, interval)
    subscription_data: dict = {"metadata": {"tenant": tenant.slug, "plan_code": plan.code}}
    if plan.trial_days and account_for(tenant).stripe_subscription_id == "":
        subscription_data["trial_period_days"] = plan.trial_days
    try:
        session = _client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": tenant.slug,
                "line_items": [{"price": price, "quantity": 1}],
                "subscription_data": subscription_data,
                "metadata": {"tenant": tenant.slug, "plan_code": plan.code},
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return session.url


def portal_session_url(*, tenant: Tenant, return_url: str) -> str:
    """Stripe's customer portal for the tenant's cards and invoices."""
    customer = customer_ensure(tenant)
    try:
        session = _client().v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": return_url}
        )
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return session.url


def subscription_cancel(subscription_id: str) -> str:
    """Cancel a subscription now; its status as Stripe reports it ("canceled")."""
    try:
        cancelled = _client().v1.subscriptions.cancel(subscription_id)
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "http_status", None) == 404:
            return "missing"
        raise _unavailable(exc) from exc
    except stripe.StripeError as exc:
        raise _unavailable(exc) from exc
    return str(cancelled.status)
