from django.contrib import admin

from shared_apps.tenants.models import Domain, SpareSchema, Tenant
from shared_apps.tenants.routing import routing_changed


class RoutingAwareAdmin(admin.ModelAdmin):
    """Edits made here re-route hosts in every process, as the services' edits do."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        routing_changed()

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        routing_changed()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        routing_changed()


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Tenant)
class TenantAdmin(RoutingAwareAdmin):
    list_display = [
        "slug",
        "name",
        "status",
        "plan_code",
        "contact_email",
        "created_at",
        "purge_after",
    ]
    list_filter = ["status", "plan_code"]
    search_fields = ["slug", "name", "contact_email", "domains__domain"]
    readonly_fields = ["schema_name", "created_at", "updated_at", "deleted_at", "purge_after"]
    inlines = [DomainInline]

    def has_add_permission(self, request) -> bool:
        # New tenants go through provisioning (API or CLI), which builds their schema.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Domain)
class DomainAdmin(RoutingAwareAdmin):
    list_display = ["domain", "tenant", "is_primary", "created_at"]
    search_fields = ["domain", "tenant__slug"]
    list_select_related = ["tenant"]


@admin.register(SpareSchema)
class SpareSchemaAdmin(admin.ModelAdmin):
    list_display = ["schema_name", "fingerprint", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
