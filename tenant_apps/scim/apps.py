from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "tenant_apps.scim"
    label = "scim"
    verbose_name = "People sync (SCIM)"

    def ready(self) -> None:
        from tenant_apps.scim import hooks

        hooks.register()

        from django.utils.translation import gettext_lazy as _

        from core.entitlements import UsageMeter, usage_meter_register
        from tenant_apps.scim.models import ScimToken

        usage_meter_register(
            UsageMeter(
                "scim_tokens",
                _("SCIM provisioning tokens"),
                lambda: ScimToken.objects.filter(revoked_at__isnull=True).count(),
                order=50,
            )
        )
