from django.apps import AppConfig


class LecternConfig(AppConfig):
    name = "lectern"
    verbose_name = "Lectern"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # `email__lower=`, `slug__lower=`, `domain__lower=`: case-insensitive lookups that use
        # the functional unique indexes on LOWER(...); `__iexact` compiles to UPPER() and
        # would scan the table.
        CharField.register_lookup(Lower)

        from lectern.request_context import clear_context

        request_finished.connect(clear_context, dispatch_uid="lectern.clear_request_context")

        import lectern.api.schema  # noqa: F401 - registers the OpenAPI description of our auth
