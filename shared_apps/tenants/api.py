"""Operator REST API on the public host: `/api/platform/v1/tenants`."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PagePagination
from shared_apps.operators.authentication import IsOperator, OperatorTokenAuthentication
from shared_apps.tenants import selectors, services
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.serializers import (
    DomainInput,
    TenantCreateInput,
    TenantListInput,
    TenantOutput,
)

MAX_IDEMPOTENCY_KEY = 255


class OperatorAPIView(APIView):
    authentication_classes = [OperatorTokenAuthentication]
    permission_classes = [IsOperator]


def _fresh(tenant: Tenant) -> dict:
    return TenantOutput(selectors.tenant_get(slug=tenant.slug)).data


class TenantListCreateApi(OperatorAPIView):
    def get(self, request: Request) -> Response:
        query = TenantListInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        tenants = selectors.tenant_list(**query.validated_data)
        paginator = PagePagination()
        page = paginator.paginate_queryset(tenants, request, view=self)
        return paginator.get_paginated_response(TenantOutput(page, many=True).data)

    def post(self, request: Request) -> Response:
        body = TenantCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip() or None
        if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
            raise ValidationError(
                {
                    "Idempotency-Key": [
                        _("Use at most %(limit)s characters.") % {"limit": MAX_IDEMPOTENCY_KEY}
                    ]
                }
            )
        result = services.tenant_create(
            slug=body.validated_data["slug"],
            name=body.validated_data["name"],
            admin_email=body.validated_data["admin_email"],
            plan_code=body.validated_data["plan"],
            operator_id=request.user.pk,
            idempotency_key=key,
        )
        response = Response(
            _fresh(result.tenant),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
        if not result.created:
            response["Idempotent-Replayed"] = "true"
        return response


class TenantDetailApi(OperatorAPIView):
    def get(self, request: Request, slug: str) -> Response:
        return Response(TenantOutput(selectors.tenant_get(slug=slug)).data)

    def delete(self, request: Request, slug: str) -> Response:
        tenant = services.tenant_delete(tenant=selectors.tenant_get(slug=slug))
        return Response(_fresh(tenant), status=status.HTTP_202_ACCEPTED)


def _transition_api(action: Callable[..., Tenant]) -> type[OperatorAPIView]:
    class TransitionApi(OperatorAPIView):
        def post(self, request: Request, slug: str) -> Response:
            tenant = action(tenant=selectors.tenant_get(slug=slug))
            return Response(_fresh(tenant))

    TransitionApi.__name__ = f"{action.__name__.title().replace('_', '')}Api"
    return TransitionApi


TenantSuspendApi = _transition_api(services.tenant_suspend)
TenantResumeApi = _transition_api(services.tenant_resume)
TenantArchiveApi = _transition_api(services.tenant_archive)
TenantRestoreApi = _transition_api(services.tenant_restore)


class TenantDomainListApi(OperatorAPIView):
    def post(self, request: Request, slug: str) -> Response:
        body = DomainInput(data=request.data)
        body.is_valid(raise_exception=True)
        tenant = selectors.tenant_get(slug=slug)
        services.domain_add(tenant=tenant, domain=body.validated_data["domain"])
        return Response(_fresh(tenant), status=status.HTTP_201_CREATED)


class TenantDomainDetailApi(OperatorAPIView):
    def delete(self, request: Request, slug: str, domain: str) -> Response:
        tenant = selectors.tenant_get(slug=slug)
        services.domain_remove(tenant=tenant, domain=domain)
        return Response(status=status.HTTP_204_NO_CONTENT)
