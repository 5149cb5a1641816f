from django.apps import AppConfig


class LecternConfig(AppConfig):
    name = "lectern"
    verbose_name = "Lectern"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from lectern.request_context import clear_context

        request_finished.connect(clear_context, dispatch_uid="lectern.clear_request_context")
