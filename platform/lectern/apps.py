from django.apps import AppConfig


class LecternConfig(AppConfig):
    """The composition root: its management commands and templates, and the wiring of the
    hooks lower floors offer to the apps that plug into them."""

    name = "lectern"
    verbose_name = "Lectern"

    def ready(self) -> None:
        import lectern.celery  # noqa: F401 - tasks publish through our Celery app
        from shared_apps.tenants.hooks import first_admin_creator_register
        from tenant_apps.people.services import first_admin_invite

        first_admin_creator_register(first_admin_invite)
