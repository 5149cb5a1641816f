"""The tenant admin's plan API on the tenant host (`/api/v1/billing/...`): the plan, the
subscription and usage against each limit; Checkout and the customer portal as addresses
to send the admin to. Same services and permission (MANAGE_BILLING) as the plan page."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.subscriptions import selectors
from billing.subscriptions.models import Interval
from billing.subscriptions.services.plans import billing_portal_start, checkout_start
from core.api.schema import ErrorBody
from tenant_apps.people.permissions import Capability, requires

CanManageBilling = requires(Capability.MANAGE_BILLING)


class UsageOutput(serializers.Serializer):
    resource = serializers.CharField(source="usage.resource")
    label = serializers.CharField(source="usage.label")
    used = serializers.IntegerField(source="usage.used")
    limit = serializers.IntegerField(source="usage.limit", allow_null=True)
    unit = serializers.CharField(source="usage.unit", help_text='"count" or "bytes"')
    used_text = serializers.CharField(help_text='Shown usage, e.g. "3" or "1.5 MB"')
    limit_text = serializers.CharField(help_text="Shown limit; empty when unlimited or 0")


class BillingSubscriptionOutput(serializers.Serializer):
    status = serializers.CharField()
    plan_code = serializers.CharField()
    interval = serializers.CharField()
    amount = serializers.IntegerField(help_text="Minor units per interval.")
    currency = serializers.CharField()
    trial_end = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    past_due_since = serializers.DateTimeField(allow_null=True)


class BillingPlanOutput(serializers.Serializer):
    plan = serializers.CharField()
    plan_name = serializers.CharField()
    subscription = BillingSubscriptionOutput(allow_null=True)
    usage = UsageOutput(many=True)


class PlanCheckoutInput(serializers.Serializer):
    plan = serializers.SlugField(max_length=64)
    interval = serializers.ChoiceField(choices=Interval.choices, default=Interval.MONTH)


RedirectOutput = inline_serializer("BillingRedirect", {"url": serializers.URLField()})


def _plan_page_url(request: Request) -> str:
    return request.build_absolute_uri(reverse("manage-billing-plan"))


class BillingPlanApi(APIView):
    permission_classes = [CanManageBilling]

    @extend_schema(responses=BillingPlanOutput)
    def get(self, request: Request) -> Response:
        """The tenant's plan, its subscription and the usage of each limited resource
        (`limit` null: unlimited; 0: not included in the plan)."""
        page = selectors.plan_page(tenant=request.tenant)
        return Response(
            BillingPlanOutput(
                {
                    "plan": page.tenant.plan_code,
                    "plan_name": page.plan.name if page.plan else page.tenant.plan_code,
                    "subscription": page.account,
                    "usage": page.usage,
                }
            ).data
        )


class BillingCheckoutApi(APIView):
    permission_classes = [CanManageBilling]

    @extend_schema(request=PlanCheckoutInput, responses={200: RedirectOutput, 502: ErrorBody})
    def post(self, request: Request) -> Response:
        """Where to send the admin to pay for `plan` (Stripe Checkout). The plan changes
        once Stripe confirms the subscription."""
        body = PlanCheckoutInput(data=request.data)
        body.is_valid(raise_exception=True)
        home = _plan_page_url(request)
        url = checkout_start(
            tenant=request.tenant,
            plan_code=body.validated_data["plan"],
            interval=body.validated_data["interval"],
            success_url=home + "?checkout=done",
            cancel_url=home,
        )
        return Response({"url": url})


class BillingPortalApi(APIView):
    permission_classes = [CanManageBilling]

    @extend_schema(request=None, responses={200: RedirectOutput, 502: ErrorBody})
    def post(self, request: Request) -> Response:
        """Where the admin manages cards and invoices (Stripe's customer portal)."""
        url = billing_portal_start(tenant=request.tenant, return_url=_plan_page_url(request))
        return Response({"url": url})
