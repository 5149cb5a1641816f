"""Bodies of the course payments API. Money is integer minor units + ISO currency, with a
display string for people (never parsed)."""

from __future__ import annotations

from rest_framework import serializers

from billing.payments.models import (
    Coupon,
    CoursePayment,
    DiscountKind,
    PaymentAccount,
    PaymentSettings,
    PaymentStatus,
    Provider,
)
from core.money import Money

# Ids are 64-bit: a larger number names nothing (and must not reach the database).
ID_MAX = 2**63 - 1

_AMOUNT_HELP = "Integer minor units of `currency` (4990 EUR is 49.90 EUR; JPY has none)."


class PaymentAccountOutput(serializers.ModelSerializer):
    """A connected provider. Secrets are never returned."""

    mode = serializers.SerializerMethodField(help_text="test or live, from the key's prefix.")

    class Meta:
        model = PaymentAccount
        fields = ["provider", "key_id", "mode", "enabled", "created_at", "updated_at"]

    def get_mode(self, account: PaymentAccount) -> str:
        return "live" if account.is_live else "test"


class PaymentAccountInput(serializers.Serializer):
    key_id = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Razorpay only: rzp_…"
    )
    key_secret = serializers.CharField(write_only=True, help_text="Stripe sk_… / Razorpay secret.")
    webhook_secret = serializers.CharField(write_only=True)


class PaymentSettingsBody(serializers.ModelSerializer):
    class Meta:
        model = PaymentSettings
        fields = ["prices_include_tax", "tax_label", "pending_timeout_minutes"]
        extra_kwargs = {name: {"required": False} for name in fields}


class CouponBody(serializers.ModelSerializer):
    course_id = serializers.IntegerField(
        allow_null=True, required=False, default=None, min_value=1, max_value=ID_MAX
    )
    value = serializers.IntegerField(
        help_text="1-100 for percent; for amount, " + _AMOUNT_HELP, max_value=10**12
    )
    currency = serializers.CharField(required=False, allow_blank=True, default="", max_length=3)
    kind = serializers.ChoiceField(choices=DiscountKind.choices)

    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "kind",
            "value",
            "currency",
            "expires_at",
            "usage_limit",
            "times_redeemed",
            "active",
            "course_id",
            "created_at",
        ]
        read_only_fields = ["id", "times_redeemed", "created_at"]
        extra_kwargs = {"expires_at": {"required": False}, "usage_limit": {"required": False}}


def _money(amount: int, currency: str) -> dict:
    return {
        "amount": amount,
        "currency": currency,
        "display": Money(amount, currency).display(),
    }


class MoneyOutput(serializers.Serializer):
    amount = serializers.IntegerField(help_text=_AMOUNT_HELP)
    currency = serializers.CharField(help_text="ISO 4217")
    display = serializers.CharField(help_text="For people to read, in the request's language.")


class PaymentOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    provider = serializers.ChoiceField(choices=[("", "none"), *Provider.choices])
    course = serializers.SerializerMethodField()
    learner = serializers.SerializerMethodField()
    enrollment_id = serializers.IntegerField()
    list_price = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()
    refunded = serializers.SerializerMethodField()
    coupon_code = serializers.SerializerMethodField()
    receipt = serializers.CharField()
    flag_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)

    def get_course(self, payment: CoursePayment) -> dict:
        return {"id": payment.course_id, "title": payment.course.title}

    def get_learner(self, payment: CoursePayment) -> dict:
        return {"id": payment.learner_id, "email": payment.learner.email}

    def get_list_price(self, payment: CoursePayment) -> dict:
        return _money(payment.list_amount, payment.currency)

    def get_discount(self, payment: CoursePayment) -> dict:
        return _money(payment.discount_amount, payment.currency)

    def get_amount(self, payment: CoursePayment) -> dict:
        return _money(payment.amount, payment.currency)

    def get_refunded(self, payment: CoursePayment) -> dict:
        return _money(payment.refunded_amount, payment.currency)

    def get_coupon_code(self, payment: CoursePayment) -> str:
        return payment.coupon.code if payment.coupon else ""


class RefundInput(serializers.Serializer):
    amount = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_AMOUNT_HELP + " Null: all."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class RefundOutput(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.IntegerField(help_text=_AMOUNT_HELP)
    currency = serializers.CharField()
    status = serializers.CharField()
    provider_refund_id = serializers.CharField()


class CheckoutInput(serializers.Serializer):
    course_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    provider = serializers.ChoiceField(choices=Provider.choices)
    coupon_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class CheckoutOutput(serializers.Serializer):
    payment = PaymentOutput()
    activated = serializers.BooleanField(help_text="A 100 % coupon: enrolled, nothing to pay.")
    redirect_url = serializers.CharField(help_text="Stripe: send the learner here.")
    razorpay = serializers.DictField(
        help_text="Razorpay: the options for Razorpay Checkout (key, order_id, amount, …)."
    )


class ConfirmInput(serializers.Serializer):
    razorpay_payment_id = serializers.CharField(required=False, default="", max_length=255)
    razorpay_signature = serializers.CharField(required=False, default="", max_length=255)


class RevenueOutput(serializers.Serializer):
    currency = serializers.CharField()
    payments = serializers.IntegerField()
    gross = serializers.IntegerField(help_text=_AMOUNT_HELP)
    refunded = serializers.IntegerField(help_text=_AMOUNT_HELP)
    net = serializers.IntegerField(help_text=_AMOUNT_HELP)
