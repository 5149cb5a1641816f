"""Course payments in a tenant's schema: the tenant's provider accounts, its payment
settings, each payment attempt with its refunds, coupons, and every provider event received.

Money is integer minor units + ISO currency (core/money.py), never floats."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.money import Money


class Provider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    RAZORPAY = "razorpay", "Razorpay"


class PaymentAccount(models.Model):
    """A tenant's own account with one provider. Secrets sealed with core.secret_box and
    never shown again; Stripe uses `key_secret_sealed` (sk_...), Razorpay `key_id` +
    `key_secret_sealed`; both a webhook signing secret."""

    provider = models.CharField(max_length=16, choices=Provider.choices, unique=True)
    # Razorpay key id (rzp_test_... / rzp_live_...); for Stripe the key's visible prefix.
    key_id = models.CharField(max_length=100, blank=True)
    key_secret_sealed = models.TextField()
    webhook_secret_sealed = models.TextField()
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]

    def __str__(self) -> str:
        return self.get_provider_display()

    @property
    def is_live(self) -> bool:
        """Live or test mode, as the provider's key prefix says (sk_live_, rzp_live_)."""
        return "_live_" in self.key_id


class PaymentSettings(models.Model):
    """The tenant's payment settings: one row (pk 1)."""

    prices_include_tax = models.BooleanField(default=True)
    # Shown beside prices, such as "incl. VAT" or "+ GST".
    tax_label = models.CharField(max_length=40, blank=True)
    pending_timeout_minutes = models.PositiveIntegerField(default=60)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pending_timeout_minutes__gte=5)
                & models.Q(pending_timeout_minutes__lte=7 * 24 * 60),
                name="payment_settings_timeout_range",
            )
        ]

    def __str__(self) -> str:
        return "payment settings"


class DiscountKind(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    AMOUNT = "amount", _("Fixed amount")


class Coupon(models.Model):
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=8, choices=DiscountKind.choices)
    # 1-100 for a percentage; minor units of `currency` for an amount.
    value = models.BigIntegerField()
    currency = models.CharField(max_length=3, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # None: no limit.
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    times_redeemed = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    # Only for this course (None: any course).
    course = models.ForeignKey(
        "courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="coupon_code_ci_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="percent", value__gte=1, value__lte=100, currency="")
                    | models.Q(kind="amount", value__gte=1, currency__regex=r"^[A-Z]{3}$")
                ),
                name="coupon_value_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    # Paid, but not as ordered (amount or currency): an admin looks at it.
    FLAGGED = "flagged", _("Flagged for review")


SETTLED_STATUSES = (
    PaymentStatus.PAID,
    PaymentStatus.REFUNDED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.FLAGGED,
)


class CoursePayment(models.Model):
    """One attempt by a learner to pay for a course."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrollment = models.ForeignKey(
        "enrollments.Enrollment", on_delete=models.PROTECT, related_name="+"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="+")
    # Empty when a 100 % coupon made it free: no provider took part.
    provider = models.CharField(max_length=16, choices=Provider.choices, blank=True)
    # What the learner owes: list price minus discount, minor units.
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    list_amount = models.BigIntegerField()
    coupon = models.ForeignKey(
        Coupon, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    discount_amount = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    # Stripe Checkout Session id (cs_...) or Razorpay order id (order_...).
    provider_order_id = models.CharField(max_length=255, blank=True)
    # Stripe: the Checkout page the learner is sent to (kept to resume the same attempt).
    checkout_url = models.URLField(max_length=2000, blank=True)
    # Stripe PaymentIntent id (pi_...) or Razorpay payment id (pay_...).
    provider_payment_id = models.CharField(max_length=255, blank=True)
    # Unique per attempt; Razorpay's `receipt`.
    receipt = models.CharField(max_length=40, unique=True)
    # What the provider reported as paid, when it differs from ours (flagged).
    paid_amount = models.BigIntegerField(null=True, blank=True)
    paid_currency = models.CharField(max_length=3, blank=True)
    refunded_amount = models.BigIntegerField(default=0)
    flag_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_order_id"],
                condition=~models.Q(provider_order_id=""),
                name="payment_provider_order_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0)
                & models.Q(discount_amount__gte=0)
                & models.Q(refunded_amount__gte=0),
                name="payment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in PaymentStatus]),
                name="payment_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="payment_status_idx"),
            models.Index(fields=["learner", "-created_at"], name="payment_learner_idx"),
        ]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def refundable(self) -> Money:
        """What may still be refunded, in what the provider took."""
        paid = self.paid_amount if self.paid_amount is not None else self.amount
        return Money(paid - self.refunded_amount, self.paid_currency or self.currency)


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    payment = models.ForeignKey(CoursePayment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"refund {self.pk} of {self.payment_id}"


class EventOutcome(models.TextChoices):
    RECEIVED = "received", _("Received")
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Ignored")
    REFUSED = "refused", _("Refused")


class ProviderEvent(models.Model):
    """A verified provider webhook event, kept once under (provider, event_id)."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=EventOutcome.choices, default=EventOutcome.RECEIVED
    )
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
