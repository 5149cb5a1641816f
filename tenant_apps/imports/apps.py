from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tenant_apps.imports"
    label = "imports"
    verbose_name = "People imports"

    def ready(self) -> None:
        from tenant_apps.imports import hooks

        hooks.register()
