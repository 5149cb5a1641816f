from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "tenant_apps.branding"
    label = "branding"
    verbose_name = "Branding"
