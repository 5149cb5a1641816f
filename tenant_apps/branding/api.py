"""The tenant's branding: anyone signed in reads the published one, admins change it
(at once, or through the draft they preview and publish, as the portal does)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.branding import services
from tenant_apps.branding.models import (
    EMAIL_FOOTER_LIMIT,
    EMAIL_SENDER_NAME_LIMIT,
    HEX_COLOUR,
    WELCOME_TEXT_LIMIT,
    Branding,
    BrandingDraft,
    Font,
)
from tenant_apps.branding.permissions import ManageBranding

VALUE_FIELDS = [
    "primary_colour",
    "accent_colour",
    "font",
    "welcome_text",
    "email_sender_name",
    "email_footer",
]


class BrandingOutput(serializers.ModelSerializer):
    logo_url = serializers.SerializerMethodField()
    favicon_url = serializers.SerializerMethodField()
    login_image_url = serializers.SerializerMethodField()
    # None until the branding is first changed (the defaults are not a saved row)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Branding
        fields = [*VALUE_FIELDS, "logo_url", "favicon_url", "login_image_url", "updated_at"]

    def get_logo_url(self, branding) -> str | None:
        return branding.logo.url if branding.logo else None

    def get_favicon_url(self, branding) -> str | None:
        return branding.favicon.url if branding.favicon else None

    def get_login_image_url(self, branding) -> str | None:
        return branding.login_image.url if branding.login_image else None


class BrandingDraftOutput(BrandingOutput):
    class Meta:
        model = BrandingDraft
        fields = BrandingOutput.Meta.fields


class BrandingInput(serializers.Serializer):
    primary_colour = serializers.CharField(required=False, validators=[HEX_COLOUR])
    accent_colour = serializers.CharField(required=False, validators=[HEX_COLOUR])
    font = serializers.ChoiceField(choices=Font.choices, required=False)
    welcome_text = serializers.CharField(
        required=False, allow_blank=True, max_length=WELCOME_TEXT_LIMIT, trim_whitespace=False
    )
    email_sender_name = serializers.CharField(
        required=False, allow_blank=True, max_length=EMAIL_SENDER_NAME_LIMIT
    )
    email_footer = serializers.CharField(
        required=False, allow_blank=True, max_length=EMAIL_FOOTER_LIMIT, trim_whitespace=False
    )


class LogoInput(serializers.Serializer):
    logo = serializers.FileField()


class FaviconInput(serializers.Serializer):
    favicon = serializers.FileField()


class LoginImageInput(serializers.Serializer):
    login_image = serializers.FileField()


class BrandingApi(APIView):
    def get_permissions(self):
        if self.request.method == "GET":
            return super().get_permissions()
        return [ManageBranding()]

    @extend_schema(responses=BrandingOutput)
    def get(self, request: Request) -> Response:
        return Response(BrandingOutput(services.branding_current()).data)

    @extend_schema(request=BrandingInput, responses=BrandingOutput)
    def patch(self, request: Request) -> Response:
        """Change the published branding at once (a draft in progress gets the change too)."""
        body = BrandingInput(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(
            BrandingOutput(services.branding_update(actor=request.user, **body.validated_data)).data
        )


def _image_api(field: str, input_serializer: type[serializers.Serializer], summary: str):
    class BrandingImageApi(APIView):
        permission_classes = [ManageBranding]
        parser_classes = [MultiPartParser, FormParser]

        @extend_schema(
            request={"multipart/form-data": input_serializer},
            responses=BrandingOutput,
            summary=summary,
        )
        def put(self, request: Request) -> Response:
            body = input_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            branding = services.branding_image_set(
                field=field, upload=body.validated_data[field], actor=request.user
            )
            return Response(BrandingOutput(branding).data)

    BrandingImageApi.__name__ = f"Branding{field.title().replace('_', '')}Api"
    return BrandingImageApi


BrandingLogoApi = _image_api("logo", LogoInput, "Replace the published logo (PNG or JPEG)")
BrandingFaviconApi = _image_api("favicon", FaviconInput, "Replace the favicon (ICO or PNG)")
BrandingLoginImageApi = _image_api(
    "login_image", LoginImageInput, "Replace the sign-in page image (PNG or JPEG)"
)


class BrandingDraftApi(APIView):
    """The draft admins edit before publishing it (the portal's branding page edits it too)."""

    permission_classes = [ManageBranding]

    @extend_schema(responses=BrandingDraftOutput)
    def get(self, request: Request) -> Response:
        return Response(BrandingDraftOutput(services.branding_draft_current()).data)

    @extend_schema(request=BrandingInput, responses=BrandingDraftOutput)
    def patch(self, request: Request) -> Response:
        body = BrandingInput(data=request.data)
        body.is_valid(raise_exception=True)
        draft = services.branding_draft_save(actor=request.user, **body.validated_data)
        return Response(BrandingDraftOutput(draft).data)


class BrandingPublishApi(APIView):
    permission_classes = [ManageBranding]

    @extend_schema(request=None, responses=BrandingOutput)
    def post(self, request: Request) -> Response:
        """Make the draft the published branding."""
        published = services.branding_publish(actor=request.user)
        return Response(BrandingOutput(published).data, status=status.HTTP_200_OK)
