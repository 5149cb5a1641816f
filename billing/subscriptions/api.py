"""Operator API for platform billing on the public host (`/api/platform/v1/`): plans,
subscriptions, a tenant's plan, and MRR with the plan mix. Operator tokens only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.subscriptions import selectors
from billing.subscriptions.errors import BillingErrorCode
from billing.subscriptions.models import Plan
from billing.subscriptions.serializers import (
    PlanInput,
    PlanOutput,
    SubscriptionListInput,
    SubscriptionOutput,
    TenantPlanInput,
)
from billing.subscriptions.services import plans
from core.api.pagination import PagePagination
from core.errors import FieldError, ValidationFailed
from shared_apps.operators.authentication import IsOperator, OperatorTokenAuthentication
from shared_apps.tenants import selectors as tenant_selectors


class OperatorBillingApi(APIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperator]


class PlanListApi(OperatorBillingApi):
    def get(self, request: Request) -> Response:
        return Response(PlanOutput(Plan.objects.all(), many=True).data)

    def post(self, request: Request) -> Response:
        body = PlanInput(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        missing = [name for name in ("code", "name") if not values.get(name)]
        if missing:
            raise ValidationFailed(
                BillingErrorCode.INVALID,
                _("The plan has invalid fields."),
                [FieldError(name, _("This field is required.")) for name in missing],
            )
        plan = plans.plan_create(**values)
        return Response(PlanOutput(plan).data, status=status.HTTP_201_CREATED)


class PlanDetailApi(OperatorBillingApi):
    def get(self, request: Request, code: str) -> Response:
        return Response(PlanOutput(plans.plan_get(code=code)).data)

    def patch(self, request: Request, code: str) -> Response:
        plan = plans.plan_get(code=code)
        body = PlanInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = {key: value for key, value in body.validated_data.items() if key != "code"}
        return Response(PlanOutput(plans.plan_update(plan=plan, **changes)).data)


class PlanArchiveApi(OperatorBillingApi):
    def post(self, request: Request, code: str) -> Response:
        return Response(PlanOutput(plans.plan_archive(plan=plans.plan_get(code=code))).data)


class SubscriptionListApi(OperatorBillingApi):
    def get(self, request: Request) -> Response:
        query = SubscriptionListInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.subscriptions_list(status=query.validated_data.get("status", ""))
        paginator = PagePagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(SubscriptionOutput(page, many=True).data)


class TenantPlanApi(OperatorBillingApi):
    def put(self, request: Request, slug: str) -> Response:
        tenant = tenant_selectors.tenant_get(slug=slug)
        body = TenantPlanInput(data=request.data)
        body.is_valid(raise_exception=True)
        changed = plans.tenant_plan_change(
            tenant=tenant, plan_code=body.validated_data["plan"], operator_email=request.user.email
        )
        return Response({"tenant": changed.slug, "plan": changed.plan_code})


class RevenueApi(OperatorBillingApi):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "mrr": [
                    {"currency": currency, "amount": amount}
                    for currency, amount in selectors.monthly_recurring_revenue().items()
                ],
                "plan_mix": [
                    {"plan": code, "tenants": count} for code, count in selectors.plan_mix()
                ],
                "past_due": [account.tenant.slug for account in selectors.past_due_list()],
            }
        )
