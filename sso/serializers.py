"""The SSO API's bodies. Inputs check shape and types (the OpenAPI document, and so the JSON
contract, says exactly which fields exist); sso.services decide the rest. Outputs never hold
a client secret or a private key."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sso.models import (
    MAPPED_ATTRIBUTES,
    PROVIDER_COMMON_FIELDS,
    PROVIDER_OIDC_FIELDS,
    PROVIDER_SAML_FIELDS,
    ConnectionTest,
    IdentityProvider,
    NameIdFormat,
    ProviderKind,
    SamlBinding,
    ServiceProviderKey,
)
from sso.presets import OIDC_PRESETS, SAML_PRESETS
from tenant_apps.people.models import Role

CERTIFICATE_TEXT_LIMIT = 20_000
METADATA_XML_LIMIT = 1_000_000


class AttributeMappingBody(serializers.Serializer):
    """Which attribute (SAML) or claim (OIDC) fills each of a person's fields; a blank or
    missing name maps nothing."""

    def get_fields(self):
        return {
            name: serializers.CharField(required=False, allow_blank=True, max_length=512)
            for name in MAPPED_ATTRIBUTES
        }


class GroupRoleRuleBody(serializers.Serializer):
    group = serializers.CharField(max_length=256, help_text="A group the provider asserts.")
    role = serializers.ChoiceField(choices=Role.choices)


class GroupMembershipRuleBody(serializers.Serializer):
    group = serializers.CharField(max_length=256, help_text="A group the provider asserts.")
    tenant_group = serializers.IntegerField(help_text="The id of one of this portal's groups.")


class ProviderFields(serializers.Serializer):
    """What an admin sets on a provider (all optional here; the service says what a kind
    needs)."""

    name = serializers.CharField(required=False, max_length=100)
    slug = serializers.CharField(
        required=False,
        max_length=40,
        help_text="Lower-case letters, digits and hyphens; it appears in the provider's URLs.",
    )
    enabled = serializers.BooleanField(required=False)
    email_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=50
    )
    attribute_mapping = AttributeMappingBody(required=False)
    group_role_rules = GroupRoleRuleBody(many=True, required=False, max_length=200)
    group_membership_rules = GroupMembershipRuleBody(many=True, required=False, max_length=200)
    default_role = serializers.ChoiceField(choices=Role.choices, required=False)
    create_people = serializers.BooleanField(required=False)
    link_existing_accounts = serializers.BooleanField(required=False)
    saml_entity_id = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    saml_sso_url = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    saml_sso_binding = serializers.ChoiceField(choices=SamlBinding.choices, required=False)
    saml_slo_url = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    saml_certificates = serializers.ListField(
        child=serializers.CharField(max_length=CERTIFICATE_TEXT_LIMIT, trim_whitespace=False),
        required=False,
        max_length=10,
        help_text="The IdP's signing certificates, PEM or base64 (several during a rollover).",
    )
    saml_metadata_url = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    saml_name_id_format = serializers.ChoiceField(choices=NameIdFormat.choices, required=False)
    saml_sign_requests = serializers.BooleanField(required=False)
    saml_want_assertions_signed = serializers.BooleanField(required=False)
    saml_want_assertions_encrypted = serializers.BooleanField(required=False)
    saml_allow_sha1 = serializers.BooleanField(required=False)
    saml_allow_idp_initiated = serializers.BooleanField(required=False)
    saml_clock_skew_seconds = serializers.IntegerField(required=False, min_value=0, max_value=600)
    oidc_issuer = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    oidc_client_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    oidc_client_secret = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        write_only=True,
        help_text="Write-only: never returned. Blank or absent on a change keeps the saved one.",
    )
    oidc_scopes = serializers.CharField(required=False, allow_blank=True, max_length=255)
    oauth2_backend = serializers.CharField(required=False, allow_blank=True, max_length=64)


class ProviderCreateInput(ProviderFields):
    kind = serializers.ChoiceField(choices=ProviderKind.choices)
    name = serializers.CharField(max_length=100)
    slug = serializers.CharField(max_length=40)
    preset = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="A code from sso/presets."
    )


class ProviderUpdateInput(ProviderFields):
    pass


class MetadataSource(serializers.Serializer):
    metadata_url = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    metadata_xml = serializers.CharField(
        required=False, allow_blank=True, max_length=METADATA_XML_LIMIT, trim_whitespace=False
    )
    entity_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1024,
        help_text="Which IdP, when the document describes several.",
    )


class ProviderImportInput(MetadataSource):
    """A new SAML provider from its metadata (URL, kept for the daily refresh, or XML)."""

    name = serializers.CharField(max_length=100)
    slug = serializers.CharField(max_length=40)
    preset = serializers.CharField(required=False, allow_blank=True, max_length=32)
    enabled = serializers.BooleanField(required=False)
    email_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=50
    )
    attribute_mapping = AttributeMappingBody(required=False)
    default_role = serializers.ChoiceField(choices=Role.choices, required=False)


class SigningCertificateOutput(serializers.Serializer):
    fingerprint = serializers.CharField(help_text="SHA-256 of the certificate, hex.")
    subject = serializers.CharField()
    not_after = serializers.DateTimeField()
    days_left = serializers.IntegerField()


class ProviderOutput(serializers.ModelSerializer):
    client_secret_set = serializers.BooleanField(source="has_client_secret", read_only=True)
    attribute_mapping = serializers.SerializerMethodField()
    group_role_rules = GroupRoleRuleBody(many=True, read_only=True)
    group_membership_rules = GroupMembershipRuleBody(many=True, read_only=True)
    certificates = serializers.SerializerMethodField()
    sp_metadata_url = serializers.SerializerMethodField()
    login_url = serializers.SerializerMethodField()

    class Meta:
        model = IdentityProvider
        fields = [
            "id",
            "kind",
            "preset",
            *PROVIDER_COMMON_FIELDS,
            *PROVIDER_SAML_FIELDS,
            "certificates",
            "saml_metadata_refreshed_at",
            "saml_metadata_error",
            *PROVIDER_OIDC_FIELDS,
            "client_secret_set",
            "sp_metadata_url",
            "login_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AttributeMappingBody)
    def get_attribute_mapping(self, provider: IdentityProvider) -> dict:
        return dict(provider.attribute_mapping or {})

    @extend_schema_field(SigningCertificateOutput(many=True))
    def get_certificates(self, provider: IdentityProvider) -> list[dict]:
        from sso.services.certificates import provider_certificate_facts

        return SigningCertificateOutput(provider_certificate_facts(provider), many=True).data

    def _absolute(self, path: str | None) -> str | None:
        request = self.context.get("request")
        if path is None or request is None:
            return path
        return request.build_absolute_uri(path)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sp_metadata_url(self, provider: IdentityProvider) -> str | None:
        from sso.links import sp_metadata_path

        return self._absolute(sp_metadata_path(provider))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_login_url(self, provider: IdentityProvider) -> str | None:
        from sso.links import login_path

        return self._absolute(login_path(provider))


class PresetOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    mapping = AttributeMappingBody()
    issuer_hint = serializers.CharField()
    scopes = serializers.CharField()
    name_id_format = serializers.CharField()
    notes = serializers.CharField()


def presets_all() -> list:
    return [*SAML_PRESETS, *OIDC_PRESETS]


class PolicyInput(serializers.Serializer):
    sso_only = serializers.BooleanField(required=False)
    break_glass_admin_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=100
    )
    default_provider_id = serializers.IntegerField(required=False, allow_null=True)


class PolicyOutput(serializers.Serializer):
    sso_only = serializers.BooleanField()
    break_glass_admin_ids = serializers.ListField(child=serializers.IntegerField())
    default_provider_id = serializers.IntegerField(allow_null=True)


class KeyOutput(serializers.ModelSerializer):
    fingerprint = serializers.SerializerMethodField()

    class Meta:
        model = ServiceProviderKey
        fields = [
            "id",
            "state",
            "certificate_pem",
            "fingerprint",
            "not_after",
            "created_at",
            "activated_at",
            "retired_at",
        ]
        read_only_fields = fields

    def get_fingerprint(self, key: ServiceProviderKey) -> str:
        from sso.services.certificates import certificate_facts

        return certificate_facts(key.certificate_pem).fingerprint


class TestStepOutput(serializers.Serializer):
    title = serializers.CharField()
    ok = serializers.BooleanField(
        allow_null=True, help_text="true passed, false failed, null: information"
    )
    detail = serializers.CharField()
    data = serializers.CharField()


class TestRunOutput(serializers.ModelSerializer):
    provider_id = serializers.IntegerField(read_only=True)
    steps = TestStepOutput(many=True, read_only=True)
    attributes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    mapped = serializers.DictField()
    start_url = serializers.SerializerMethodField()
    trace_url = serializers.SerializerMethodField()

    class Meta:
        model = ConnectionTest
        fields = [
            "id",
            "provider_id",
            "status",
            "steps",
            "attributes",
            "mapped",
            "failure_reason",
            "created_at",
            "finished_at",
            "start_url",
            "trace_url",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, help_text="Open this in a browser to run the test sign-in."
        )
    )
    def get_start_url(self, test: ConnectionTest) -> str | None:
        from sso.links import test_run_path

        path = test_run_path(test)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if path and request else path

    def get_trace_url(self, test: ConnectionTest) -> str:
        from django.urls import reverse

        path = reverse("manage-sso-test", kwargs={"test_id": test.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
