"""The tenant's branding: anyone signed in reads it, admins change it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.branding import services
from tenant_apps.branding.models import HEX_COLOUR, Branding
from tenant_apps.people.permissions import Capability, requires


class BrandingOutput(serializers.ModelSerializer):
    logo_url = serializers.SerializerMethodField()
    # None until the branding is first changed (the defaults are not a saved row)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Branding
        fields = ["primary_colour", "accent_colour", "logo_url", "updated_at"]

    def get_logo_url(self, branding: Branding) -> str | None:
        return branding.logo.url if branding.logo else None


class BrandingInput(serializers.Serializer):
    primary_colour = serializers.CharField(required=False, validators=[HEX_COLOUR])
    accent_colour = serializers.CharField(required=False, validators=[HEX_COLOUR])


class LogoInput(serializers.Serializer):
    logo = serializers.FileField()


class BrandingApi(APIView):
    def get_permissions(self):
        if self.request.method == "GET":
            return super().get_permissions()
        return [requires(Capability.MANAGE_USERS)()]

    @extend_schema(responses=BrandingOutput)
    def get(self, request: Request) -> Response:
        return Response(BrandingOutput(services.branding_current()).data)

    @extend_schema(request=BrandingInput, responses=BrandingOutput)
    def patch(self, request: Request) -> Response:
        body = BrandingInput(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(
            BrandingOutput(services.branding_update(actor=request.user, **body.validated_data)).data
        )


class BrandingLogoApi(APIView):
    permission_classes = [requires(Capability.MANAGE_USERS)]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": LogoInput}, responses=BrandingOutput)
    def put(self, request: Request) -> Response:
        body = LogoInput(data=request.data)
        body.is_valid(raise_exception=True)
        branding = services.branding_logo_set(
            upload=body.validated_data["logo"], actor=request.user
        )
        return Response(BrandingOutput(branding).data)
