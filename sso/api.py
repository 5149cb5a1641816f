"""The SSO configuration API under /api/v1/sso/ (tenant admins only): identity providers,
their metadata, presets, the sign-in policy, the SP keys and test connections. The admin
pages call the same services with the same permission (Capability.MANAGE_SSO)."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound
from sso import serializers as bodies
from sso.errors import SsoErrorCode
from sso.models import ConnectionTest, ServiceProviderKey
from sso.services import keys, metadata, policy, providers, trace
from tenant_apps.people.permissions import Capability, requires

CanManageSso = requires(Capability.MANAGE_SSO)


def _provider_out(request: Request, provider) -> dict:
    return bodies.ProviderOutput(provider, context={"request": request}).data


def _provider_values(validated: dict) -> dict:
    values = dict(validated)
    if "attribute_mapping" in values:
        values["attribute_mapping"] = dict(values["attribute_mapping"])
    for rules in ("group_role_rules", "group_membership_rules"):
        if rules in values:
            values[rules] = [dict(rule) for rule in values[rules]]
    return values


class ProviderListApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(responses=bodies.ProviderOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            bodies.ProviderOutput(
                providers.providers_all(), many=True, context={"request": request}
            ).data
        )

    @extend_schema(request=bodies.ProviderCreateInput, responses={201: bodies.ProviderOutput})
    def post(self, request: Request) -> Response:
        """Add a provider by hand (SAML: entity ID, SSO URL, certificates; OIDC: issuer,
        client id and secret). A `preset` fills the attribute mapping."""
        body = bodies.ProviderCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        provider = providers.provider_create(
            actor=request.user, **_provider_values(body.validated_data)
        )
        return Response(_provider_out(request, provider), status=status.HTTP_201_CREATED)


class ProviderImportApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(request=bodies.ProviderImportInput, responses={201: bodies.ProviderOutput})
    def post(self, request: Request) -> Response:
        """Add a SAML provider from its metadata: a URL (https; kept and refreshed daily)
        or the XML itself."""
        body = bodies.ProviderImportInput(data=request.data)
        body.is_valid(raise_exception=True)
        provider = metadata.provider_create_from_metadata(
            actor=request.user, **_provider_values(body.validated_data)
        )
        return Response(_provider_out(request, provider), status=status.HTTP_201_CREATED)


class ProviderDetailApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(responses=bodies.ProviderOutput)
    def get(self, request: Request, provider_id: int) -> Response:
        return Response(_provider_out(request, providers.provider_get(provider_id=provider_id)))

    @extend_schema(request=bodies.ProviderUpdateInput, responses=bodies.ProviderOutput)
    def patch(self, request: Request, provider_id: int) -> Response:
        """Change some fields; the others stay. A blank or absent client secret keeps the
        saved one."""
        provider = providers.provider_get(provider_id=provider_id)
        body = bodies.ProviderUpdateInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        provider = providers.provider_update(
            provider=provider, actor=request.user, **_provider_values(body.validated_data)
        )
        return Response(_provider_out(request, provider))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, provider_id: int) -> Response:
        providers.provider_delete(
            provider=providers.provider_get(provider_id=provider_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProviderMetadataApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(request=bodies.MetadataSource, responses=bodies.ProviderOutput)
    def post(self, request: Request, provider_id: int) -> Response:
        """Take a SAML provider's entity ID, endpoints and certificates from metadata (a
        URL, kept for refreshing, or XML)."""
        provider = providers.provider_get(provider_id=provider_id)
        body = bodies.MetadataSource(data=request.data)
        body.is_valid(raise_exception=True)
        provider = metadata.provider_metadata_import(
            provider=provider, actor=request.user, **body.validated_data
        )
        return Response(_provider_out(request, provider))


class ProviderMetadataRefreshApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(request=None, responses=bodies.ProviderOutput)
    def post(self, request: Request, provider_id: int) -> Response:
        """Fetch the provider's metadata URL now. On failure the settings stay as they were
        and `saml_metadata_error` says why."""
        provider = providers.provider_get(provider_id=provider_id)
        provider = metadata.provider_metadata_refresh(provider=provider, actor=request.user)
        return Response(_provider_out(request, provider))


class ProviderTestsApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(request=None, responses={201: bodies.TestRunOutput})
    def post(self, request: Request, provider_id: int) -> Response:
        """Start a test connection: open `start_url` in a browser signed in as this admin;
        the trace is then read at `/api/v1/sso/tests/<id>` (or `trace_url`)."""
        provider = providers.provider_get(provider_id=provider_id)
        test = trace.test_run_start(provider=provider, actor=request.user)
        return Response(
            bodies.TestRunOutput(test, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class TestRunApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(responses=bodies.TestRunOutput)
    def get(self, request: Request, test_id: uuid.UUID) -> Response:
        test = ConnectionTest.objects.select_related("provider").filter(pk=test_id).first()
        if test is None:
            raise NotFound(SsoErrorCode.PROVIDER_NOT_FOUND, _("No such test connection."))
        return Response(bodies.TestRunOutput(test, context={"request": request}).data)


class PresetListApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(responses=bodies.PresetOutput(many=True))
    def get(self, request: Request) -> Response:
        """Where well-known providers put a person's attributes (give `code` as `preset`)."""
        return Response(bodies.PresetOutput(bodies.presets_all(), many=True).data)


def _policy_out(found) -> dict:
    return bodies.PolicyOutput(
        {
            "sso_only": found.sso_only,
            "break_glass_admin_ids": sorted(found.break_glass_admins.values_list("pk", flat=True)),
            "default_provider_id": found.default_provider_id,
        }
    ).data


class PolicyApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(responses=bodies.PolicyOutput)
    def get(self, request: Request) -> Response:
        return Response(_policy_out(policy.sso_policy()))

    @extend_schema(request=bodies.PolicyInput, responses=bodies.PolicyOutput)
    def patch(self, request: Request) -> Response:
        """SSO only (password sign-in off except for the break-glass admins), who those are,
        and the default provider. Turning SSO only on needs an enabled provider and an
        active break-glass admin."""
        body = bodies.PolicyInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        changed = policy.sso_policy_update(
            actor=request.user,
            sso_only=values.get("sso_only"),
            break_glass_admin_ids=values.get("break_glass_admin_ids"),
            default_provider_id=values.get("default_provider_id", ...),
        )
        return Response(_policy_out(changed))


class KeyListApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(responses=bodies.KeyOutput(many=True))
    def get(self, request: Request) -> Response:
        """This portal's SAML SP key pairs (certificates only; private keys never leave
        the server)."""
        keys.sp_key_active()
        return Response(bodies.KeyOutput(ServiceProviderKey.objects.all(), many=True).data)


class KeyNextApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(request=None, responses={201: bodies.KeyOutput})
    def post(self, request: Request) -> Response:
        """Start a rollover: a new key pair, published in the SP metadata, not yet used."""
        key = keys.sp_key_next_create(actor=request.user)
        return Response(bodies.KeyOutput(key).data, status=status.HTTP_201_CREATED)


class KeyNextActivateApi(APIView):
    permission_classes = [CanManageSso]

    @extend_schema(request=None, responses=bodies.KeyOutput)
    def post(self, request: Request) -> Response:
        """Finish a rollover: the next key signs from now on, the old one retires."""
        return Response(bodies.KeyOutput(keys.sp_key_next_activate(actor=request.user)).data)
