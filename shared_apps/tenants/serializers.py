from __future__ import annotations

from rest_framework import serializers

from shared_apps.tenants.models import Tenant, TenantStatus


class TenantCreateInput(serializers.Serializer):
    slug = serializers.CharField(max_length=255)  # the DNS-label rules live in the service
    name = serializers.CharField(max_length=200)
    admin_email = serializers.EmailField()
    plan = serializers.CharField(max_length=64, required=False, default="standard")


class TenantListInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=TenantStatus.choices, required=False)
    search = serializers.CharField(required=False, max_length=200)
    deleted = serializers.BooleanField(required=False, allow_null=True, default=None)


class DomainInput(serializers.Serializer):
    domain = serializers.CharField(max_length=253)


class TenantOutput(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan_code")
    primary_domain = serializers.SerializerMethodField()
    domains = serializers.SerializerMethodField()
    deleted = serializers.BooleanField(source="is_deleted")

    class Meta:
        model = Tenant
        fields = [
            "id",
            "slug",
            "name",
            "status",
            "plan",
            "contact_email",
            "schema_name",
            "primary_domain",
            "domains",
            "deleted",
            "deleted_at",
            "purge_after",
            "created_at",
            "updated_at",
        ]

    def get_primary_domain(self, tenant: Tenant) -> str | None:
        return next((d.domain for d in tenant.domains.all() if d.is_primary), None)

    def get_domains(self, tenant: Tenant) -> list[dict]:
        return [{"domain": d.domain, "primary": d.is_primary} for d in tenant.domains.all()]
