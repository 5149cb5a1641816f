"""Plans, each tenant's subscription and the provider events received (public schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shared_apps.tenants.models import Tenant


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


# What an operator may set on a plan (its `code` is fixed once made).
PLAN_EDITABLE_FIELDS = (
    "name",
    "sort_order",
    "max_active_learners",
    "max_courses",
    "max_storage_bytes",
    "max_webhook_endpoints",
    "sso_allowed",
    "scim_allowed",
    "custom_domain_allowed",
    "currency",
    "price_month",
    "price_year",
    "trial_days",
    "is_public",
)


# The plan a tenant falls to when its subscription ends (seeded, not for sale): what it has
# stays, nothing more may be added until it subscribes again.
PLAN_AFTER_CANCELLATION = "ended"


class Plan(models.Model):
    """What a tenant may use and what it pays. A limit of None is unlimited."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    sort_order = models.PositiveIntegerField(default=100)
    max_active_learners = models.PositiveIntegerField(null=True, blank=True)
    max_courses = models.PositiveIntegerField(null=True, blank=True)
    max_storage_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    max_webhook_endpoints = models.PositiveIntegerField(null=True, blank=True)
    sso_allowed = models.BooleanField(default=False)
    scim_allowed = models.BooleanField(default=False)
    custom_domain_allowed = models.BooleanField(default=False)
    currency = models.CharField(max_length=3, default="USD")
    # Minor units per interval; None: not offered at that interval.
    price_month = models.PositiveBigIntegerField(null=True, blank=True)
    price_year = models.PositiveBigIntegerField(null=True, blank=True)
    trial_days = models.PositiveIntegerField(default=0)
    is_public = models.BooleanField(default=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # The provider's ids of this plan's prices (legacy Stripe Plans), made on first use.
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_price_month_id = models.CharField(max_length=255, blank=True)
    stripe_price_year_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="plan_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def price_for(self, interval: str) -> int | None:
        return self.price_month if interval == Interval.MONTH else self.price_year


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, plus NONE for a tenant that never checked out."""

    NONE = "none", _("No subscription")
    INCOMPLETE = "incomplete", _("Incomplete")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Incomplete, expired")
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    UNPAID = "unpaid", _("Unpaid")
    CANCELED = "canceled", _("Cancelled")
    PAUSED = "paused", _("Paused")


class TenantSubscription(models.Model):
    """A tenant's billing account: its Stripe customer and the subscription mirrored from
    Stripe's events. `state_at` is the provider's time of the last state applied; an older
    event never moves the state back."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="subscription")
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    plan_code = models.CharField(max_length=64, blank=True)
    interval = models.CharField(max_length=8, choices=Interval.choices, blank=True)
    status = models.CharField(
        max_length=24, choices=SubscriptionStatus.choices, default=SubscriptionStatus.NONE
    )
    amount = models.PositiveBigIntegerField(default=0)  # minor units per interval
    currency = models.CharField(max_length=3, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    state_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    # Set when dunning suspended the tenant: only then does a payment resume it.
    suspended_for_nonpayment_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant__slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in SubscriptionStatus]),
                name="tenant_subscription_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.plan_code} {self.status}"


class SubscriptionChange(models.Model):
    """The log of every billing transition of a tenant (the operator's audit trail)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)  # "status", "plan", "suspended", "resumed", ...
    before = models.CharField(max_length=64, blank=True)
    after = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.before} → {self.after}"


class ProviderEvent(models.Model):
    """A verified provider event, stored once under (provider, event_id)."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="platform_provider_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
