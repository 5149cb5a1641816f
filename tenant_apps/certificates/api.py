"""Certificates API under /api/v1/: public verification by code, one's own certificates and
their PDFs, and (for admins) every certificate and revocation. Who may do what:
`tenant_apps.certificates.permissions`."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.tenancy import host_of
from tenant_apps.certificates import selectors, services
from tenant_apps.certificates.models import Certificate, CertificateStatus
from tenant_apps.certificates.permissions import user_manages_certificates
from tenant_apps.certificates.serializers import (
    CertificateOutput,
    CertificateVerificationOutput,
    RevokeInput,
)
from tenant_apps.people.services import tenant_base_url


class ManagesCertificates(BasePermission):
    message = gettext_lazy("Only admins manage certificates.")

    def has_permission(self, request, view) -> bool:
        return user_manages_certificates(request.user)


# Ids are PostgreSQL bigints; anything larger is not an id of anything.
MAX_ID = 2**63 - 1


class FirstRendererNegotiation(BaseContentNegotiation):
    """Answer in the view's first renderer whatever the client says it accepts: the PDF
    download answers with a PDF or a JSON error, never 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class MyCertificateFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CertificateStatus.choices, method="filter_status")
    course = IdFilter(field_name="course_id")

    class Meta:
        model = Certificate
        fields = ["status", "course"]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(revoked_at__isnull=value == CertificateStatus.VALID)


class CertificateFilter(MyCertificateFilter):
    user = IdFilter(field_name="user_id")
    issued_after = filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Certificate
        fields = ["status", "course", "user", "issued_after", "issued_before"]


ORDERING_FIELDS = ["issued_at", "learner_name", "course_title"]


def _base_url(request: Request) -> str:
    """Links in the output use the tenant host the caller came in on (routing resolved it to
    this tenant), which costs no query."""
    return tenant_base_url(host_of(request))


class _CertificateOutputMixin:
    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["base_url"] = _base_url(self.request)
        return context


def _output(request: Request, certificate: Certificate) -> Response:
    context = {"base_url": _base_url(request)}
    return Response(CertificateOutput(certificate, context=context).data)


# ------------------------------------------------------------------------------------------
# Anyone
class CertificateVerifyApi(APIView):
    """Is this certificate genuine? Public: no sign-in, throttled per address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(auth=[], responses=CertificateVerificationOutput)
    def get(self, request: Request, code: str) -> Response:
        verification = selectors.certificate_verify(code=code, issued_by=request.tenant.name)
        return Response(CertificateVerificationOutput(verification).data)


# ------------------------------------------------------------------------------------------
# Learners
class MyCertificateListApi(_CertificateOutputMixin, generics.ListAPIView):
    serializer_class = CertificateOutput
    filterset_class = MyCertificateFilter
    ordering_fields = ORDERING_FIELDS

    def get_queryset(self):
        return selectors.certificate_list_of_learner(user=self.request.user)


class CertificateDetailApi(APIView):
    @extend_schema(responses=CertificateOutput)
    def get(self, request: Request, certificate_id: int) -> Response:
        certificate = selectors.certificate_get(actor=request.user, certificate_id=certificate_id)
        return _output(request, certificate)


class CertificatePdfApi(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The certificate"),
            409: OpenApiResponse(description="The certificate is revoked"),
        }
    )
    def get(self, request: Request, certificate_id: int) -> FileResponse:
        certificate = selectors.certificate_get(actor=request.user, certificate_id=certificate_id)
        pdf = services.certificate_pdf_open(certificate=certificate)
        return FileResponse(
            pdf,
            as_attachment=True,
            filename=f"certificate-{certificate.code}.pdf",
            content_type="application/pdf",
        )


# ------------------------------------------------------------------------------------------
# Admins
class CertificateListApi(_CertificateOutputMixin, generics.ListAPIView):
    permission_classes = [ManagesCertificates]
    serializer_class = CertificateOutput
    filterset_class = CertificateFilter
    search_fields = ["code", "learner_name", "course_title", "user__email"]
    ordering_fields = ORDERING_FIELDS

    def get_queryset(self):
        return selectors.certificate_list()


class CertificateRevokeApi(APIView):
    permission_classes = [ManagesCertificates]

    @extend_schema(request=RevokeInput, responses=CertificateOutput)
    def post(self, request: Request, certificate_id: int) -> Response:
        certificate = selectors.certificate_get(actor=request.user, certificate_id=certificate_id)
        body = RevokeInput(data=request.data)
        body.is_valid(raise_exception=True)
        revoked = services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=body.validated_data["reason"]
        )
        return _output(
            request, selectors.certificate_get(actor=request.user, certificate_id=revoked.pk)
        )
