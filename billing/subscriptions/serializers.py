"""The operator API's shapes for plans and subscriptions. Money is integer minor units with
an ISO currency."""

from __future__ import annotations

from rest_framework import serializers

from billing.subscriptions.models import (
    PLAN_EDITABLE_FIELDS,
    Plan,
    SubscriptionStatus,
    TenantSubscription,
)

MAX_MINOR = 10**12


def _limit(maximum: int = MAX_MINOR, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=maximum, **kwargs
    )


class PlanInput(serializers.Serializer):
    code = serializers.SlugField(max_length=64, required=False)
    name = serializers.CharField(max_length=100, required=False)
    sort_order = serializers.IntegerField(min_value=0, max_value=10**6, required=False)
    max_active_learners = _limit()
    max_courses = _limit()
    max_storage_bytes = _limit(maximum=2**62)
    max_webhook_endpoints = _limit()
    sso_allowed = serializers.BooleanField(required=False)
    scim_allowed = serializers.BooleanField(required=False)
    custom_domain_allowed = serializers.BooleanField(required=False)
    currency = serializers.CharField(max_length=3, required=False)
    price_month = _limit(help_text="Minor units per month; null: not sold monthly.")
    price_year = _limit(help_text="Minor units per year; null: not sold yearly.")
    trial_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    is_public = serializers.BooleanField(required=False)


class PlanOutput(serializers.ModelSerializer):
    archived = serializers.BooleanField(source="is_archived")

    class Meta:
        model = Plan
        fields = ["code", *PLAN_EDITABLE_FIELDS, "archived", "archived_at"]


class SubscriptionListInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices, required=False)


class SubscriptionOutput(serializers.ModelSerializer):
    tenant = serializers.CharField(source="tenant.slug")
    tenant_status = serializers.CharField(source="tenant.status")
    tenant_plan = serializers.CharField(source="tenant.plan_code")

    class Meta:
        model = TenantSubscription
        fields = [
            "tenant",
            "tenant_status",
            "tenant_plan",
            "plan_code",
            "status",
            "interval",
            "amount",
            "currency",
            "trial_end",
            "current_period_end",
            "past_due_since",
            "suspended_for_nonpayment_at",
        ]


class TenantPlanInput(serializers.Serializer):
    plan = serializers.SlugField(max_length=64)
