from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "tenant_apps.branding"
    label = "branding"
    verbose_name = "Branding"

    def ready(self) -> None:
        from core.media import everyone, media_rule_register

        # The logo shows on the sign-in page, before anyone has signed in.
        media_rule_register(r"branding/[^/]+", everyone)
