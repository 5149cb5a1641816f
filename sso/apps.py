from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from sso import hooks

        hooks.register()

        from django.utils.translation import gettext_lazy as _

        from core.entitlements import UsageMeter, usage_meter_register
        from sso.models import IdentityProvider

        usage_meter_register(
            UsageMeter(
                "identity_providers",
                _("Identity providers (single sign-on)"),
                lambda: IdentityProvider.objects.count(),
                order=40,
            )
        )
