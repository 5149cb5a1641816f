from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "tenant_apps.scim"
    label = "scim"
    verbose_name = "People sync (SCIM)"
