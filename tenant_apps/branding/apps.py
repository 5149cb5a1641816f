from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "tenant_apps.branding"
    label = "branding"
    verbose_name = "Branding"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.media import everyone, media_rule_register
        from core.navigation import Area, NavEntry, nav_entry_register
        from tenant_apps.branding.permissions import can_manage_branding

        # The logo shows on the sign-in page, before anyone has signed in.
        media_rule_register(r"branding/[^/]+", everyone)
        # A draft's images are for those who may edit and preview it.
        media_rule_register(
            r"branding/draft/[^/]+", lambda request, match: can_manage_branding(request.user)
        )
        nav_entry_register(
            NavEntry(Area.ADMIN, _("Branding"), "manage-branding", can_manage_branding, order=60)
        )
        nav_entry_register(
            NavEntry(
                Area.ADMIN,
                _("Custom domains"),
                "manage-domains",
                can_manage_branding,
                order=61,
                also_current=("manage-domain",),
            )
        )

        from core.entitlements import UsageMeter, usage_meter_register
        from tenant_apps.branding.models import CustomDomain

        usage_meter_register(
            UsageMeter(
                "custom_domains",
                _("Custom domains"),
                lambda: CustomDomain.objects.count(),
                order=60,
            )
        )
