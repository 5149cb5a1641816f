from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "tenant_apps.scim"
    label = "scim"
    verbose_name = "People sync (SCIM)"

    def ready(self) -> None:
        from tenant_apps.scim import hooks

        hooks.register()
